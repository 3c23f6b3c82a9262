"""an index on human_task (status, due_at, id) for the inbox's keyset pages

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # "All open tasks" reads a page from any cursor by one seek in (due_at, id) order.
    with op.batch_alter_table('human_task') as batch:
        batch.create_index('ix_task_due', ['status', 'due_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('human_task') as batch:
        batch.drop_index('ix_task_due')
