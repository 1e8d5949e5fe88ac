"""report count beside stored ratings

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 22:00:00

The report's "accepted evidence items" figure counts the distinct items linked to an outcome, a query over
every link of the framework (40-200 ms at national scale). It is kept on the framework's counter row with
the `inputs_version` and as-of date it was counted for, so it holds until a rating input changes.
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rating_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('linked_items', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('linked_items_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('linked_items_as_of', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rating_state', schema=None) as batch_op:
        batch_op.drop_column('linked_items_as_of')
        batch_op.drop_column('linked_items_version')
        batch_op.drop_column('linked_items')
