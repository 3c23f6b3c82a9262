"""name tokens in byte order with a covering index

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Prefix ranges need byte order; a database created under en_GB would miss names.
        op.alter_column("person_name_token", "token", type_=sa.String(60, collation="C"),
                        existing_nullable=False)
    with op.batch_alter_table("person_name_token") as batch_op:
        batch_op.drop_index("ix_person_name_token_token")
        batch_op.create_index("ix_person_name_token_covering", ["token", "person_id"])


def downgrade():
    with op.batch_alter_table("person_name_token") as batch_op:
        batch_op.drop_index("ix_person_name_token_covering")
        batch_op.create_index("ix_person_name_token_token", ["token"])
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("person_name_token", "token", type_=sa.String(60),
                        existing_nullable=False)
