from flask import Response, request

from app.errors import ValidationFailed
from app.roles import PROCESS_EDITORS
from app.services.processes import definitions

from . import bp
from .auth import current_user, requires
from .schemas import DraftCheckOut, ProcessDetailOut, ProcessOut, VersionOut

BPMN_MIMETYPE = "application/xml"


@bp.get("/processes")
@requires()
def list_processes():
    """Every process with its latest version number."""
    items = definitions.list_definitions()
    return {"items": ProcessOut(many=True).dump(items), "total": len(items), "page": 1,
            "per_page": len(items)}


@bp.get("/processes/<key>")
@requires()
def get_process(key):
    """A process with its versions and the draft's problems."""
    return ProcessDetailOut().dump(definitions.get_definition(key))


@bp.get("/processes/<key>/versions/<int:number>/bpmn")
@requires()
def get_version_bpmn(key, number):
    """The BPMN XML of a published version."""
    return Response(definitions.get_version(key, number).xml, mimetype=BPMN_MIMETYPE)


@bp.get("/processes/<key>/draft")
@requires(*PROCESS_EDITORS)
def get_draft(key):
    """The draft's XML, or the latest version's when there is no draft yet."""
    definition = definitions.get_definition(key)
    xml = definition.draft_xml or (definitions.latest_version(definition).xml
                                   if definition.versions else b"")
    return Response(xml, mimetype=BPMN_MIMETYPE,
                    headers={"X-Draft": "yes" if definition.draft_xml else "no"})


@bp.put("/processes/<key>/draft")
@requires(*PROCESS_EDITORS)
def put_draft(key):
    """Save the draft (kept even with problems, which come back); malformed/unsafe XML is 422."""
    xml = request.get_data()
    if not xml.strip():
        raise ValidationFailed("send the BPMN XML as the request body")
    check = definitions.save_draft(key, xml, current_user())
    return DraftCheckOut().dump({"valid": check.valid,
                                 "errors": [p.to_dict() for p in check.problems]})


@bp.post("/processes/<key>/draft/publish")
@requires(*PROCESS_EDITORS)
def publish_draft(key):
    """Publish a valid draft as the next version."""
    return VersionOut().dump(definitions.publish_draft(key, current_user())), 201


put_draft.openapi = {"body_type": BPMN_MIMETYPE, "response": DraftCheckOut}
