"""What a workshop hub keeps of the central hub's accounts it mirrors, and on the central
hub, the accounts each forwarder may mirror (app/hub/mirror.py)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "mirror_grants",
        sa.Column("forwarder_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("granted_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "mirrored_accounts",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("upstream", sa.String(500), nullable=False),
        sa.Column("mirrored_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mirrored_accounts")
    op.drop_table("mirror_grants")
