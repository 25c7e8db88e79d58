"""a Microsoft tenant connected to an authority with contributors or approvers waits for one of
its approvers to confirm it

Revision ID: 0019
Revises: 0018

Tenants connected before this migration are kept confirmed only where the authority has no
contributor or approver; elsewhere they wait for an approver's confirmation (an administrator
could connect any tenant before, and sign-ins were joined to accounts by email).
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('authorities') as batch:
        batch.add_column(sa.Column('tenant_confirmed_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('tenant_confirmed_by_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE authorities SET tenant_confirmed_at = CURRENT_TIMESTAMP WHERE tenant_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM users WHERE users.authority_id = authorities.id "
        "AND users.role IN ('contributor', 'approver'))"
    )


def downgrade() -> None:
    with op.batch_alter_table('authorities') as batch:
        batch.drop_column('tenant_confirmed_by_id')
        batch.drop_column('tenant_confirmed_at')
