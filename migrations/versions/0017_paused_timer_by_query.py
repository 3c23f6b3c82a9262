"""a ladder timer may be paused by an invoice query as well as by a Breathing Space

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('paused_timer', schema=None) as batch_op:
        batch_op.alter_column('breathing_space_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('invoice_query_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_paused_timer_invoice_query_id_invoice_query'),
                                    'invoice_query', ['invoice_query_id'], ['id'])


def downgrade():
    with op.batch_alter_table('paused_timer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_paused_timer_invoice_query_id_invoice_query'),
                                 type_='foreignkey')
        batch_op.drop_column('invoice_query_id')
        batch_op.alter_column('breathing_space_id', existing_type=sa.Integer(), nullable=False)
