"""audit filter indexes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 02:40:00

The audit page filters its entries by action and by actor, newest first; on a trail of millions of entries
each filter read the whole table. Two indexes, (action, id) and (actor_id, id), let each walk its own. Nothing
stored changes.
"""

from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_event_action', 'audit_event', ['action', 'id'], unique=False)
    op.create_index('ix_audit_event_actor', 'audit_event', ['actor_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_event_actor', table_name='audit_event')
    op.drop_index('ix_audit_event_action', table_name='audit_event')
