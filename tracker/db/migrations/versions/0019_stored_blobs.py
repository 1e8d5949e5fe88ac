"""stored blobs

Revision ID: 0019
Revises: 0018
Create Date: 2027-01-10 09:00:00

The database storage back end (issue 23, `TRACKER_STORAGE_URL=database:`): `stored_blob`, one row per file
named by its SHA-256 with its size, and `stored_blob_chunk`, its bytes in 1 MB chunks in order. New tables
only. Attachments already keep their digest (`attachment.sha256`), which names their blob; files stored
before this revision stay where they were (`<UPLOAD_FOLDER>/<stored_name>`) and are read from there,
checked against that digest, until `tracker storage migrate` copies them into a store (docs/storage.md).
"""

from alembic import op
import sqlalchemy as sa
import tracker.db.base


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stored_blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', tracker.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_stored_blob'))
    )
    op.create_table('stored_blob_chunk',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['stored_blob.sha256'], name=op.f('fk_stored_blob_chunk_sha256_stored_blob')),
    sa.PrimaryKeyConstraint('sha256', 'seq', name=op.f('pk_stored_blob_chunk'))
    )


def downgrade() -> None:
    op.drop_table('stored_blob_chunk')
    op.drop_table('stored_blob')
