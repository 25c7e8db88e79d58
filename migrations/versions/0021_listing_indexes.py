"""indexes for lists at scale: the newest shared documents a person may read, and the current
versions with their documents, read from the indexes without the rows' long texts

Revision ID: 0021
Revises: 0020
"""

from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_documents_listing', 'documents', ['status', 'published_at', 'scope', 'authority_id'])
    op.create_index(
        'ix_document_versions_current_document', 'document_versions', ['is_current', 'document_id']
    )


def downgrade() -> None:
    op.drop_index('ix_document_versions_current_document', table_name='document_versions')
    op.drop_index('ix_documents_listing', table_name='documents')
