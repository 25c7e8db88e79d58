"""redactions and term lists

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('redaction_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('normalised', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_redaction_terms_authority_id_authorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_redaction_terms_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redaction_terms')),
    sa.UniqueConstraint('authority_id', 'kind', 'normalised', name=op.f('uq_redaction_terms_authority_id'))
    )
    with op.batch_alter_table('redaction_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redaction_terms_authority_id'), ['authority_id'], unique=False)

    op.create_table('redactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=16), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('rule', sa.String(length=48), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_redactions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_redactions_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redactions'))
    )
    with op.batch_alter_table('redactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redactions_document_id'), ['document_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('redactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redactions_document_id'))

    op.drop_table('redactions')
    with op.batch_alter_table('redaction_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redaction_terms_authority_id'))

    op.drop_table('redaction_terms')
