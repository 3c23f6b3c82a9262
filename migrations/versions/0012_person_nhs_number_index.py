"""an index on person.nhs_number, so a search by NHS number is one lookup

Revision ID: 0012
Revises: 0011
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # NHS numbers are stored as ten digits (imports normalise them), as the search asks for them.
    with op.batch_alter_table('person') as batch:
        batch.create_index('ix_person_nhs_number', ['nhs_number'], unique=False)


def downgrade():
    with op.batch_alter_table('person') as batch:
        batch.drop_index('ix_person_nhs_number')
