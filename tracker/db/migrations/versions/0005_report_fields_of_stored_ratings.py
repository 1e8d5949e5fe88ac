"""report fields of stored ratings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 20:08:00

The report reads each outcome's reasons, what evidence would settle it and its strongest items from the
stored rating. Rows stored before this revision get empty values and are re-rated: they are cleared here
(stored ratings are a cache; readers and the next save rebuild them).
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM rating_snapshot")
    with op.batch_alter_table('rating_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reasons', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('missing', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('items', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('items_total', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('rating_snapshot', schema=None) as batch_op:
        batch_op.drop_column('items_total')
        batch_op.drop_column('items')
        batch_op.drop_column('missing')
        batch_op.drop_column('reasons')
