"""The hub's mentorship tables (migration ``v0003_mentorship``), on :data:`app.hub.db.metadata`.

- ``mentor_relationships``: each relationship's parties and state, for the queries the hub
  makes (capacity, blocks, incoming requests, expiry); its record (with the audit) is in
  ``space_records``.
- ``space_records``: the records of relationships' spaces (``relationship``, ``goal``,
  ``shared_note``), one row per record, ``seq`` from the one sequence of the record plane;
  ``writer_id`` and ``written_seq`` (migration ``v0006_space_writers``): the account whose
  push last changed it here and the ``seq`` of that change, which a workshop hub forwards
  as that account's (none for what the hub wrote or took from its upstream as it was).
- ``space_members``: who pulls a space; ``until_seq`` ends a member's reading (an old mentor
  after a hand-over keeps what was shared before, nothing new).
- ``mentor_blocks``, ``mentor_reports``, ``mentor_people`` (hub time of a person's last push
  and since when they are looking for a mentor).
"""

from __future__ import annotations

import sqlalchemy as sa

from app.hub.db import metadata

mentor_relationships = sa.Table(
    "mentor_relationships", metadata,
    sa.Column("id", sa.String(300), primary_key=True),
    sa.Column("mentor_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("mentee_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger),
    sa.Column("previous_id", sa.String(300)),
    sa.Index("ix_mentor_relationships_mentor", "mentor_id", "state"),
    sa.Index("ix_mentor_relationships_mentee", "mentee_id", "state"),
)

space_records = sa.Table(
    "space_records", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("space", sa.String(300), nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("record_id", sa.String(300), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("writer_id", sa.Integer),
    sa.Column("written_seq", sa.BigInteger),
    sa.UniqueConstraint("type", "record_id", name="uq_space_record"),
    sa.Index("ix_space_records_space_seq", "space", "seq"),
    sa.Index("ix_space_records_writer", "writer_id", "written_seq"),
)

space_members = sa.Table(
    "space_members", metadata,
    sa.Column("space", sa.String(300), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("until_seq", sa.BigInteger),
    sa.Index("ix_space_members_user", "user_id"),
)

mentor_blocks = sa.Table(
    "mentor_blocks", metadata,
    sa.Column("blocker_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("blocked_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

mentor_reports = sa.Table(
    "mentor_reports", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("action_id", sa.String(300), nullable=False, unique=True),
    sa.Column("reporter_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("reported_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

mentor_people = sa.Table(
    "mentor_people", metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("last_push", sa.BigInteger),
    sa.Column("looking_since", sa.BigInteger),
)
