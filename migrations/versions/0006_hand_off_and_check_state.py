"""the hand-off between contributor and approver, and the last final check of each document

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ready_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ready_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sent_back_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('sent_back_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sent_back_note', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_documents_ready_by_id_users', 'users', ['ready_by_id'], ['id'])
        batch_op.create_foreign_key('fk_documents_sent_back_by_id_users', 'users', ['sent_back_by_id'], ['id'])
    op.create_table(
        'document_checks',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('findings', sa.Integer(), nullable=False),
        sa.Column('checked_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_checks_document_id_documents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('document_id', name=op.f('pk_document_checks')),
    )


def downgrade() -> None:
    op.drop_table('document_checks')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint('fk_documents_sent_back_by_id_users', type_='foreignkey')
        batch_op.drop_constraint('fk_documents_ready_by_id_users', type_='foreignkey')
        batch_op.drop_column('sent_back_note')
        batch_op.drop_column('sent_back_by_id')
        batch_op.drop_column('sent_back_at')
        batch_op.drop_column('ready_by_id')
        batch_op.drop_column('ready_at')
