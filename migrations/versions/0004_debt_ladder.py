"""debt ladder: debt cases link invoices, instalment plans, paused timers, daily job runs

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from app.models.types import UtcDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('finished_at', UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
    sa.UniqueConstraint('name', 'day', name='uq_job_run_name_day')
    )
    op.create_table('paused_timer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('breathing_space_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.Column('was_due', UtcDateTime(timezone=True), nullable=False),
    sa.Column('resumed_at', UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['breathing_space_id'], ['breathing_space.id'], name=op.f('fk_paused_timer_breathing_space_id_breathing_space')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_paused_timer_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paused_timer'))
    )
    with op.batch_alter_table('paused_timer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paused_timer_instance_id'), ['instance_id'], unique=False)

    op.create_table('instalment_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debt_case_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('arrears_total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('frequency', sa.String(length=20), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('invoice_ids', sa.JSON(), nullable=False),
    sa.Column('income_expenditure', sa.JSON(), nullable=False),
    sa.Column('full_income_expenditure', sa.Boolean(), nullable=False),
    sa.Column('missed_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_instalment_plan_created_by_id_user')),
    sa.ForeignKeyConstraint(['debt_case_id'], ['debt_case.id'], name=op.f('fk_instalment_plan_debt_case_id_debt_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instalment_plan'))
    )
    with op.batch_alter_table('instalment_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instalment_plan_debt_case_id'), ['debt_case_id'], unique=False)

    with op.batch_alter_table('breathing_space', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lifted_at', UtcDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('debt_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stage_changed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('closed_reason', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_debt_case_person_id'), ['person_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_debt_case_person_id_person'), 'person', ['person_id'], ['id'])

    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=10), nullable=False,
                                      server_default='diagram'))

    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('debt_case_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_invoice_debt_case_id'), ['debt_case_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_invoice_debt_case_id_debt_case'), 'debt_case', ['debt_case_id'], ['id'])



def downgrade():
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invoice_debt_case_id_debt_case'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_invoice_debt_case_id'))
        batch_op.drop_column('debt_case_id')

    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('source')

    with op.batch_alter_table('debt_case', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_debt_case_person_id_person'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_debt_case_person_id'))
        batch_op.drop_column('closed_reason')
        batch_op.drop_column('stage_changed_on')
        batch_op.drop_column('person_id')

    with op.batch_alter_table('breathing_space', schema=None) as batch_op:
        batch_op.drop_column('lifted_at')

    with op.batch_alter_table('instalment_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instalment_plan_debt_case_id'))

    op.drop_table('instalment_plan')
    with op.batch_alter_table('paused_timer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paused_timer_instance_id'))

    op.drop_table('paused_timer')
    op.drop_table('job_run')
