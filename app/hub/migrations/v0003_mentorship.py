"""Mentorship: relationships and their state, the records of relationships' spaces and who
reads them, blocks, reports, and when each person last pushed and started looking for a
mentor (app/hub/mentor_db.py)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "mentor_relationships",
        sa.Column("id", sa.String(300), primary_key=True),
        sa.Column("mentor_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("mentee_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger),
        sa.Column("previous_id", sa.String(300)),
    )
    op.create_index("ix_mentor_relationships_mentor", "mentor_relationships",
                    ["mentor_id", "state"])
    op.create_index("ix_mentor_relationships_mentee", "mentor_relationships",
                    ["mentee_id", "state"])
    op.create_table(
        "space_records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("space", sa.String(300), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(300), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.UniqueConstraint("type", "record_id", name="uq_space_record"),
    )
    op.create_index("ix_space_records_space_seq", "space_records", ["space", "seq"])
    op.create_table(
        "space_members",
        sa.Column("space", sa.String(300), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("until_seq", sa.BigInteger),
    )
    op.create_index("ix_space_members_user", "space_members", ["user_id"])
    op.create_table(
        "mentor_blocks",
        sa.Column("blocker_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("blocked_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "mentor_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("action_id", sa.String(300), nullable=False, unique=True),
        sa.Column("reporter_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reported_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "mentor_people",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("last_push", sa.BigInteger),
        sa.Column("looking_since", sa.BigInteger),
    )


def downgrade() -> None:
    for table in ("mentor_people", "mentor_reports", "mentor_blocks", "space_members",
                  "space_records", "mentor_relationships"):
        op.drop_table(table)
