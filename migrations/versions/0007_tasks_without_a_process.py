"""a task may stand on its own, raised by a use case with no process (ending a care package)

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('human_task') as batch:
        batch.alter_column('instance_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    with op.batch_alter_table('human_task') as batch:
        batch.alter_column('instance_id', existing_type=sa.Integer(), nullable=False)
