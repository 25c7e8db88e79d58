"""what people follow, and their digests

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'follows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('query', sa.String(length=200), nullable=False),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follows_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follows')),
        sa.UniqueConstraint('user_id', 'key', name=op.f('uq_follows_user_id')),
    )
    op.create_index(op.f('ix_follows_user_id'), 'follows', ['user_id'])
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('digest_frequency', sa.String(length=8), nullable=False, server_default='weekly'))
        batch.add_column(sa.Column('digest_sent_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('digest_sent_at')
        batch.drop_column('digest_frequency')
    op.drop_table('follows')
