"""legal stage: Letter of Claim record, court claims, enforcement, property charges, estates,
write-offs; the deferred payment test on the debt case

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

from app.models.types import UtcDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('estate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('notified_on', sa.Date(), nullable=False),
    sa.Column('has_will', sa.Boolean(), nullable=True),
    sa.Column('solicitor', sa.String(length=200), nullable=True),
    sa.Column('grant_type', sa.String(length=30), nullable=True),
    sa.Column('grant_date', sa.Date(), nullable=True),
    sa.Column('standing_search_lodged_on', sa.Date(), nullable=True),
    sa.Column('s27_notice_seen_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_estate_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estate')),
    sa.UniqueConstraint('person_id', name=op.f('uq_estate_person_id'))
    )
    op.create_table('court_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debt_case_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('route', sa.String(length=10), nullable=False),
    sa.Column('route_reasons', sa.JSON(), nullable=False),
    sa.Column('litigation_friend_needed', sa.Boolean(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('fee', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('claim_number', sa.String(length=40), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('deemed_served_on', sa.Date(), nullable=True),
    sa.Column('acknowledgment_by', sa.Date(), nullable=True),
    sa.Column('defence_by', sa.Date(), nullable=True),
    sa.Column('aos_filed_on', sa.Date(), nullable=True),
    sa.Column('defence_filed_on', sa.Date(), nullable=True),
    sa.Column('judgment_date', sa.Date(), nullable=True),
    sa.Column('judgment_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('judgment_terms', sa.String(length=200), nullable=True),
    sa.Column('judgment_interest', sa.Boolean(), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['debt_case_id'], ['debt_case.id'], name=op.f('fk_court_claim_debt_case_id_debt_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_court_claim'))
    )
    with op.batch_alter_table('court_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_court_claim_debt_case_id'), ['debt_case_id'], unique=False)

    op.create_table('letter_of_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debt_case_id', sa.Integer(), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('invoice_ids', sa.JSON(), nullable=False),
    sa.Column('letter_date', sa.Date(), nullable=True),
    sa.Column('deemed_service', sa.Date(), nullable=True),
    sa.Column('earliest_issue', sa.Date(), nullable=True),
    sa.Column('reply_received_on', sa.Date(), nullable=True),
    sa.Column('reply_box', sa.String(length=1), nullable=True),
    sa.Column('offer_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('offer_frequency', sa.String(length=20), nullable=True),
    sa.Column('documents_requested', sa.Boolean(), nullable=False),
    sa.Column('documents_provided_on', sa.Date(), nullable=True),
    sa.Column('seeking_advice', sa.Boolean(), nullable=False),
    sa.Column('offer_decision', sa.String(length=20), nullable=True),
    sa.Column('refusal_reasons', sa.JSON(), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_letter_of_claim_created_by_id_user')),
    sa.ForeignKeyConstraint(['debt_case_id'], ['debt_case.id'], name=op.f('fk_letter_of_claim_debt_case_id_debt_case')),
    sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], name=op.f('fk_letter_of_claim_letter_id_letter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_of_claim'))
    )
    with op.batch_alter_table('letter_of_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_of_claim_debt_case_id'), ['debt_case_id'], unique=False)

    op.create_table('write_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debt_case_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('invoice_numbers', sa.JSON(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('approver_role', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', UtcDateTime(timezone=True), nullable=True),
    sa.Column('memo_letter_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['debt_case_id'], ['debt_case.id'], name=op.f('fk_write_off_debt_case_id_debt_case')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_write_off_decided_by_id_user')),
    sa.ForeignKeyConstraint(['memo_letter_id'], ['letter.id'], name=op.f('fk_write_off_memo_letter_id_letter')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'], name=op.f('fk_write_off_proposed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_write_off'))
    )
    with op.batch_alter_table('write_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_write_off_debt_case_id'), ['debt_case_id'], unique=False)

    op.create_table('enforcement_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('court_claim_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['court_claim_id'], ['court_claim.id'], name=op.f('fk_enforcement_action_court_claim_id_court_claim')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enforcement_action'))
    )
    with op.batch_alter_table('enforcement_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enforcement_action_court_claim_id'), ['court_claim_id'], unique=False)

    op.create_table('property_charge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debt_case_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('basis', sa.String(length=30), nullable=False),
    sa.Column('title_number', sa.String(length=40), nullable=False),
    sa.Column('court_claim_id', sa.Integer(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('discharged_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['court_claim_id'], ['court_claim.id'], name=op.f('fk_property_charge_court_claim_id_court_claim')),
    sa.ForeignKeyConstraint(['debt_case_id'], ['debt_case.id'], name=op.f('fk_property_charge_debt_case_id_debt_case')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_property_charge_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_property_charge'))
    )
    with op.batch_alter_table('property_charge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_property_charge_debt_case_id'), ['debt_case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_property_charge_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('debt_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dpa_outcome', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('dpa_evidence', sa.String(length=500), nullable=True))



def downgrade():
    with op.batch_alter_table('debt_case', schema=None) as batch_op:
        batch_op.drop_column('dpa_evidence')
        batch_op.drop_column('dpa_outcome')

    with op.batch_alter_table('property_charge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_property_charge_person_id'))
        batch_op.drop_index(batch_op.f('ix_property_charge_debt_case_id'))

    op.drop_table('property_charge')
    with op.batch_alter_table('enforcement_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enforcement_action_court_claim_id'))

    op.drop_table('enforcement_action')
    with op.batch_alter_table('write_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_write_off_debt_case_id'))

    op.drop_table('write_off')
    with op.batch_alter_table('letter_of_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_of_claim_debt_case_id'))

    op.drop_table('letter_of_claim')
    with op.batch_alter_table('court_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_court_claim_debt_case_id'))

    op.drop_table('court_claim')
    op.drop_table('estate')
