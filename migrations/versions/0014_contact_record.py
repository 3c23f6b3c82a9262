"""contact_record: calls and contacts logged on a case without a task

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

from app.models.types import UtcDateTime

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'contact_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('contacted_on', sa.Date(), nullable=False),
        sa.Column('contacted_time', sa.Time(), nullable=True),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('with_whom', sa.String(length=20), nullable=False),
        sa.Column('representative_id', sa.Integer(), nullable=True),
        sa.Column('other_name', sa.String(length=200), nullable=True),
        sa.Column('outcome', sa.String(length=30), nullable=False),
        sa.Column('promised_on', sa.Date(), nullable=True),
        sa.Column('promised_amount', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', UtcDateTime(), nullable=False),
        sa.CheckConstraint("promised_on IS NULL OR outcome = 'will_pay'",
                           name=op.f('ck_contact_record_promise_will_pay')),
        sa.CheckConstraint('promised_amount IS NULL OR promised_amount > 0',
                           name=op.f('ck_contact_record_positive_promised_amount')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_contact_record_person_id_person')),
        sa.ForeignKeyConstraint(['representative_id'], ['representative.id'],
                                name=op.f('fk_contact_record_representative_id_representative')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'],
                                name=op.f('fk_contact_record_recorded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_record')),
    )
    op.create_index(op.f('ix_contact_record_person_id'), 'contact_record', ['person_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_contact_record_person_id'), table_name='contact_record')
    op.drop_table('contact_record')
