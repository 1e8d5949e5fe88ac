"""cached pdfs and survey report sets

Revision ID: 0020
Revises: 0019
Create Date: 2027-01-12 09:00:00

The rendered-PDF cache in the shared store (issue 23): with a STORAGE_URL configured, a report PDF is a blob
in the store and `cached_pdf` maps its key (framework, as-of date, model fingerprint) to the blob's digest,
so every app server and worker finds a PDF any of them rendered; `survey_report_batch` and `survey_report_file`
keep a round's set of survey level PDFs (its progress as JSON, each file's digest) instead of status.json and
files in the instance folder. New tables of derived rows only: the downgrade drops them and the PDFs are
rendered again when asked for.
"""

from alembic import op
import sqlalchemy as sa
import tracker.db.base


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cached_pdf',
    sa.Column('framework_id', sa.String(length=64), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', tracker.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('framework_id', 'as_of', 'fingerprint', name=op.f('pk_cached_pdf'))
    )
    op.create_table('survey_report_batch',
    sa.Column('framework_slug', sa.String(length=64), nullable=False),
    sa.Column('survey_id', sa.String(length=200), nullable=False),
    sa.Column('round_label', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('updated_at', tracker.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('framework_slug', 'survey_id', 'round_label', name=op.f('pk_survey_report_batch'))
    )
    op.create_table('survey_report_file',
    sa.Column('framework_slug', sa.String(length=64), nullable=False),
    sa.Column('survey_id', sa.String(length=200), nullable=False),
    sa.Column('round_label', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', tracker.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('framework_slug', 'survey_id', 'round_label', 'name', name=op.f('pk_survey_report_file'))
    )


def downgrade() -> None:
    op.drop_table('survey_report_file')
    op.drop_table('survey_report_batch')
    op.drop_table('cached_pdf')
