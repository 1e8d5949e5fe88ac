"""rating guidance stored

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 01:45:00

Each stored rating now keeps its guidance (issue 18): what would raise it, the titles of the items that
found the effect too early to measure, and whether its support is evidence of effort only. Rows stored
before have none: they are cleared here (stored ratings are a cache; readers and `tracker refresh-ratings`
rebuild them), and a row without it is read as missing and rated again.
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM rating_snapshot")
    op.add_column(
        'rating_snapshot', sa.Column('guidance', sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
    )
    op.execute("UPDATE rating_state SET inputs_version = inputs_version + 1")


def downgrade() -> None:
    op.drop_column('rating_snapshot', 'guidance')
