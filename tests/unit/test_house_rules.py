"""The rules of the house (ARCHITECTURE.md "The shape", README "Design in a page"), checked on the
source so that a breach fails `make test` naming its file and line.

The layers (arrows point from importer to imported; nothing points back up):
- only app/engine imports SpiffWorkflow: everything else sees our own small types;
- app/api and app/web never import app.models or app.engine: a handler calls a service;
- app/engine never imports app.services, app.tasks, app.web or app.api: it calls the handlers
  create_app hands it.

Every `import` and `from ... import` counts, relative ones and those inside functions too. One
exception, and only for app/api and app/web naming a model: an import under
`if TYPE_CHECKING:` (a type annotation such as `-> User`; services hand pages model objects, and
the import never runs). The engine and SpiffWorkflow rules have no such exception.

The capabilities: app/services holds one package per capability (records, correspondence, processes,
inbox, debts, legal, estates, ...) and a shared kernel of modules beside them (audit, settings,
transaction). Capability packages import each other without a cycle, so each has a place in one
order; the kernel imports no capability; only app/__init__.py imports app/services/wiring.py, where
the capabilities meet; and no module in app/services imports inside a function, the way a cycle
used to be dodged.

The roles: a role's name is written only in app/roles.py; the rest says `Role.LEGAL` or a named
group, so who may do what is read and changed in one place. Docstrings are prose and do not count;
ROLE_NAME_EXCEPTIONS lists where the same word is data or a field's name, each with why.

A test with no new dependency rather than import-linter: the rules are four lines of data below,
and the TYPE_CHECKING exception is ours to define.
"""
from __future__ import annotations

import ast
import graphlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import roles
from app.roles import ROLES, Role

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app"


@dataclass(frozen=True)
class Rule:
    importers: tuple[str, ...]  # the modules the rule binds (a package binds its submodules)
    forbidden: tuple[str, ...]
    why: str
    exempt: tuple[str, ...] = ()  # importers left out (the engine, for SpiffWorkflow)
    type_only_allowed: bool = False


RULES = (
    Rule(("app",), ("SpiffWorkflow",), exempt=("app.engine",),
         why="only app/engine imports SpiffWorkflow; the rest sees our own types"),
    Rule(("app.api", "app.web"), ("app.engine",),
         why="pages and API handlers call a service, never the engine"),
    Rule(("app.api", "app.web"), ("app.models",), type_only_allowed=True,
         why="pages and API handlers call a service, never a model (a type under "
             "`if TYPE_CHECKING:` is allowed)"),
    Rule(("app.engine",), ("app.services", "app.tasks", "app.web", "app.api"),
         why="the engine sits below the services and calls handlers from the registry "
             "create_app hands it"),
)

# Where a role's name appears as something else: (path, name) -> why. Keep it short; an entry
# that no longer matches anything fails the test, so the list cannot go stale.
ROLE_NAME_EXCEPTIONS = {
    ("app/demo.py", "finance_assistant"): "demo users: data",
    ("app/demo.py", "finance_officer"): "demo users: data",
    ("app/demo.py", "finance_manager"): "demo users: data",
    ("app/demo.py", "caseworker"): "demo users, and the demo people's caseworker field",
    ("app/demo.py", "care_manager"): "demo users: data",
    ("app/demo.py", "legal"): "demo users: data",
    ("app/demo.py", "admin"): "demo users: data",
    ("app/imports/formats.py", "caseworker"): "the CSV column holding a caseworker's username",
    ("app/services/imports/import_files.py", "caseworker"): "that CSV column (the role check says Role)",
    ("app/services/imports/common.py", "caseworker"): "the same CSV column, read by both imports",
    ("app/services/imports/direct_payments.py", "caseworker"): "the direct-payment CSV's "
                                                                "caseworker column",
    ("app/services/records/people.py", "caseworker"): "the person's caseworker field",
    ("app/domain/settings_catalogue.py", "finance_officer"): "the default write-off levels: "
                                                              "a setting's value, data",
    ("app/domain/settings_catalogue.py", "finance_manager"): "the same default levels",
}


# --- reading the source -----------------------------------------------------------------------
def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_in(source: str, module: str, package: bool = False
               ) -> Iterator[tuple[int, list[str], bool]]:
    """Each import statement of `module`'s source: (line, the absolute names it may load,
    whether it sits under `if TYPE_CHECKING:`). `from a import b` may load a or a.b."""

    def visit(node: ast.AST, type_only: bool) -> Iterator[tuple[int, list[str], bool]]:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from visit(child, True)
            for child in node.orelse:
                yield from visit(child, type_only)
            return
        if isinstance(node, ast.Import):
            yield node.lineno, [alias.name for alias in node.names], type_only
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, package)
            yield node.lineno, [base] + [f"{base}.{a.name}" for a in node.names], type_only
        for child in ast.iter_child_nodes(node):
            yield from visit(child, type_only)

    yield from visit(ast.parse(source), False)


