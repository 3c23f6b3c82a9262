"""case notes and documents; task drafts

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from app.models.types import UtcDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_case_note_author_id_user')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_case_note_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_note'))
    )
    op.create_index(op.f('ix_case_note_person_id'), 'case_note', ['person_id'], unique=False)
    op.create_table('case_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', UtcDateTime(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_case_document_person_id_person')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_case_document_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_document'))
    )
    op.create_index(op.f('ix_case_document_person_id'), 'case_document', ['person_id'], unique=False)
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('draft', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('draft_saved_at', UtcDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('draft_saved_at')
        batch.drop_column('draft')
    op.drop_index(op.f('ix_case_document_person_id'), table_name='case_document')
    op.drop_table('case_document')
    op.drop_index(op.f('ix_case_note_person_id'), table_name='case_note')
    op.drop_table('case_note')
