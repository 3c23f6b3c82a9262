"""What the letter tests share: a council header, and reading a rendered .docx back."""
from __future__ import annotations

import copy
from io import BytesIO

from docx import Document

COUNCIL = {
    "name": "Example County Council",
    "address_lines": ["County Hall", "St Anne's Crescent", "Lewes"],
    "postcode": "BN7 1UE",
    "phone": "01273 000000",
    "email": "care.finance@example.gov.uk",
    "hours": "Monday to Friday, 9am to 5pm",
    "team_name": "Care Finance Team",
}


def docx_lines(data: bytes) -> list[str]:
    """Every paragraph of header, body and footer, then each table row as "a | b | c"."""
    doc = Document(BytesIO(data))
    section = doc.sections[0]
    parts = [*section.header.paragraphs, *doc.paragraphs, *section.footer.paragraphs]
    lines = [p.text for p in parts]
    for table in doc.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return lines


def without(context, path):
    """A copy of a merge context with the field at dotted `path` removed."""
    ctx = copy.deepcopy(context)
    *parents, leaf = path.split(".")
    node = ctx
    for part in parents:
        node = node[part]
    del node[leaf]
    return ctx
