"""what a version's text means, for search by meaning: an embedding of its title and of each
section, computed at consent and kept with the version

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'version_passages',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column(
            'version_id', sa.Integer(), sa.ForeignKey('document_versions.id', ondelete='CASCADE'), nullable=False
        ),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('start', sa.Integer(), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=False),
    )
    op.create_index('ix_version_passages_version_id', 'version_passages', ['version_id'])


def downgrade() -> None:
    op.drop_index('ix_version_passages_version_id', table_name='version_passages')
    op.drop_table('version_passages')
