"""shorter stored reasons

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 22:35:00

A stored rating now keeps only the reasons the report prints (the first three); rows stored before kept
every line's sentence (37 KB an outcome at national scale). They are cleared here (stored ratings are a
cache; readers and `tracker refresh-ratings` rebuild them), with the report counts kept beside them.
"""

from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM rating_snapshot")
    op.execute("UPDATE rating_state SET inputs_version = inputs_version + 1")


def downgrade() -> None:
    pass
