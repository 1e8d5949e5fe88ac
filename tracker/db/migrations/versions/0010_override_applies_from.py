"""override applies from

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:30:00

An override now applies to ratings as of the date it takes effect or later (`applies_from`); before it the
computed rating stands. Overrides made before this revision applied at every date: each is given the
as-of date of the ratings it overrode (what the evaluator judged), or the day it was made if that is
earlier, as new overrides are by default. Stored ratings are cleared, since an override made against a
later date than a framework's default no longer applies there (readers and `tracker refresh-ratings`
rebuild them).
"""

from alembic import op
import sqlalchemy as sa
import tracker.db.base


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('rating_override', sa.Column('applies_from', sa.Date(), nullable=True))
    overrides = sa.table(
        'rating_override',
        sa.column('id', sa.Integer()),
        sa.column('as_of', sa.Date()),
        sa.column('created_at', tracker.db.base.UTCDateTime()),
        sa.column('applies_from', sa.Date()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(overrides.c.id, overrides.c.as_of, overrides.c.created_at)).all()
    for override_id, as_of, created_at in rows:
        connection.execute(
            overrides.update()
            .where(overrides.c.id == override_id)
            .values(applies_from=min(as_of, created_at.date()))
        )
    with op.batch_alter_table('rating_override') as batch:
        batch.alter_column('applies_from', existing_type=sa.Date(), nullable=False)
    op.execute("DELETE FROM rating_snapshot")
    op.execute("UPDATE rating_state SET inputs_version = inputs_version + 1")


def downgrade() -> None:
    with op.batch_alter_table('rating_override') as batch:
        batch.drop_column('applies_from')
