"""evidence shows and kpi

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 02:00:00

An evidence item may say which RBA question it answers (`shows`: how_much, how_well or better_off) and name
the KPI whose value it reports (`kpi`: the KPI's id, whose line then stands for it). Items stored before this
revision said neither: both are empty (''), "not given", which the rules read as they read them before.
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shows', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('kpi', sa.String(length=64), nullable=False, server_default=''))


def downgrade() -> None:
    # In place, on SQLite too (3.35 and later): a batch copy of the table would drop it, which the foreign
    # keys of its links and attachments refuse.
    op.drop_column('evidence', 'kpi')
    op.drop_column('evidence', 'shows')
