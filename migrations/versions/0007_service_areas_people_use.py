"""the service areas each person works in

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'user_service_areas',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('service_area_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['service_area_id'], ['service_areas.id'], name=op.f('fk_user_service_areas_service_area_id_service_areas'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_service_areas_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'service_area_id', name=op.f('pk_user_service_areas')),
    )


def downgrade() -> None:
    op.drop_table('user_service_areas')
