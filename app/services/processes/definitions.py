"""Process definitions: syncing shipped diagrams, the manager's draft, publishing versions."""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from app import clock
from app.calendar import to_local_date
from app.engine import diagrams
from app.engine.contract import ProcessContract
from app.engine.types import DiagramError, Problem
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.letters.formatting import format_date
from app.models import InstanceStatus, ProcessDefinition, ProcessInstance, ProcessVersion, User
from app.roles import ROLES
from app.services import audit
from app.services.processes.engine_context import diagram_function_names, handler_signatures
from app.services.transaction import use_case


@dataclass(frozen=True)
class DraftCheck:
    valid: bool
    problems: list[Problem]


# Each process's contract, installed by the app factory from app/services/wiring.py (the
# capabilities that declare them depend on this module, so it cannot import them).
_contracts: dict[str, ProcessContract] = {}


def install_contracts(contracts: Mapping[str, ProcessContract]) -> None:
    _contracts.clear()
    _contracts.update(contracts)


def contract_for(key: str) -> ProcessContract | None:
    """The contract of a process; None for a process the code relies on for nothing."""
    return _contracts.get(key)


def lint(xml: bytes, key: str | None = None) -> list[Problem]:
    """All problems of a diagram for process `key` (by default its own process id), its
    contract's breaches included; malformed or unsafe XML raises DiagramError."""
    if key is None:
        try:
            key = diagrams.load_model(xml).key
        except DiagramError:
            key = None  # lint reports why it cannot be read
    return diagrams.lint(xml, roles=ROLES, handlers=handler_signatures(),
                         functions=diagram_function_names(),
                         contract=contract_for(key) if key else None)


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that stop publishing (warnings do not)."""
    return [p for p in problems if not p.warning]


def load_bearing(key: str) -> list[dict[str, str]]:
    """The elements of a process the code relies on, with why, for the modeler to mark."""
    contract = contract_for(key)
    return contract.load_bearing() if contract else []


def get_definition(key: str) -> ProcessDefinition:
    definition = db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key))
    if definition is None:
        raise NotFound(f"no process '{key}'")
    return definition


def list_definitions() -> list[ProcessDefinition]:
    return list(db.session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key)))


def running_by_version(definition: ProcessDefinition) -> dict[int, int]:
    """How many instances of each version have not finished, by version number."""
    rows = db.session.execute(
        select(ProcessVersion.number, func.count(ProcessInstance.id))
        .join(ProcessInstance, ProcessInstance.version_id == ProcessVersion.id)
        .where(ProcessVersion.definition_id == definition.id,
               ProcessInstance.status != InstanceStatus.COMPLETED)
        .group_by(ProcessVersion.number))
    return {number: count for number, count in rows}


def latest_version(definition: ProcessDefinition) -> ProcessVersion | None:
    return definition.versions[-1] if definition.versions else None


@dataclass(frozen=True)
class VersionCheck:
    """A published version in use checked again with today's check and contract."""
    key: str
    name: str
    version: int
    running: int
    latest: bool
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return errors(self.problems)


def check_versions_in_use() -> list[VersionCheck]:
    """The latest version of each process and every version cases still run on, with what
    today's check finds in it: a version published before a rule existed may break it (a
    manager's old rename of a kept element, conditions that overlap). Only those with findings."""
    found = []
    for definition in list_definitions():
        running = running_by_version(definition)
        latest = latest_version(definition)
        for version in definition.versions:
            if version is not latest and not running.get(version.number):
                continue
            problems = lint(version.xml, definition.key)
            if problems:
                found.append(VersionCheck(definition.key, definition.name, version.number,
                                          running.get(version.number, 0), version is latest,
                                          problems))
    return found


def get_version(key: str, number: int) -> ProcessVersion:
    definition = get_definition(key)
    for version in definition.versions:
        if version.number == number:
            return version
    raise NotFound(f"process '{key}' has no version {number}")


