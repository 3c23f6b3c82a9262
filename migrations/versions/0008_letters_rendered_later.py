"""routine letters are recorded in their step and rendered later by the letter worker

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

from app.models.types import UtcDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('letter') as batch:
        batch.alter_column('content', existing_type=sa.LargeBinary(), nullable=True)
        batch.alter_column('sha256', existing_type=sa.String(length=64), nullable=True)
        batch.add_column(sa.Column('render_status', sa.String(length=20), nullable=False,
                                   server_default='rendered'))
        batch.add_column(sa.Column('merge_context', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('render_claimed_at', UtcDateTime(), nullable=True))
        batch.add_column(sa.Column('rendered_at', UtcDateTime(), nullable=True))
        batch.add_column(sa.Column('render_error', sa.Text(), nullable=True))
        batch.create_index(batch.f('ix_letter_render_status'), ['render_status'], unique=False)
    with op.batch_alter_table('letter') as batch:
        batch.alter_column('render_status', server_default=None)


def downgrade():
    with op.batch_alter_table('letter') as batch:
        batch.drop_index(batch.f('ix_letter_render_status'))
        batch.drop_column('render_error')
        batch.drop_column('rendered_at')
        batch.drop_column('render_claimed_at')
        batch.drop_column('merge_context')
        batch.drop_column('render_status')
        batch.alter_column('sha256', existing_type=sa.String(length=64), nullable=False)
        batch.alter_column('content', existing_type=sa.LargeBinary(), nullable=False)
