"""Syncing the shipped diagrams (workflows/*.bpmn) never silently replaces a version a manager
published from the modeler: such a process is refused with the reason and what to do, the others
sync; `--replace KEY` publishes the file over it, audited. Also the CLI's exit codes: `workflows
sync` fails on a refusal, `init` (every `make run`) warns and carries on."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.engine.diagrams import content_hash
from app.errors import NotFound
from app.extensions import db
from app.models import AuditEvent, ProcessDefinition, User
from app.services.processes import definitions
from app.services.processes.definitions import SyncResult
from app.services.staff import users
from tests.conftest import PASSWORD, REPO, set_clock

from .api_helpers import count, fresh

PROCESS = "direct_payment_agreement"  # the manager edits this one
OTHER = "debt_decision"  # nobody edits this one in the modeler

REFUSAL = (
    "not synced — version 2 was published from the modeler on 4 December 2026 by Jane Manager "
    "after the file was last synced; the shipped file would replace it for new cases. To keep "
    f"the manager's version, save it over workflows/{PROCESS}.bpmn (\"Download version 2\" on "
    f"the process page, /processes/{PROCESS}); to publish the shipped file anyway, run "
    f"`flask --app app workflows sync --replace {PROCESS}`.")


@pytest.fixture
def shipped(app, tmp_path) -> Path:
    """A copy of workflows/ that a test may edit, as the app's WORKFLOWS_DIR (synced already:
    the same files were synced when the app started)."""
    directory = tmp_path / "workflows"
    shutil.copytree(REPO / "workflows", directory)
    app.config["WORKFLOWS_DIR"] = directory
    users.add_user("jane", PASSWORD, ["finance_manager"], "North", full_name="Jane Manager")
    db.session.commit()
    return directory


def file_of(directory: Path, key: str) -> Path:
    return directory / f"{key}.bpmn"


def edit_file(directory: Path, key: str, note: str = "edited") -> bytes:
    """Change the shipped file's content (not its meaning) as a new release would."""
    path = file_of(directory, key)
    xml = path.read_bytes() + f"<!-- {note} -->\n".encode()
    path.write_bytes(xml)
    return xml


def manager_publishes(key: str) -> bytes:
    """Jane saves and publishes a draft from the modeler on 4 December 2026; its XML."""
    set_clock(datetime.fromisoformat("2026-12-04T10:30:00+00:00"))
    xml = definitions.latest_version(definitions.get_definition(key)).xml + b"<!-- Jane's -->\n"
    jane = db.session.scalar(select(User).where(User.username == "jane"))
    assert definitions.save_draft(key, xml, jane).valid
    definitions.publish_draft(key, jane)
    return xml


def versions(key: str) -> list[tuple[int, str]]:
    fresh()
    return [(v.number, v.source) for v in definitions.get_definition(key).versions]


def latest_xml(key: str) -> bytes:
    fresh()
    return definitions.latest_version(definitions.get_definition(key)).xml


# --- the service ----------------------------------------------------------------------------------
def test_a_changed_file_after_a_managers_publish_is_refused_and_publishes_nothing(shipped):
    janes = manager_publishes(PROCESS)
    edit_file(shipped, PROCESS)
    published = count(AuditEvent, action="version_published")

    result = definitions.sync_workflows(shipped)

    assert result == SyncResult(synced=(), refused={PROCESS: REFUSAL}, matched=())
    assert versions(PROCESS) == [(1, "file"), (2, "modeler")]
    assert latest_xml(PROCESS) == janes  # the manager's version is what new cases start on
    assert count(AuditEvent, action="version_published") == published
    # Still not synced: the next run refuses again rather than forgetting the changed file.
    assert definitions.sync_workflows(shipped).refused == {PROCESS: REFUSAL}
    assert versions(PROCESS) == [(1, "file"), (2, "modeler")]


def test_replace_publishes_the_file_over_the_managers_version_and_audits_it(shipped):
    manager_publishes(PROCESS)
    edited = edit_file(shipped, PROCESS)
    assert definitions.sync_workflows(shipped).refused.keys() == {PROCESS}

    result = definitions.sync_workflows(shipped, replace=[PROCESS])

    assert result == SyncResult(synced=(PROCESS,), refused={}, matched=())
    assert versions(PROCESS) == [(1, "file"), (2, "modeler"), (3, "file")]
    assert latest_xml(PROCESS) == edited
    (event,) = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "version_replaced_by_file"))
    assert event.actor_id is None
    assert event.summary == {"process": PROCESS, "version": 3, "file": f"{PROCESS}.bpmn",
                             "replaced_version": 2, "replaced_source": "modeler"}
    # Replaced once: the file is now what was last synced, so nothing more happens.
    assert definitions.sync_workflows(shipped) == SyncResult()
    assert definitions.sync_workflows(shipped, replace=[PROCESS]) == SyncResult()
    assert versions(PROCESS)[-1] == (3, "file")


def test_an_unchanged_file_after_a_managers_publish_adds_and_refuses_nothing(shipped):
    janes = manager_publishes(PROCESS)

    assert definitions.sync_workflows(shipped) == SyncResult()

    assert versions(PROCESS) == [(1, "file"), (2, "modeler")]
    assert latest_xml(PROCESS) == janes


