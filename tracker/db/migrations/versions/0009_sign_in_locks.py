"""sign-in locks per account and client address

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:20:00

Failed sign-ins were counted on the account, so anyone could keep any account locked. They are now counted
per account and client address (sign_in_lock), with a lock that grows on repeats; the account's own counter
and lock are cleared here and no longer used.
"""

from alembic import op
import sqlalchemy as sa
import tracker.db.base


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_lock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locks', sa.Integer(), nullable=False),
    sa.Column('locked_until', tracker.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_failure_at', tracker.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sign_in_lock_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_lock')),
    sa.UniqueConstraint('user_id', 'client', name=op.f('uq_sign_in_lock_user_id'))
    )
    op.execute("UPDATE user_account SET failed_logins = 0, locked_until = NULL")


def downgrade() -> None:
    op.drop_table('sign_in_lock')
