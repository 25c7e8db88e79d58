"""peer challenges, what each version shares of its challenge, its sections and its key lines of enquiry

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

KLOE_TYPES = ('scoping-document', 'self-assessment')


def upgrade() -> None:
    op.create_table(
        'challenges',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('authority_id', sa.Integer(), sa.ForeignKey('authorities.id'), nullable=False),
        sa.Column('title', sa.String(200), nullable=False),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('focus', sa.Text(), nullable=False, server_default=''),
        sa.Column('created_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_challenges_authority_id', 'challenges', ['authority_id'])
    op.create_table(
        'challenge_service_areas',
        sa.Column(
            'challenge_id', sa.Integer(), sa.ForeignKey('challenges.id', ondelete='CASCADE'), primary_key=True
        ),
        sa.Column('service_area_id', sa.Integer(), sa.ForeignKey('service_areas.id'), primary_key=True),
    )
    with op.batch_alter_table('documents') as batch:
        batch.add_column(sa.Column('challenge_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            'fk_documents_challenge_id', 'challenges', ['challenge_id'], ['id'], ondelete='SET NULL'
        )
        batch.create_index('ix_documents_challenge_id', ['challenge_id'])
    with op.batch_alter_table('document_versions') as batch:
        batch.add_column(sa.Column('challenge_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('challenge_title', sa.String(200), nullable=True))
        batch.add_column(sa.Column('challenge_focus', sa.Text(), nullable=True))
        batch.add_column(sa.Column('challenge_year', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('challenge_areas', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('sections', sa.JSON(), nullable=True))
        batch.create_foreign_key(
            'fk_document_versions_challenge_id', 'challenges', ['challenge_id'], ['id'], ondelete='SET NULL'
        )
        batch.create_index('ix_document_versions_challenge_id', ['challenge_id'])
    op.create_table(
        'kloes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column(
            'version_id', sa.Integer(), sa.ForeignKey('document_versions.id', ondelete='CASCADE'), nullable=False
        ),
        sa.Column('document_id', sa.Integer(), sa.ForeignKey('documents.id', ondelete='CASCADE'), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('section', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
    )
    op.create_index('ix_kloes_version_id', 'kloes', ['version_id'])
    op.create_index('ix_kloes_document_id', 'kloes', ['document_id'])
    _fill()


def _fill() -> None:
    """Sections and key lines of enquiry of every version already shared."""
    from library.core import structure

    bind = op.get_bind()
    versions = sa.table(
        'document_versions',
        sa.column('id', sa.Integer()),
        sa.column('document_id', sa.Integer()),
        sa.column('text', sa.Text()),
        sa.column('document_type_id', sa.Integer()),
        sa.column('sections', sa.JSON()),
    )
    types = sa.table('document_types', sa.column('id', sa.Integer()), sa.column('slug', sa.String()))
    kloes = sa.table(
        'kloes',
        sa.column('version_id', sa.Integer()),
        sa.column('document_id', sa.Integer()),
        sa.column('position', sa.Integer()),
        sa.column('section', sa.Integer()),
        sa.column('text', sa.Text()),
    )
    kloe_types = set(bind.execute(sa.select(types.c.id).where(types.c.slug.in_(KLOE_TYPES))).scalars())
    rows = bind.execute(
        sa.select(versions.c.id, versions.c.document_id, versions.c.text, versions.c.document_type_id)
    ).all()
    for version_id, document_id, text, type_id in rows:
        found = structure.sections(text or '')
        bind.execute(
            versions.update()
            .where(versions.c.id == version_id)
            .values(sections=[s.as_dict() for s in found])
        )
        if type_id in kloe_types:
            items = structure.kloes(text or '', found)
            if items:
                bind.execute(
                    kloes.insert(),
                    [
                        {
                            'version_id': version_id,
                            'document_id': document_id,
                            'position': i,
                            'section': k.section,
                            'text': k.text,
                        }
                        for i, k in enumerate(items, start=1)
                    ],
                )


def downgrade() -> None:
    op.drop_index('ix_kloes_document_id', table_name='kloes')
    op.drop_index('ix_kloes_version_id', table_name='kloes')
    op.drop_table('kloes')
    with op.batch_alter_table('document_versions') as batch:
        batch.drop_index('ix_document_versions_challenge_id')
        batch.drop_constraint('fk_document_versions_challenge_id', type_='foreignkey')
        for name in ('sections', 'challenge_areas', 'challenge_year', 'challenge_focus', 'challenge_title',
                     'challenge_id'):
            batch.drop_column(name)
    with op.batch_alter_table('documents') as batch:
        batch.drop_index('ix_documents_challenge_id')
        batch.drop_constraint('fk_documents_challenge_id', type_='foreignkey')
        batch.drop_column('challenge_id')
    op.drop_table('challenge_service_areas')
    op.drop_index('ix_challenges_authority_id', table_name='challenges')
    op.drop_table('challenges')
