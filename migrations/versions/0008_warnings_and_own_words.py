"""why a suggestion was made (warnings), and the reviewer's own words in place of a label

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('redactions') as batch:
        batch.add_column(sa.Column('reason', sa.String(length=300), nullable=False, server_default=''))
        batch.add_column(sa.Column('replacement', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('redactions') as batch:
        batch.drop_column('replacement')
        batch.drop_column('reason')
