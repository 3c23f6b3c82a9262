"""Letters: the addressing rule, context builders and the one docxtpl renderer.

Pure package: no Flask, no database, no SpiffWorkflow. Services store what ``render_letter``
returns; ``app/tasks`` handlers call ``build_context`` then ``render_letter``.
"""

from app.letters.addressing import (
    AddressingError,
    Recipient,
    RepresentationNeeded,
    choose_recipient,
)
from app.letters.catalogue import (
    COMMON_REQUIRED,
    TEMPLATES,
    TemplateInfo,
    placeholder_enclosures,
    template_info,
)
from app.letters.context import build_context
from app.letters.errors import LetterError
from app.letters.formatting import format_date, format_money
from app.letters.render import DOCX, TEMPLATES_DIR, render_letter, template_variables

__all__ = [
    "COMMON_REQUIRED",
    "DOCX",
    "TEMPLATES",
    "TEMPLATES_DIR",
    "AddressingError",
    "LetterError",
    "Recipient",
    "RepresentationNeeded",
    "TemplateInfo",
    "build_context",
    "choose_recipient",
    "format_date",
    "format_money",
    "placeholder_enclosures",
    "render_letter",
    "template_info",
    "template_variables",
]