def test_a_process_without_a_managers_version_syncs_while_another_is_refused(shipped):
    manager_publishes(PROCESS)
    edit_file(shipped, PROCESS)
    other = edit_file(shipped, OTHER)

    result = definitions.sync_workflows(shipped)

    assert result.synced == (OTHER,)
    assert result.refused.keys() == {PROCESS}
    assert versions(OTHER) == [(1, "file"), (2, "file")]
    assert latest_xml(OTHER) == other
    assert versions(PROCESS) == [(1, "file"), (2, "modeler")]


def test_the_managers_version_saved_over_the_file_is_kept_and_later_edits_sync(shipped):
    """What the refusal advises: the file now holds version 2, so nothing is refused or added;
    an edit of the file after that builds on the manager's version and syncs normally."""
    janes = manager_publishes(PROCESS)
    edit_file(shipped, PROCESS)
    assert definitions.sync_workflows(shipped).refused.keys() == {PROCESS}
    file_of(shipped, PROCESS).write_bytes(janes)

    assert definitions.sync_workflows(shipped) == SyncResult(matched=(PROCESS,))
    assert versions(PROCESS) == [(1, "file"), (2, "modeler")]
    fresh()
    assert definitions.get_definition(PROCESS).last_synced_hash == content_hash(janes)
    assert definitions.sync_workflows(shipped) == SyncResult()

    later = edit_file(shipped, PROCESS, "a later release")
    assert definitions.sync_workflows(shipped) == SyncResult(synced=(PROCESS,))
    assert versions(PROCESS) == [(1, "file"), (2, "modeler"), (3, "file")]
    assert latest_xml(PROCESS) == later
    assert count(AuditEvent, action="version_replaced_by_file") == 0


def test_replace_of_a_process_with_nothing_to_override_syncs_it_normally(shipped):
    edited = edit_file(shipped, OTHER)

    assert definitions.sync_workflows(shipped, replace=[OTHER]) == SyncResult(synced=(OTHER,))

    assert versions(OTHER) == [(1, "file"), (2, "file")]
    assert latest_xml(OTHER) == edited
    assert count(AuditEvent, action="version_replaced_by_file") == 0


def test_replace_of_an_unknown_process_is_an_error_and_publishes_nothing(shipped):
    edit_file(shipped, OTHER)

    with pytest.raises(NotFound, match="'no_such_process'"):
        definitions.sync_workflows(shipped, replace=["no_such_process"])

    assert versions(OTHER) == [(1, "file")]
    fresh()
    other = db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == OTHER))
    assert other.last_synced_hash == content_hash((REPO / "workflows" / f"{OTHER}.bpmn")
                                                  .read_bytes())


# --- the commands ---------------------------------------------------------------------------------
def test_workflows_sync_prints_the_refusal_and_exits_non_zero(app, shipped):
    manager_publishes(PROCESS)
    edit_file(shipped, PROCESS)
    edit_file(shipped, OTHER)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["workflows", "sync"])

    assert result.exit_code == 1, result.output
    assert result.stdout == f"workflows synced: {OTHER}\n"
    assert f"{PROCESS}: {REFUSAL}\n" in result.stderr
    assert f"Error: not synced: {PROCESS}" in result.stderr
    assert versions(PROCESS) == [(1, "file"), (2, "modeler")]
    assert versions(OTHER) == [(1, "file"), (2, "file")]

    result = runner.invoke(args=["workflows", "sync", "--replace", PROCESS])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"workflows synced: {PROCESS}\n"
    assert versions(PROCESS) == [(1, "file"), (2, "modeler"), (3, "file")]


def test_workflows_sync_replace_of_an_unknown_key_exits_non_zero(app, shipped):
    result = app.test_cli_runner().invoke(
        args=["workflows", "sync", "--replace", PROCESS, "--replace", "no_such_process"])

    assert result.exit_code == 1
    assert "Error: no shipped diagram in workflows/ is process 'no_such_process'" in (
        result.stderr)


def test_init_warns_about_a_refusal_and_carries_on(app, shipped):
    manager_publishes(PROCESS)
    edit_file(shipped, PROCESS)
    edit_file(shipped, OTHER)

    result = app.test_cli_runner().invoke(args=["init"])

    assert result.exit_code == 0, result.output
    assert f"workflows synced: {OTHER}\n" in result.stdout
    assert (f"warning: {PROCESS}: {REFUSAL} Until then the manager's version stays in use.\n"
            in result.stderr)
    assert versions(PROCESS) == [(1, "file"), (2, "modeler")]
    assert versions(OTHER) == [(1, "file"), (2, "file")]


def test_versions_in_use_are_checked_again_and_reported_by_init(app, shipped):
    # A manager's version published before the contract existed: the claim task renamed.
    from app.models import ProcessVersion
    from tests.unit.test_process_contracts import rename_id

    definition = definitions.get_definition("legal_recovery")
    old = definitions.latest_version(definition).xml
    db.session.add(ProcessVersion(definition=definition, number=2, source="modeler",
                                  xml=rename_id(old, "issue_claim", "court_claim"),
                                  content_hash="old-manager-version",
                                  published_at=datetime.fromisoformat("2026-11-01T10:00:00+00:00")))
    db.session.commit()
    [check] = definitions.check_versions_in_use()
    assert (check.key, check.version, check.latest, check.running) == (
        "legal_recovery", 2, True, 0)
    assert [p.element_id for p in check.errors] == ["court_claim"]

    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert ("problem: legal_recovery version 2 (new cases start on it), court_claim: The user "
            "task 'Issue the County Court claim' must keep its id issue_claim") in result.stderr
