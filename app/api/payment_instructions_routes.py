"""The payment-instruction export for the council's finance system (docs/exports.md)."""
from __future__ import annotations

from flask import Response

from app.roles import FINANCE_EXPORTERS
from app.services.direct_payments import instruction_export

from . import bp
from .auth import current_user, requires


@bp.post("/exports/payment-instructions")
@requires(*FINANCE_EXPORTERS)
def export_payment_instructions():
    """Every payment instruction made since the last export, once: a zip of the CSV and its
    manifest. The manifest's sha256 and row count are also in response headers."""
    content, manifest = instruction_export.export_since_last(current_user())
    archive, name = instruction_export.zip_of(content, manifest)
    return Response(archive, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Export-Rows": str(manifest["rows"]), "X-Export-Sha256": manifest["sha256"]})
