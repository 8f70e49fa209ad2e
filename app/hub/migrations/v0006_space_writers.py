"""Who wrote each record of a relationship's space on this hub, and when: a workshop hub
forwards the goals and shared notes its learners wrote to its upstream hub as theirs
(app/hub/forward.py). Records the hub wrote, or took from its upstream as they were, have
none."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("space_records") as table:
        table.add_column(sa.Column("writer_id", sa.Integer))
        table.add_column(sa.Column("written_seq", sa.BigInteger))
    op.create_index("ix_space_records_writer", "space_records", ["writer_id", "written_seq"])


def downgrade() -> None:
    op.drop_index("ix_space_records_writer", table_name="space_records")
    with op.batch_alter_table("space_records") as table:
        table.drop_column("written_seq")
        table.drop_column("writer_id")
