"""usage of shared documents: monthly counts, readers by keyed hash, readers active per month

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'usage_months',
        sa.Column(
            'document_id', sa.Integer(), sa.ForeignKey('documents.id', ondelete='CASCADE'), primary_key=True
        ),
        sa.Column('month', sa.Integer(), primary_key=True),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.Column('downloads', sa.Integer(), nullable=False),
    )
    op.create_index('ix_usage_months_month', 'usage_months', ['month'])
    op.create_table(
        'usage_readers',
        sa.Column(
            'document_id', sa.Integer(), sa.ForeignKey('documents.id', ondelete='CASCADE'), primary_key=True
        ),
        sa.Column('reader', sa.String(32), primary_key=True),
        sa.Column(
            'authority_id', sa.Integer(), sa.ForeignKey('authorities.id', ondelete='CASCADE'), nullable=False
        ),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('first_month', sa.Integer(), nullable=False),
    )
    op.create_table(
        'usage_active',
        sa.Column('month', sa.Integer(), primary_key=True),
        sa.Column('reader', sa.String(32), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table('usage_active')
    op.drop_table('usage_readers')
    op.drop_index('ix_usage_months_month', table_name='usage_months')
    op.drop_table('usage_months')