def _add_version(definition, xml: bytes, source: str, actor: User | None) -> ProcessVersion:
    latest = latest_version(definition)
    number = latest.number + 1 if latest is not None else 1
    version = ProcessVersion(definition=definition, number=number, xml=xml,
                             content_hash=diagrams.content_hash(xml), source=source,
                             published_at=clock.now(), published_by_id=actor.id if actor else None)
    db.session.add(version)  # `definition=` already puts it in definition.versions (backref)
    audit.record("version_published", actor=actor,
                 summary={"process": definition.key, "version": number, "source": source})
    return version


@dataclass(frozen=True)
class SyncResult:
    """What `sync_workflows` did, by process key: published from its file (`synced`), not
    published because a manager's version would be replaced (`refused`: key -> why and what to
    do), or a changed file that now holds the version in use (`matched`: nothing published)."""
    synced: tuple[str, ...] = ()
    refused: dict[str, str] = field(default_factory=dict)
    matched: tuple[str, ...] = ()


@use_case
def sync_workflows(directory: Path, replace: Collection[str] = ()) -> SyncResult:
    """Publish each shipped diagram whose content changed since it was last synced from its file.

    An unchanged file adds nothing and a manager's draft is never touched. A changed file never
    silently replaces a manager's version: when the latest version was published from the
    modeler after the file was last synced, that process is refused (nothing published, the
    reason returned) unless its key is in `replace`, which publishes the file over it and audits
    the replacement. A file that now holds the latest version (a manager's version saved over
    it) is recorded as synced without a new version. Processes that are fine sync either way;
    a file with problems, or a key in `replace` that no file holds, publishes nothing at all.
    """
    shipped = _shipped_diagrams(directory)
    unknown = sorted(set(replace) - {model.key for _, _, model in shipped})
    if unknown:
        raise NotFound(f"no shipped diagram in {directory.name}/ is process "
                       f"{', '.join(repr(key) for key in unknown)}; the shipped processes are "
                       f"{', '.join(model.key for _, _, model in shipped)}")
    synced, refused, matched = [], {}, []
    for path, xml, model in shipped:
        digest = diagrams.content_hash(xml)
        definition = db.session.scalar(
            select(ProcessDefinition).where(ProcessDefinition.key == model.key))
        if definition is None:
            definition = ProcessDefinition(key=model.key, name=model.name, source_file=path.name)
            db.session.add(definition)
        if definition.last_synced_hash == digest:
            continue
        latest = latest_version(definition)
        if latest is not None and latest.content_hash == digest:
            definition.last_synced_hash = digest  # e.g. a manager's version saved over the file
            definition.source_file = path.name
            matched.append(model.key)
            continue
        managers = _unsynced_modeler_version(definition)
        if managers is not None and model.key not in replace:
            refused[model.key] = _refusal(managers, path)
            continue
        definition.last_synced_hash = digest
        definition.source_file = path.name
        version = _add_version(definition, xml, "file", None)
        if managers is not None:
            audit.record("version_replaced_by_file", actor=None, summary={
                "process": model.key, "version": version.number, "file": path.name,
                "replaced_version": managers.number, "replaced_source": managers.source})
        synced.append(model.key)
    return SyncResult(tuple(synced), refused, tuple(matched))


def _shipped_diagrams(directory: Path) -> list[tuple[Path, bytes, diagrams.ProcessModel]]:
    """Each *.bpmn file with its model, by file name; a file with problems raises."""
    shipped = []
    for path in sorted(directory.glob("*.bpmn")):
        xml = path.read_bytes()
        try:
            model = diagrams.load_model(xml)
        except DiagramError as exc:
            raise ValidationFailed(f"{path.name} is not a usable diagram",
                                   [p.to_dict() for p in exc.problems]) from exc
        problems = _shipped_problems(xml, model.key)
        if problems:
            raise ValidationFailed(f"{path.name} has problems",
                                   [p.to_dict() for p in problems])
        shipped.append((path, xml, model))
    return shipped


