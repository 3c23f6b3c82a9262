"""a human task carries a lock_version, so two changes to one task cannot both win

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows start at version 1, as a new row does.
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('lock_version', sa.Integer(), nullable=False,
                                   server_default='1'))
    with op.batch_alter_table('human_task') as batch:
        batch.alter_column('lock_version', server_default=None)


def downgrade():
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('lock_version')
