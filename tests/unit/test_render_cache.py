"""Tests for what render_letter keeps between calls (issue 16, fast rendering).

A render with everything cached must write the very bytes the plain docxtpl way writes (a fresh
DocxTemplate on the file, a fresh environment, Document.save), cold or warm; two renders of one
template must not leak into each other, in one thread or several; a rebuilt file is read again.
"""

from __future__ import annotations

import os
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO

import pytest
from docx import Document
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from app.letters import TEMPLATES, TEMPLATES_DIR, LetterError, render_letter, template_variables
from app.letters.render import clear_caches
from tests.unit import (
    test_debt_letters,
    test_legal_letters,
    test_letters,
    test_monitoring_letters,
    test_query_letters,
)
from tests.unit.letter_helpers import docx_lines

CONTEXT_FOR = {
    template: module.context_for
    for module in (test_letters, test_debt_letters, test_legal_letters, test_query_letters,
                   test_monitoring_letters)
    for template in module.FIELDS
}
REASON = "dp_not_proceeding"


def plain_docxtpl(template, context, templates_dir=TEMPLATES_DIR) -> bytes:
    """The render as it was before any caching: everything built afresh from the file."""
    doc = DocxTemplate(templates_dir / f"{template}.docx")
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
    doc.render(dict(context), jinja_env=env, autoescape=True)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture
def frozen_zip_time(monkeypatch):
    # A zip stamps each member with the time it was written; hold it still to compare bytes.
    stopped = time.time()
    monkeypatch.setattr(time, "time", lambda: stopped)


def test_every_template_has_a_sample_context():
    assert set(CONTEXT_FOR) == set(TEMPLATES)


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_a_cold_and_a_warm_render_write_what_plain_docxtpl_writes(template, frozen_zip_time):
    context = CONTEXT_FOR[template](template)
    expected = plain_docxtpl(template, context)
    clear_caches()
    cold = render_letter(template, context)
    warm = render_letter(template, context)
    assert cold == expected
    assert warm == expected
    with zipfile.ZipFile(BytesIO(warm)) as docx:
        assert docx.testzip() is None


def reason_context(reason):
    return test_letters.context_for(REASON, reason=reason)


def test_two_renders_of_one_template_each_say_their_own_thing():
    first = "\n".join(docx_lines(render_letter(REASON, reason_context("The first reason."))))
    second = "\n".join(docx_lines(render_letter(REASON, reason_context("A second reason."))))
    assert "The first reason." in first and "A second reason." not in first
    assert "A second reason." in second and "The first reason." not in second


def test_renders_in_several_threads_at_once_each_get_their_own_letter():
    clear_caches()  # the threads race to fill the caches too
    reasons = [f"Reason number {i}." for i in range(8)]

    def render(reason):
        return "\n".join(docx_lines(render_letter(REASON, reason_context(reason))))

    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = list(pool.map(render, reasons))
    for reason, text in zip(reasons, texts, strict=True):
        assert [r for r in reasons if r in text] == [reason]


def _write_template(path, *paragraphs):
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(path)


def _touch_later(path):
    # A rebuilt file within the same clock tick as the first would keep its mtime; move it on.
    status = path.stat()
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))


def test_a_rebuilt_template_file_is_read_again(tmp_path):
    path = tmp_path / "dp_reminder_1.docx"
    context = test_letters.context_for("dp_reminder_1")
    _write_template(path, "Dear {{ recipient.full_name }}", "First wording.")
    first = docx_lines(render_letter("dp_reminder_1", context, templates_dir=tmp_path))
    assert "First wording." in first
    _write_template(path, "Dear {{ recipient.full_name }}", "Second wording {{ council.fax }}.")
    _touch_later(path)
    assert "council.fax" in template_variables("dp_reminder_1", templates_dir=tmp_path)
    with pytest.raises(LetterError, match="no value in the context: council.fax"):
        render_letter("dp_reminder_1", context, templates_dir=tmp_path)
    _write_template(path, "Dear {{ recipient.full_name }}", "Second wording.")
    _touch_later(path)
    second = docx_lines(render_letter("dp_reminder_1", context, templates_dir=tmp_path))
    assert "Second wording." in second and "First wording." not in second


def test_a_template_that_does_not_parse_fails_every_time(tmp_path):
    _write_template(tmp_path / "dp_reminder_1.docx", "Dear {{ recipient.full_name }", "{% if %}")
    for _ in range(2):
        with pytest.raises(LetterError, match="dp_reminder_1.docx"):
            template_variables("dp_reminder_1", templates_dir=tmp_path)