# A shipped file found clean stays clean while the rules it was checked against are the same:
# the app (and every test) syncs the same files at each start, so each is checked once.
_CLEAN: set[tuple[str, frozenset]] = set()


def _shipped_problems(xml: bytes, key: str) -> list[Problem]:
    rules = frozenset([*((k, id(c)) for k, c in _contracts.items()),
                       *handler_signatures()])
    seen = (diagrams.content_hash(xml), rules)
    if seen in _CLEAN:
        return []
    problems = errors(lint(xml, key))
    if not problems:
        _CLEAN.add(seen)
    return problems


def _unsynced_modeler_version(definition: ProcessDefinition) -> ProcessVersion | None:
    """The latest version when a manager published it from the modeler after the file was last
    synced (the file as last synced is not that version), else None."""
    latest = latest_version(definition)
    if latest is None or latest.source != "modeler":
        return None
    return None if latest.content_hash == definition.last_synced_hash else latest


def _refusal(version: ProcessVersion, path: Path) -> str:
    key = version.definition.key
    publisher = db.session.get(User, version.published_by_id) if version.published_by_id else None
    by = f" by {publisher.full_name or publisher.username}" if publisher else ""
    when = format_date(to_local_date(version.published_at))
    return (f"not synced — version {version.number} was published from the modeler on {when}{by} "
            "after the file was last synced; the shipped file would replace it for new cases. "
            f"To keep the manager's version, save it over {path.parent.name}/{path.name} "
            f"(\"Download version {version.number}\" on the process page, /processes/{key}); to "
            "publish the shipped file anyway, run "
            f"`flask --app app workflows sync --replace {key}`.")


@use_case
def save_draft(key: str, xml: bytes, actor: User) -> DraftCheck:
    """Keep the draft even with lint problems (returned with it); refuse malformed/unsafe XML."""
    definition = get_definition(key)
    try:
        problems = lint(xml, key)
    except DiagramError as exc:
        raise ValidationFailed("the diagram is not well-formed, safe XML",
                               [p.to_dict() for p in exc.problems]) from exc
    problems.extend(_key_problems(xml, key))
    definition.draft_xml = xml
    definition.draft_problems = [p.to_dict() for p in problems]
    definition.draft_updated_at = clock.now()
    definition.draft_updated_by_id = actor.id
    audit.record("draft_saved", actor=actor, summary={"process": key, "problems": len(problems)})
    return DraftCheck(valid=not errors(problems), problems=problems)


def _key_problems(xml: bytes, key: str) -> list[Problem]:
    try:
        model = diagrams.load_model(xml)
    except DiagramError:
        return []  # already reported by lint
    if model.key != key:
        return [Problem(f"the process id is '{model.key}' but this draft belongs to '{key}'",
                        element_id=model.key)]
    return []


def draft_hash(definition: ProcessDefinition) -> str:
    """The draft's content hash, "" without a draft: the modeler sends it back when it
    publishes, so only the draft the publisher last saw is published."""
    return diagrams.content_hash(definition.draft_xml) if definition.draft_xml else ""


@use_case
def publish_draft(key: str, actor: User, expected_hash: str | None = None) -> ProcessVersion:
    """Publish the draft; with `expected_hash`, only the draft the publisher last saw (another
    manager may have saved over it since)."""
    definition = get_definition(key)
    if definition.draft_xml is None:
        raise NotFound(f"process '{key}' has no draft")
    xml = definition.draft_xml
    if expected_hash and diagrams.content_hash(xml) != expected_hash:
        raise Conflict("the draft was saved again by someone else since you saved it: reload "
                       "the modeler to see it before publishing")
    problems = errors(lint(xml, key) + _key_problems(xml, key))
    if problems:
        raise ValidationFailed("the draft has problems; fix them before publishing",
                               [p.to_dict() for p in problems])
    version = _add_version(definition, xml, "modeler", actor)
    definition.draft_xml = None
    definition.draft_problems = []
    return version
