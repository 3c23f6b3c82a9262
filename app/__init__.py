"""Care Finance Casework: the app factory (wiring only)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import clock, logs
from .config import Config
from .extensions import db, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Path(app.instance_path).mkdir(exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)

    from .errors import register_error_handlers
    from .services import wiring
    from .services.staff.users import configure_password_hashing
    from .tasks import HANDLERS

    wiring.install(HANDLERS)
    configure_password_hashing(app.config["PASSWORD_HASH_METHOD"])
    register_error_handlers(app)
    logs.install()
    _install_clock(app)

    from .api import bp as api_bp
    from .cli import register_commands

    app.register_blueprint(api_bp)
    register_commands(app)
    from .web import init_web

    init_web(app)
    return app


def _instance_secret(instance: Path) -> str:
    """No SECRET_KEY given: one random key per installation, kept (owner-only) in instance/,
    never a value anyone could read in this repository."""
    import secrets

    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _install_clock(app: Flask) -> None:
    mode = app.config["CASEWORK_CLOCK"]
    if mode not in ("real", "frozen"):
        raise ValueError("CASEWORK_CLOCK must be 'real' or 'frozen'")
    if mode == "frozen":
        from .services.operations.clock_control import load_frozen_instant

        clock.install(clock.StoredClock(load_frozen_instant))
    else:
        clock.install(clock.RealClock())


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # WAL and a busy timeout let the web and scheduler processes share one SQLite file.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
