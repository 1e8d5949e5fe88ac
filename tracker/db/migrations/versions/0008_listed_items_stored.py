"""listed items stored with ratings

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 23:20:00

Each stored rating now keeps the items the report lists as the report prints them (title, kind, size, date,
finding, quote), so the report reads no evidence rows. Rows stored before kept only [id, tier, counts]: they
are cleared here (stored ratings are a cache; readers and `tracker refresh-ratings` rebuild them).
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM rating_snapshot")
    op.execute("UPDATE rating_state SET inputs_version = inputs_version + 1")


def downgrade() -> None:
    pass
