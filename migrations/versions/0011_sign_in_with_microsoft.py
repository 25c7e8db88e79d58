"""sign-in with Microsoft: each authority's tenant and email domains, each person's external id

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('authorities') as batch:
        batch.add_column(sa.Column('tenant_id', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('email_domains', sa.JSON(), nullable=False, server_default='[]'))
        batch.create_unique_constraint(batch.f('uq_authorities_tenant_id'), ['tenant_id'])
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('external_id', sa.String(length=255), nullable=True))
        batch.create_unique_constraint(batch.f('uq_users_external_id'), ['external_id'])


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint('uq_users_external_id', type_='unique')
        batch.drop_column('external_id')
    with op.batch_alter_table('authorities') as batch:
        batch.drop_constraint('uq_authorities_tenant_id', type_='unique')
        batch.drop_column('email_domains')
        batch.drop_column('tenant_id')
