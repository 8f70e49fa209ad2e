"""The first schema: accounts, tokens, failed sign-ins, keys, submissions, published packs."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("trusted", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False,
                  index=True),
        sa.Column("device", sa.String(200), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
        sa.Column("revoked_at", sa.BigInteger),
        sa.Column("revoked_reason", sa.String(16)),
    )
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("window_start", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_key", sa.String(64), nullable=False, unique=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("signed_by", sa.String(64)),
        sa.Column("endorsement", sa.String(128)),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pack_id", sa.String(200), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("submitter_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("submitted_at", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("reason", sa.Text),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("reviewed_at", sa.BigInteger),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("files", sa.Integer, nullable=False),
        sa.Column("languages", sa.Text, nullable=False),
        sa.Column("license", sa.Text, nullable=False),
        sa.Column("attribution", sa.Text, nullable=False),
        sa.Column("manifest", sa.Text, nullable=False),
    )
    op.create_table(
        "published",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pack_id", sa.String(200), nullable=False, index=True),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id")),
        sa.Column("manifest", sa.Text, nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("entry", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("files", sa.Integer, nullable=False),
        sa.Column("published_at", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("pack_id", "version", name="uq_published_version"),
    )
    op.create_table(
        "published_files",
        sa.Column("published_id", sa.Integer, sa.ForeignKey("published.id"),
                  primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_published_files_sha256", "published_files", ["sha256"])
    op.create_table(
        "hub_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("hub_state", "published_files", "published", "submissions", "keys",
                  "login_failures", "tokens", "users"):
        op.drop_table(table)
