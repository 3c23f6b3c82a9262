"""The one letter renderer: docxtpl with escaping on and every placeholder accounted for.

``render_letter`` refuses to produce a letter with a gap in it: required fields must be present
and non-empty, every placeholder in the template must have a value in the context, and Jinja runs
with ``StrictUndefined`` so nothing slips through at render time either. Autoescaping is on:
without it "Smith & Sons" writes a bare "&" into the XML and Word cannot open the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from app.letters.catalogue import COMMON_REQUIRED, TEMPLATES, TemplateInfo, template_info
from app.letters.context import MISSING, build_context, lookup
from app.letters.errors import LetterError
from app.letters.formatting import format_date, format_money

__all__ = [
    "TEMPLATES",
    "TEMPLATES_DIR",
    "LetterError",
    "TemplateInfo",
    "build_context",
    "format_date",
    "format_money",
    "render_letter",
    "template_variables",
]

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "letter_templates"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_letter(
    template: str, context: Mapping[str, Any], *, templates_dir: Path | None = None
) -> bytes:
    """Render ``template`` with ``context`` (from ``build_context``) to .docx bytes.

    Raises LetterError naming any required field that is missing or empty, and any placeholder
    the template uses that the context does not supply.
    """
    info = template_info(template)
    empty = [path for path in (*COMMON_REQUIRED, *info.required) if _is_empty(context, path)]
    if empty:
        raise LetterError(f"{template}: required fields missing or empty: {', '.join(empty)}")
    doc = _open(info, templates_dir)
    env = _environment()
    absent = doc.get_undeclared_template_variables(jinja_env=env) - set(context)
    absent |= {path for path in _placeholders(doc, env) if lookup(context, path) is MISSING}
    if absent:
        names = ", ".join(_outermost(absent))
        raise LetterError(f"{template}: placeholders with no value in the context: {names}")
    try:
        doc.render(dict(context), jinja_env=env, autoescape=True)
    except TemplateError as exc:
        raise LetterError(f"{template}: cannot render: {exc}") from exc
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def template_variables(template: str, *, templates_dir: Path | None = None) -> set[str]:
    """Every context path the template reads, dotted ("council.name", "dp.amount", "reason")."""
    doc = _open(template_info(template), templates_dir)
    return _placeholders(doc, _environment())


def _environment() -> SandboxedEnvironment:
    # Sandboxed because templates are documents people edit, not code we review line by line.
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def _open(info: TemplateInfo, templates_dir: Path | None) -> DocxTemplate:
    path = Path(templates_dir or TEMPLATES_DIR) / f"{info.name}.docx"
    if not path.is_file():
        raise LetterError(f"{info.name}: template file {path} not found")
    return DocxTemplate(path)


def _placeholders(doc: DocxTemplate, env: SandboxedEnvironment) -> set[str]:
    try:
        ast = env.parse(_template_source(doc))
    except TemplateError as exc:
        raise LetterError(f"template {doc.template_file}: {exc}") from exc
    roots = meta.find_undeclared_variables(ast)  # loop variables are not roots
    paths = set(roots)
    for node in ast.find_all(nodes.Getattr):
        path = _dotted(node)
        if path and path.split(".")[0] in roots:
            paths.add(path)
    return paths


def _template_source(doc: DocxTemplate) -> str:
    # The same source docxtpl renders: body, headers and footers, each through patch_xml (which
    # turns {%p %} tags into plain Jinja); the way get_undeclared_template_variables reads it.
    document = Document(doc.template_file)
    source = doc.patch_xml(doc.xml_to_string(document.element.body))
    for rel in document.part.rels.values():
        if rel.reltype in (doc.HEADER_URI, doc.FOOTER_URI) and rel.target_part.blob:
            source += doc.patch_xml(doc.xml_to_string(parse_xml(rel.target_part.blob)))
    return source


def _dotted(node: nodes.Node) -> str | None:
    parts: list[str] = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if not isinstance(node, nodes.Name):
        return None
    return ".".join([node.name, *reversed(parts)])


def _outermost(paths: set[str]) -> list[str]:
    # "dp" missing makes "dp.amount" missing too; name only the shortest.
    return sorted(
        path
        for path in paths
        if not any(path.startswith(f"{other}.") for other in paths if other != path)
    )


def _is_empty(context: Mapping[str, Any], path: str) -> bool:
    value = lookup(context, path)
    if value is MISSING or value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | dict) and not value