def _absolute(node: ast.ImportFrom, module: str, package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    keep = len(parts) - node.level + (1 if package else 0)
    return ".".join(parts[:keep] + ([node.module] if node.module else []))


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def breaches_in(source: str, module: str, package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, what is wrong) for each forbidden import in one module's source."""
    for rule in RULES:
        if not _within(module, rule.importers) or _within(module, rule.exempt):
            continue
        for line, names, type_only in imports_in(source, module, package):
            if type_only and rule.type_only_allowed:
                continue
            hit = next((n for n in names if _within(n, rule.forbidden)), None)
            if hit:
                yield line, f"imports {hit}: {rule.why}"


def role_names_in(source: str) -> Iterator[tuple[int, str]]:
    """(line, role) for each string constant equal to a role's name, docstrings left out."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and node.value in ROLES and id(node) not in docstrings):
            yield node.lineno, node.value


SERVICES = "app.services"
WIRING = "app.services.wiring"


def capability_of(module: str) -> str | None:
    """The capability package a module of app/services belongs to; "kernel" for the shared
    modules beside the packages; None outside app/services and for the wiring."""
    if not _within(module, (SERVICES,)) or module in (SERVICES, WIRING):
        return None
    name = module.split(".")[2]
    return name if (APP / "services" / name).is_dir() else "kernel"


def capability_imports(modules: Mapping[str, str]) -> dict[str, set[str]]:
    """Which capability each capability imports, from {module: source}."""
    graph: dict[str, set[str]] = {}
    for module, source in modules.items():
        mine = capability_of(module)
        if mine is None:
            continue
        graph.setdefault(mine, set())
        for _, names, type_only in imports_in(source, module, module.count(".") == 2 and
                                              mine != "kernel"):
            theirs = {capability_of(n) for n in names} - {None, mine}
            if not type_only:
                graph[mine] |= theirs  # type: ignore[arg-type]
    return graph


def capability_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as cycle:
        return list(cycle.args[1])
    return None


def function_imports(source: str) -> Iterator[int]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    yield inner.lineno


def _services_sources() -> dict[str, str]:
    return {module: path.read_text(encoding="utf-8") for module, path in _modules()
            if _within(module, (SERVICES,))}


def _relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


# --- the rules --------------------------------------------------------------------------------
def test_the_layers_import_only_downwards():
    found = [f"{_relative(path)}:{line}: {what}"
             for module, path in _modules()
             for line, what in breaches_in(path.read_text(encoding="utf-8"), module,
                                           package=path.name == "__init__.py")]
    assert not found, "imports against the layers (ARCHITECTURE.md, The shape):\n" + "\n".join(
        found)


def test_the_scan_sees_the_engine_import_spiffworkflow():
    # Guards the test above from passing because it reads nothing.
    modules = dict(_modules())
    assert {"app.engine.runner", "app.web.auth", "app.api.auth"} <= set(modules)
    spiff = [names for module, path in modules.items() if module.startswith("app.engine")
             for _, names, _ in imports_in(path.read_text(encoding="utf-8"), module)
             if any(n.startswith("SpiffWorkflow") for n in names)]
    assert spiff


@pytest.mark.parametrize("module, source, expected", [
    ("app.web.pages", "def view():\n    from app.models import Person\n", [2]),
    ("app.web.pages", "from app import models\n", [1]),
    ("app.api.routes", "import app.engine.diagrams as d\n", [1]),
    ("app.web.pages", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                      "    from app.models import User\n", []),
    ("app.web.pages", "import typing\nif typing.TYPE_CHECKING:\n"
                      "    from app.engine.types import Step\n", [3]),
    ("app.engine.runner", "from ..services import instances\n", [1]),
    ("app.engine.runner", "from . import specs\nfrom app import tasks\n", [2]),
    ("app.services.work", "from SpiffWorkflow.bpmn import BpmnWorkflow\n", [1]),
    ("app.engine.runner", "from SpiffWorkflow.bpmn import BpmnWorkflow\n", []),
    ("app.services.work", "from app.models import HumanTask\nfrom app.engine import runner\n",
     []),
])
def test_a_forbidden_import_is_found_with_its_line(module, source, expected):
    assert [line for line, _ in breaches_in(source, module)] == expected


def test_a_relative_import_in_a_package_resolves_from_the_package():
    names = [n for _, ns, _ in imports_in("from .auth import requires\n", "app.api", True)
             for n in ns]
    assert names == ["app.api.auth", "app.api.auth.requires"]


def test_roles_are_named_only_in_app_roles():
    seen = set()
    found = []
    for _, path in _modules():
        where = _relative(path)
        if where == "app/roles.py":
            continue
        for line, role in role_names_in(path.read_text(encoding="utf-8")):
            if (where, role) in ROLE_NAME_EXCEPTIONS:
                seen.add((where, role))
            else:
                found.append(f"{where}:{line}: '{role}': say Role.{Role(role).name} or use a "
                             "group from app/roles.py")
    assert not found, "a role named outside app/roles.py:\n" + "\n".join(found)
    stale = sorted(set(ROLE_NAME_EXCEPTIONS) - seen)
    assert not stale, f"no longer needed, remove from ROLE_NAME_EXCEPTIONS: {stale}"


def test_the_role_scan_skips_docstrings_only():
    source = ('"""For the finance_manager."""\n'
              'def f():\n    """admin only"""\n    return has_role("admin", "legal")\n')
    assert list(role_names_in(source)) == [(4, "admin"), (4, "legal")]


def test_every_role_group_names_known_roles():
    groups = {name: value for name, value in vars(roles).items()
              if name.isupper() and not name.startswith("_") and name != "ROLES"}
    assert groups
    for name, group in groups.items():
        assert group and all(isinstance(r, Role) for r in group), name
    assert ROLES == {r.value for r in Role}


# --- the capabilities -------------------------------------------------------------------------
def test_capability_packages_import_each_other_without_a_cycle():
    graph = capability_imports(_services_sources())
    assert {"records", "processes", "debts", "legal", "estates", "kernel"} <= set(graph)
    cycle = capability_cycle(graph)
    assert cycle is None, ("capability packages import each other in a circle: "
                           + " -> ".join(cycle or []) + ". A rule is in the wrong room: move it "
                           "to the package both build on, or let app/services/wiring.py join them")


def test_the_kernel_imports_no_capability():
    graph = capability_imports(_services_sources())
    assert graph["kernel"] == set(), f"the shared kernel imports {sorted(graph['kernel'])}"


def test_only_the_app_factory_imports_the_wiring():
    importers = [module for module, path in _modules()
                 for _, names, _ in imports_in(path.read_text(encoding="utf-8"), module,
                                               path.name == "__init__.py")
                 if WIRING in names and module != "app"]
    assert importers == []


def test_no_service_imports_inside_a_function():
    found = [f"{module}:{line}" for module, source in _services_sources().items()
             for line in function_imports(source)]
    assert not found, ("an import inside a function (a dodged cycle?): " + ", ".join(found))


def test_a_cycle_between_capabilities_is_found():
    sources = {
        "app.services.debts.cases": "from app.services.legal import claims\n",
        "app.services.legal.claims": "from app.services.records import people\n",
        "app.services.records.people": "def f():\n    from app.services.debts import cases\n",
        "app.services.audit": "from app.extensions import db\n",
    }
    graph = capability_imports(sources)
    assert graph == {"debts": {"legal"}, "legal": {"records"}, "records": {"debts"},
                     "kernel": set()}
    assert set(capability_cycle(graph) or []) == {"debts", "legal", "records"}
    assert list(function_imports(sources["app.services.records.people"])) == [2]
    del sources["app.services.records.people"]
    assert capability_cycle(capability_imports(sources)) is None


def readme_order() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    line = text.split("Capability order:", 1)[1].split(".\n", 1)[0]
    return [name.strip() for name in line.replace("\n", " ").split(",")]


def imports_against(order: list[str], graph: Mapping[str, set[str]]) -> list[str]:
    place = {name: i for i, name in enumerate(order)}
    return [f"{mine} imports {theirs}" for mine, imported in sorted(graph.items())
            for theirs in sorted(imported) if place.get(theirs, -1) >= place.get(mine, -1)]


def test_the_readme_gives_the_capabilities_in_an_order_the_imports_keep():
    graph = capability_imports(_services_sources())
    order = readme_order()
    assert sorted(order) == sorted(graph), "the README's capability order lists every package"
    assert imports_against(order, graph) == []


def test_an_import_against_the_order_is_found():
    assert imports_against(["kernel", "records", "debts"],
                           {"records": {"kernel", "debts"}, "debts": {"records"}}) == [
        "records imports debts"]


def role_names_in_template(text: str) -> Iterator[tuple[int, str]]:
    """(line, role) for each role's name quoted in a page template."""
    for number, line in enumerate(text.splitlines(), 1):
        for quoted in re.findall(r"""['"]([a-z_]+)['"]""", line):
            if quoted in ROLES:
                yield number, quoted


def test_page_templates_name_no_role():
    found = [f"{path.relative_to(REPO)}:{line}: '{role}': pass a group from app/roles.py"
             for path in sorted((APP / "templates").rglob("*.html"))
             for line, role in role_names_in_template(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_template_scan_finds_a_quoted_role():
    assert list(role_names_in_template("{% if current_user.has_role('admin') %}\nadmin")) == [
        (1, "admin")]
