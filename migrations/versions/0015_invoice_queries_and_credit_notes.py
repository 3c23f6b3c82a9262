"""invoice queries (with their invoices and lines), credit notes, provider adjustments; an
invoice's credited amount and the invoice it re-issues

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

from app.models.types import UtcDateTime

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invoice_query',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('raised_by', sa.String(length=20), nullable=False),
    sa.Column('raised_by_name', sa.String(length=200), nullable=True),
    sa.Column('query_type', sa.String(length=30), nullable=False),
    sa.Column('what_was_said', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('outcome_reasons', sa.Text(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'closed') = (outcome IS NOT NULL)", name=op.f('ck_invoice_query_closed_with_outcome')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_invoice_query_created_by_id_user')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_invoice_query_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_invoice_query_owner_id_user')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_invoice_query_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_query')),
    sa.UniqueConstraint('reference', name=op.f('uq_invoice_query_reference'))
    )
    with op.batch_alter_table('invoice_query', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_query_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_query_status'), ['status'], unique=False)

    op.create_table('provider_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_provider_adjustment_provider_id_provider')),
    sa.ForeignKeyConstraint(['query_id'], ['invoice_query.id'], name=op.f('fk_provider_adjustment_query_id_invoice_query')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_provider_adjustment_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_adjustment'))
    )
    with op.batch_alter_table('provider_adjustment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_adjustment_query_id'), ['query_id'], unique=False)

    op.create_table('credit_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('query_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('approver_role', sa.String(length=40), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', UtcDateTime(), nullable=True),
    sa.Column('exported_at', UtcDateTime(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_credit_note_positive_amount')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_credit_note_author_id_user')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_credit_note_decided_by_id_user')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_credit_note_invoice_id_invoice')),
    sa.ForeignKeyConstraint(['query_id'], ['invoice_query.id'], name=op.f('fk_credit_note_query_id_invoice_query')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_note')),
    sa.UniqueConstraint('number', name=op.f('uq_credit_note_number'))
    )
    with op.batch_alter_table('credit_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_note_exported_at'), ['exported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_note_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_note_query_id'), ['query_id'], unique=False)

    op.create_table('queried_invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.CheckConstraint('amount IS NULL OR amount > 0', name=op.f('ck_queried_invoice_positive_amount')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_queried_invoice_invoice_id_invoice')),
    sa.ForeignKeyConstraint(['line_id'], ['invoice_line.id'], name=op.f('fk_queried_invoice_line_id_invoice_line')),
    sa.ForeignKeyConstraint(['query_id'], ['invoice_query.id'], name=op.f('fk_queried_invoice_query_id_invoice_query')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queried_invoice')),
    sa.UniqueConstraint('query_id', 'invoice_id', 'line_id', name='uq_queried_invoice_line')
    )
    with op.batch_alter_table('queried_invoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queried_invoice_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_queried_invoice_query_id'), ['query_id'], unique=False)

    with op.batch_alter_table('invoice', schema=None) as batch_op:
        # Existing invoices have no credit notes.
        batch_op.add_column(sa.Column('credited', sa.Numeric(precision=12, scale=2),
                                      nullable=False, server_default='0.00'))
        batch_op.add_column(sa.Column('reissue_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invoice_reissue_of_id_invoice'), 'invoice', ['reissue_of_id'], ['id'])



def downgrade():
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invoice_reissue_of_id_invoice'), type_='foreignkey')
        batch_op.drop_column('reissue_of_id')
        batch_op.drop_column('credited')

    with op.batch_alter_table('queried_invoice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queried_invoice_query_id'))
        batch_op.drop_index(batch_op.f('ix_queried_invoice_invoice_id'))

    op.drop_table('queried_invoice')
    with op.batch_alter_table('credit_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_note_query_id'))
        batch_op.drop_index(batch_op.f('ix_credit_note_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_credit_note_exported_at'))

    op.drop_table('credit_note')
    with op.batch_alter_table('provider_adjustment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_adjustment_query_id'))

    op.drop_table('provider_adjustment')
    with op.batch_alter_table('invoice_query', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_query_status'))
        batch_op.drop_index(batch_op.f('ix_invoice_query_person_id'))

    op.drop_table('invoice_query')
