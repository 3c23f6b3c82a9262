"""What every export to the council's finance system shares (docs/exports.md): a CSV a
spreadsheet opens safely, a zip of it with its manifest, and marking the rows it holds as
exported so that each goes out once.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import update

from app.errors import Conflict
from app.extensions import db


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8, comma-separated, CRLF, a header row; formula-like cells made plain text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for cells in rows:
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8")


def safe_cell(cell: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula (CSV injection).
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def zip_of(prefix: str, content: bytes, manifest: dict[str, Any]) -> tuple[bytes, str]:
    """The CSV and its manifest in one zip named `<prefix>-<UTC time>`, and that file name."""
    stamp = manifest["generated_at"][:19].replace(":", "").replace("-", "")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{prefix}-{stamp}.csv", content)
        archive.writestr(f"{prefix}-{stamp}.manifest.json",
                         json.dumps(manifest, indent=2, sort_keys=True))
    return buffer.getvalue(), f"{prefix}-{stamp}.zip"


def mark_exported(model: Any, ids: list[int], now: datetime) -> None:
    """Mark the rows exported, only where no other export has just done so (then 409)."""
    if not ids:
        return
    changed = db.session.connection().execute(
        update(model).where(model.id.in_(ids), model.exported_at.is_(None))
        .values(exported_at=now)).rowcount
    wanted = set(ids)
    for loaded in list(db.session.identity_map.values()):  # they read the column again
        if isinstance(loaded, model) and loaded.id in wanted:
            db.session.expire(loaded, ["exported_at"])
    if changed != len(ids):
        raise Conflict("another export took some of these rows at the same moment; "
                       "export again to get what is left")
