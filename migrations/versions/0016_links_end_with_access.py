"""a change of a person's access ends the links mailed to them

Revision ID: 0016
Revises: 0015

Links still open for accounts that are deactivated now are ended by this migration too: before
it, deactivation left them valid (and using one activated the account again).
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('account_links') as batch:
        batch.add_column(sa.Column('ended_at', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE account_links SET ended_at = CURRENT_TIMESTAMP "
        "WHERE used_at IS NULL AND user_id IN (SELECT id FROM users WHERE active = false)"
    )


def downgrade() -> None:
    with op.batch_alter_table('account_links') as batch:
        batch.drop_column('ended_at')
