"""when a re-issued invoice was exported to the council's finance system (credit notes have
their own exported_at since 0015)

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

from app.models.types import UtcDateTime

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exported_at', UtcDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_column('exported_at')
