"""The hub's schema revisions (Alembic), applied in order by :func:`app.hub.db.migrate`.

A new revision is a new module here whose ``down_revision`` names the newest one; revisions
spell out their tables rather than importing :mod:`app.hub.db`, so that they keep meaning
what they meant when they were written.
"""
