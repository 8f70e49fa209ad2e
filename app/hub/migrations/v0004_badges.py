"""Badges: the credentials a hub issued and their revocations (app/hub/badges.py)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "badges",
        sa.Column("id", sa.String(300), primary_key=True),
        sa.Column("earner_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("awarded_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("version", sa.String(100)),
        sa.Column("credential", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("revoked_at", sa.BigInteger),
        sa.Column("revoked_by", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("revoked_reason", sa.Text),
    )
    op.create_index("ix_badges_earner", "badges", ["earner_id", "kind", "subject"])
    op.create_index("ix_badges_revoked", "badges", ["revoked_at"])


def downgrade() -> None:
    op.drop_table("badges")
