"""Admin commands: flask --app app init | workflows sync | users add | scheduler |
letter-worker | seed-demo |
import KIND FILE."""
from __future__ import annotations

import logging
import sys
import traceback

import click
from flask import Flask, current_app
from flask_migrate import upgrade

from app.errors import is_unreachable_database
from app.imports.formats import FORMATS
from app.services.operations import planner_statistics
from app.services.processes import definitions
from app.services.staff import users


def register_commands(app: Flask) -> None:
    app.cli.add_command(init_command)
    app.cli.add_command(workflows_group)
    app.cli.add_command(users_group)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(letter_worker_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(import_command)


@click.command("init")
def init_command() -> None:
    """Create or upgrade the database, then sync the shipped workflows.

    A process refused because a manager published a version since its file was last synced is
    a warning here, not a failure: the manager's version stays in use (`make run` starts on it).
    """
    upgrade()
    planner_statistics.refresh()
    result = _sync()
    for key, reason in result.refused.items():
        click.echo(f"warning: {key}: {reason} Until then the manager's version stays in use.",
                   err=True)
    _report_versions_in_use()


def _report_versions_in_use() -> None:
    """Versions in use that today's check finds fault with, as warnings: new cases start on the
    latest, and running cases go on with theirs."""
    for check in definitions.check_versions_in_use():
        use = (["new cases start on it"] if check.latest else []) + (
            [f"{check.running} running case{'' if check.running == 1 else 's'}"]
            if check.running else [])
        for problem in check.problems:
            kind = "warning" if problem.warning else "problem"
            click.echo(f"{kind}: {check.key} version {check.version} ({' and '.join(use)}), "
                       f"{problem.element_id or check.key}: {problem.message}", err=True)


def _sync(replace: tuple[str, ...] = ()) -> definitions.SyncResult:
    from app.errors import AppError

    try:
        result = definitions.sync_workflows(current_app.config["WORKFLOWS_DIR"], replace)
    except AppError as exc:  # a file with problems, or --replace of a process no file holds
        for detail in exc.details:
            where = "".join(f"{name} {detail[name]}: " for name in ("line", "element_id")
                            if detail.get(name))
            click.echo(f"{where}{detail['message']}", err=True)
        raise click.ClickException(exc.message) from None
    if result.synced or not (result.refused or result.matched):
        click.echo(f"workflows synced: {', '.join(result.synced) or 'nothing changed'}")
    for key in result.matched:
        click.echo(f"{key}: the file now holds the version in use; recorded as synced, "
                   "nothing published")
    return result


@click.group("workflows")
def workflows_group() -> None:
    """Process definitions."""


@workflows_group.command("sync")
@click.option("--replace", "replace", multiple=True, metavar="KEY",
              help="Publish KEY's shipped file even over a version a manager published from "
                   "the modeler (audited). Repeat for several processes.")
def workflows_sync(replace: tuple[str, ...]) -> None:
    """Load changed diagrams from workflows/ as new published versions.

    A changed file is not published over a version a manager published from the modeler since
    the file was last synced: each such process is listed with what to do, and the command
    exits non-zero. Other processes sync as usual.
    """
    result = _sync(replace)
    for key, reason in result.refused.items():
        click.echo(f"{key}: {reason}", err=True)
    _report_versions_in_use()
    if result.refused:
        raise click.ClickException(
            f"not synced: {', '.join(result.refused)} (a manager's version is in use)")


@click.group("users")
def users_group() -> None:
    """User accounts."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.option("--team", required=True)
@click.option("--name", "full_name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(username: str, roles: tuple[str, ...], team: str, full_name: str,
              password_stdin: bool) -> None:
    """Add a user with roles and a team (created if new)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    from app.errors import AppError

    try:
        user = users.add_user(username, password, list(roles), team, full_name)
    except AppError as exc:
        problems = "; ".join(f"{d.get('field')}: {d['message']}" for d in exc.details)
        raise click.ClickException(f"{exc.message}: {problems}") from None
    click.echo(f"added {user.username} ({', '.join(sorted(user.roles))}) to {team}")


@users_group.command("deactivate")
@click.argument("username")
def users_deactivate(username: str) -> None:
    """Stop a user signing in; their API tokens stop working at once."""
    from app.errors import AppError

    try:
        users.deactivate_user(username, actor=None)
    except AppError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"deactivated {username}: signed out everywhere")


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the timer scheduler (polls due timers every few seconds)."""
    from app.tasks.scheduler import run_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    _log_job_errors_by_type()
    # The scheduler's thread outlives this app context, so it takes the app, not the proxy.
    # Flask types current_app as a Flask, hiding the LocalProxy method that unwraps it.
    run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]


@click.command("letter-worker")
def letter_worker_command() -> None:
    """Run the letter worker (makes the routine letters the steps recorded)."""
    from app.tasks.scheduler import run_letter_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    _log_job_errors_by_type()
    run_letter_worker(current_app._get_current_object())  # type: ignore[attr-defined]


def _log_job_errors_by_type() -> None:
    """A pass that raises (the database is away, say) is logged by APScheduler, which then runs
    the next pass as usual; but it logs the exception's message, and a database error's message
    carries the SQL and its parameters (names, references). Log the type instead, and the frames
    unless the database merely cannot be reached (then the outage would fill the log with them
    every second)."""
    logging.getLogger("apscheduler.executors.default").addFilter(_exception_type_only)


def _exception_type_only(record: logging.LogRecord) -> bool:
    exc = record.exc_info[1] if record.exc_info else None
    if exc is not None:
        frames = "" if is_unreachable_database(exc) else "\n" + "".join(
            traceback.format_tb(exc.__traceback__))
        record.msg = f"{record.getMessage()}: {type(exc).__name__}{frames}"
        record.args, record.exc_info, record.exc_text = (), None, None
    return True


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Demo users, people and running direct-payment chases (idempotent)."""
    from app.demo import seed

    for line in seed():
        click.echo(line)


@click.command("import")
@click.argument("kind", type=click.Choice(list(FORMATS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", default=None,
              help="Username the audit trail records as the importer (default: the system).")
def import_command(kind: str, file: str, username: str | None) -> None:
    """Import a CSV file of KIND; a file with any bad row imports nothing (see docs/imports.md)."""
    from pathlib import Path

    from app.errors import AppError
    from app.imports.formats import decode
    from app.services.imports import import_files

    try:
        actor = import_files.importer_named(username) if username else None
        text = decode(Path(file).read_bytes())
    except (AppError, ValueError) as exc:  # an unknown user, or a file that is not UTF-8
        raise click.ClickException(str(exc)) from None
    try:
        result = import_files.import_file(kind, text, actor)
    except AppError as exc:
        for detail in exc.details:
            where = f"line {detail.get('line')}"
            if detail.get("column"):
                where += f", column {detail['column']}"
            click.echo(f"{where}: {detail['message']}", err=True)
        raise click.ClickException(exc.message) from None
    related = "".join(f", {count} {name.replace('_', ' ')}"
                      for name, count in result.related.items())
    click.echo(f"{kind}: {result.rows} rows, {result.added} added, {result.updated} updated, "
               f"{result.unchanged} unchanged, {result.suspense} in suspense{related}")
