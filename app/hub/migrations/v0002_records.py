"""The record plane: learners' records as merged states with a sequence, each (owner,
device)'s highest counter applied, the owner rows a push locks, and what a forwarding hub
keeps of its upstream hub: its marks and the upstream catalog."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "sync_owners",
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("pushes", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "sync_records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(300), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.UniqueConstraint("owner_id", "type", "record_id", name="uq_sync_record"),
    )
    op.create_index("ix_sync_records_owner_seq", "sync_records", ["owner_id", "seq"])
    op.create_table(
        "sync_devices",
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("device", sa.String(200), primary_key=True),
        sa.Column("counter", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "forward_marks",
        sa.Column("upstream", sa.String(500), primary_key=True),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "upstream_packs",
        sa.Column("upstream", sa.String(500), primary_key=True),
        sa.Column("pack_id", sa.String(200), primary_key=True),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("entry", sa.Text, nullable=False),
        sa.Column("manifest", sa.Text, nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("fetched_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "hub_text",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE sync_seq")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE sync_seq")
    for table in ("hub_text", "upstream_packs", "forward_marks", "sync_devices",
                  "sync_records", "sync_owners"):
        op.drop_table(table)
