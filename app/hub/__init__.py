"""The hub: accounts, a curated catalog of signed packs, and their files (docs/hub.md).

The same code runs centrally (PostgreSQL, several workers behind a proxy) and on a trainer's
laptop (SQLite). It imports nothing from the client (:mod:`app.sync`); the two meet only
over HTTP and in :mod:`app.packs.signing`.
"""
