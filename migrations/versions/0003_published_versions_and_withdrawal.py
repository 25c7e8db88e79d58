"""published versions and withdrawal

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=400), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('document_type_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('consented_by_id', sa.Integer(), nullable=True),
    sa.Column('consented_at', sa.DateTime(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['consented_by_id'], ['users.id'], name=op.f('fk_document_versions_consented_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_versions_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_type_id'], ['document_types.id'], name=op.f('fk_document_versions_document_type_id_document_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_versions')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_document_versions_document_id'))
    )
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_versions_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_versions_is_current'), ['is_current'], unique=False)

    op.create_table('version_service_areas',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('service_area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_area_id'], ['service_areas.id'], name=op.f('fk_version_service_areas_service_area_id_service_areas')),
    sa.ForeignKeyConstraint(['version_id'], ['document_versions.id'], name=op.f('fk_version_service_areas_version_id_document_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'service_area_id', name=op.f('pk_version_service_areas'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_kind', sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_documents_withdrawn_by_id_users'), 'users', ['withdrawn_by_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_withdrawn_by_id_users'), type_='foreignkey')
        batch_op.drop_column('withdrawal_kind')
        batch_op.drop_column('withdrawn_reason')
        batch_op.drop_column('withdrawn_by_id')

    op.drop_table('version_service_areas')
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_versions_is_current'))
        batch_op.drop_index(batch_op.f('ix_document_versions_document_id'))

    op.drop_table('document_versions')
