"""the details of a peer challenge (its title and focus) reviewed like a document's text: suggestions
to redact or keep, with the reviewer's own words

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'challenge_redactions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('challenge_id', sa.Integer(), sa.ForeignKey('challenges.id', ondelete='CASCADE'), nullable=False),
        sa.Column('field', sa.String(16), nullable=False),
        sa.Column('start', sa.Integer(), nullable=False),
        sa.Column('end', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('category', sa.String(32), nullable=False),
        sa.Column('rule', sa.String(48), nullable=False),
        sa.Column('replacement', sa.Text(), nullable=True),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_challenge_redactions_challenge_id', 'challenge_redactions', ['challenge_id'])


def downgrade() -> None:
    op.drop_index('ix_challenge_redactions_challenge_id', table_name='challenge_redactions')
    op.drop_table('challenge_redactions')
