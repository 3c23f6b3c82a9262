"""direct payments after the agreement: reviews, audits, s33(5) decisions, card data, payments
made and payment instructions; the agreement's status and the dates monitoring counts from

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

from app.models.types import UtcDateTime


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('card_balance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('balance', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('commitments', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('imported_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['direct_payment_agreement.id'], name=op.f('fk_card_balance_agreement_id_direct_payment_agreement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_balance')),
    sa.UniqueConstraint('agreement_id', 'as_of', name='uq_card_balance_day')
    )
    with op.batch_alter_table('card_balance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_balance_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('card_transaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('provider_reference', sa.String(length=60), nullable=False),
    sa.Column('posted_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('payee', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['direct_payment_agreement.id'], name=op.f('fk_card_transaction_agreement_id_direct_payment_agreement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_transaction')),
    sa.UniqueConstraint('agreement_id', 'provider_reference', name='uq_card_transaction')
    )
    with op.batch_alter_table('card_transaction', schema=None) as batch_op:
        batch_op.create_index('ix_card_transaction_agreement_day', ['agreement_id', 'posted_on'], unique=False)

    op.create_table('direct_payment_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['direct_payment_agreement.id'], name=op.f('fk_direct_payment_payment_agreement_id_direct_payment_agreement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_direct_payment_payment')),
    sa.UniqueConstraint('agreement_id', 'paid_on', 'reference', name='uq_dp_payment')
    )
    with op.batch_alter_table('direct_payment_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direct_payment_payment_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('direct_payment_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('warn_on', sa.Date(), nullable=True),
    sa.Column('breached_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['direct_payment_agreement.id'], name=op.f('fk_direct_payment_review_agreement_id_direct_payment_agreement')),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user.id'], name=op.f('fk_direct_payment_review_completed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_direct_payment_review'))
    )
    with op.batch_alter_table('direct_payment_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direct_payment_review_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_direct_payment_review_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_direct_payment_review_status'), ['status'], unique=False)

    op.create_table('payment_instruction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('exported_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['direct_payment_agreement.id'], name=op.f('fk_payment_instruction_agreement_id_direct_payment_agreement')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_payment_instruction_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_instruction'))
    )
    with op.batch_alter_table('payment_instruction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_instruction_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_instruction_exported_at'), ['exported_at'], unique=False)

    op.create_table('direct_payment_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=True),
    sa.Column('documents_due_on', sa.Date(), nullable=True),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('reminder_due_on', sa.Date(), nullable=True),
    sa.Column('escalated_on', sa.Date(), nullable=True),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('balance', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('commitments', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('contingency', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('surplus', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('repayment_due', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('repay_by', sa.Date(), nullable=True),
    sa.Column('recovered', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.CheckConstraint("(status = 'closed') = (closed_on IS NOT NULL)", name=op.f('ck_direct_payment_audit_closed_dated')),
    sa.CheckConstraint('surplus IS NULL OR surplus >= 0', name=op.f('ck_direct_payment_audit_surplus_not_negative')),
    sa.ForeignKeyConstraint(['agreement_id'], ['direct_payment_agreement.id'], name=op.f('fk_direct_payment_audit_agreement_id_direct_payment_agreement')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_direct_payment_audit_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_direct_payment_audit_invoice_id_invoice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_direct_payment_audit')),
    sa.UniqueConstraint('reference', name=op.f('uq_direct_payment_audit_reference'))
    )
    with op.batch_alter_table('direct_payment_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direct_payment_audit_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_direct_payment_audit_status'), ['status'], unique=False)

    op.create_table('section33_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=30), nullable=False),
    sa.Column('new_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('repayment', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('fraud_referral', sa.Boolean(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('repayment IS NULL OR repayment > 0', name=op.f('ck_section33_decision_positive_repayment')),
    sa.ForeignKeyConstraint(['agreement_id'], ['direct_payment_agreement.id'], name=op.f('fk_section33_decision_agreement_id_direct_payment_agreement')),
    sa.ForeignKeyConstraint(['audit_id'], ['direct_payment_audit.id'], name=op.f('fk_section33_decision_audit_id_direct_payment_audit')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_section33_decision_decided_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_section33_decision'))
    )
    with op.batch_alter_table('section33_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_section33_decision_agreement_id'), ['agreement_id'], unique=False)

    with op.batch_alter_table('direct_payment_agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='proposed', nullable=False))
        batch_op.add_column(sa.Column('contingency_weeks', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('card_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('first_payment_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('last_review_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('monitoring_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_direct_payment_agreement_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_direct_payment_agreement_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_direct_payment_agreement_monitoring_id_process_instance'), 'process_instance', ['monitoring_id'], ['id'])



def downgrade():
    with op.batch_alter_table('direct_payment_agreement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_direct_payment_agreement_monitoring_id_process_instance'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_direct_payment_agreement_status'))
        batch_op.drop_index(batch_op.f('ix_direct_payment_agreement_card_id'))
        batch_op.drop_column('monitoring_id')
        batch_op.drop_column('end_reason')
        batch_op.drop_column('ended_on')
        batch_op.drop_column('last_review_date')
        batch_op.drop_column('first_payment_date')
        batch_op.drop_column('card_id')
        batch_op.drop_column('contingency_weeks')
        batch_op.drop_column('status')

    with op.batch_alter_table('section33_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_section33_decision_agreement_id'))

    op.drop_table('section33_decision')
    with op.batch_alter_table('direct_payment_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_direct_payment_audit_status'))
        batch_op.drop_index(batch_op.f('ix_direct_payment_audit_agreement_id'))

    op.drop_table('direct_payment_audit')
    with op.batch_alter_table('payment_instruction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_instruction_exported_at'))
        batch_op.drop_index(batch_op.f('ix_payment_instruction_agreement_id'))

    op.drop_table('payment_instruction')
    with op.batch_alter_table('direct_payment_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_direct_payment_review_status'))
        batch_op.drop_index(batch_op.f('ix_direct_payment_review_due_on'))
        batch_op.drop_index(batch_op.f('ix_direct_payment_review_agreement_id'))

    op.drop_table('direct_payment_review')
    with op.batch_alter_table('direct_payment_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_direct_payment_payment_agreement_id'))

    op.drop_table('direct_payment_payment')
    with op.batch_alter_table('card_transaction', schema=None) as batch_op:
        batch_op.drop_index('ix_card_transaction_agreement_day')

    op.drop_table('card_transaction')
    with op.batch_alter_table('card_balance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_balance_agreement_id'))

    op.drop_table('card_balance')
