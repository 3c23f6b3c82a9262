"""Processes for managers: their versions and drafts, the modeler (save draft, publish), and
what changed between two versions. The modeler talks to these routes, never to the JSON API."""
from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.errors import ValidationFailed
from app.roles import PROCESS_EDITORS
from app.services.processes import definitions, version_changes
from app.services.processes.timer_choices import timer_choices

from . import bp
from .auth import page_requires


@bp.get("/processes")
@page_requires(*PROCESS_EDITORS)
def process_list():
    rows = definitions.list_definitions()
    return render_template(
        "processes.html", definitions=rows, active_nav="processes",
        running={d.key: definitions.running_by_version(d) for d in rows})


@bp.get("/processes/<key>")
@page_requires(*PROCESS_EDITORS)
def process_page(key):
    definition = definitions.get_definition(key)
    return render_template("process.html", definition=definition, active_nav="processes",
                           running=definitions.running_by_version(definition))


@bp.get("/processes/<key>/modeler")
@page_requires(*PROCESS_EDITORS)
def modeler(key):
    definition = definitions.get_definition(key)
    return render_template("modeler.html", definition=definition, active_nav="processes",
                           draft_hash=definitions.draft_hash(definition),
                           load_bearing=definitions.load_bearing(key),
                           timer_choices=timer_choices(key))


@bp.get("/processes/<key>/draft.bpmn")
@page_requires(*PROCESS_EDITORS)
def draft_xml(key):
    """The draft, or the latest version when there is none yet: what the modeler opens."""
    definition = definitions.get_definition(key)
    latest = definitions.latest_version(definition)
    xml = definition.draft_xml or (latest.xml if latest else _empty(key, definition.name))
    return _bpmn(xml, f"{key}-draft.bpmn")


def _empty(key: str, name: str) -> bytes:
    """A process with nothing in it yet but a start event, for a definition never published."""
    from xml.sax.saxutils import quoteattr

    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="definitions" '
        'targetNamespace="http://bpmn.io/schema/bpmn">'
        f'<bpmn:process id={quoteattr(key)} name={quoteattr(name)} isExecutable="true">'
        '<bpmn:startEvent id="start" /></bpmn:process>'
        '<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" '
        f'bpmnElement={quoteattr(key)}><bpmndi:BPMNShape id="start_di" bpmnElement="start">'
        '<dc:Bounds x="180" y="160" width="36" height="36" /></bpmndi:BPMNShape>'
        '</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>').encode()


@bp.get("/processes/<key>/versions/<int:number>.bpmn")
@page_requires(*PROCESS_EDITORS)
def version_xml(key, number):
    return _bpmn(definitions.get_version(key, number).xml, f"{key}-v{number}.bpmn")


@bp.post("/processes/<key>/draft")
@page_requires(*PROCESS_EDITORS)
def save_draft(key):
    """The modeler's Save draft: kept even with problems, which come back for the markers."""
    xml = request.get_data()
    if not xml.strip():
        raise ValidationFailed("send the diagram's XML")
    check = definitions.save_draft(key, xml, current_user)
    definition = definitions.get_definition(key)
    return jsonify({"problems": [p.to_dict() for p in check.problems],
                    "saved_at": definition.draft_updated_at.isoformat(),
                    "draft_hash": definitions.draft_hash(definition)})


@bp.post("/processes/<key>/publish")
@page_requires(*PROCESS_EDITORS)
def publish(key):
    seen = (request.get_json(silent=True) or {}).get("draft_hash")
    version = definitions.publish_draft(key, current_user, expected_hash=seen or None)
    return jsonify({"version": version.number,
                    "redirect": url_for("web.process_page", key=key, published=version.number)})


@bp.get("/processes/<key>/changes")
@page_requires(*PROCESS_EDITORS)
def changes(key):
    definition = definitions.get_definition(key)
    numbers = [v.number for v in definition.versions]
    new = _number(request.args.get("to"), numbers[-1])
    old = _number(request.args.get("from"), max(1, new - 1))
    listed = version_changes.changes(definitions.get_version(key, old).xml,
                                     definitions.get_version(key, new).xml)
    marked_old = " ".join(c.element_id for c in listed if c.kind != "added")
    marked_new = " ".join(c.element_id for c in listed if c.kind != "removed")
    return render_template("changes.html", definition=definition, old=old, new=new,
                           numbers=numbers, changes=listed, marked_old=marked_old,
                           marked_new=marked_new, active_nav="processes")


@bp.get("/processes/guide")
@page_requires(*PROCESS_EDITORS)
def modelling_guide():
    """docs/modelling.md, the managers' guide, as a page."""
    import markdown

    source = Path(current_app.root_path).parent / "docs" / "modelling.md"
    html = markdown.markdown(source.read_text(encoding="utf-8"),
                             extensions=["tables", "fenced_code", "toc"])
    return render_template("guide.html", guide=Markup(html), active_nav="processes")


def _number(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() else default


def _bpmn(xml: bytes, name: str) -> Response:
    # Fetched by the modeler and viewers; opened directly it downloads and never runs as a page.
    return Response(xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Content-Security-Policy": "sandbox; default-src 'none'"})
