"""Extensions, created once and bound to the app in create_app."""
from typing import TYPE_CHECKING

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic migrations are stable on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Objects stay readable after the use case commits (the handler dumps them); each request or
# scheduler sweep gets a fresh session, so nothing stale outlives it.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})

# The models' base class. db.Model is built at run time (Base plus Flask-SQLAlchemy's table names
# from the class name), so a type checker cannot take it as a base; it sees Base, which has the
# same mapping. The tables come from db.Model either way.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
