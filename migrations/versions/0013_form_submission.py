"""form_submission: the single-use keys of action pages' forms already acted on

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_submission',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_form_submission_user_id_user')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_form_submission')),
    )
    with op.batch_alter_table('form_submission') as batch:
        batch.create_index('ix_form_submission_used_at', ['used_at'], unique=False)


def downgrade():
    op.drop_table('form_submission')
