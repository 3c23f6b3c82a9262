"""a representative's contact details: preference, email, phone, accessible format, language

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('representative') as batch:
        batch.add_column(sa.Column('contact_preference', sa.String(length=20), nullable=False,
                                   server_default='post'))
        batch.add_column(sa.Column('email', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('phone', sa.String(length=30), nullable=True))
        batch.add_column(sa.Column('accessible_format', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('language', sa.String(length=40), nullable=True))
    with op.batch_alter_table('representative') as batch:
        batch.alter_column('contact_preference', server_default=None)


def downgrade():
    with op.batch_alter_table('representative') as batch:
        for column in ('language', 'accessible_format', 'phone', 'email', 'contact_preference'):
            batch.drop_column(column)
