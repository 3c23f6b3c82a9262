"""The daily print batch: real LibreOffice conversions, the day's letters, the download zip.

Conversion does not depend on the database, so the tests that run LibreOffice either use no
database or run on SQLite only (each soffice start costs a few seconds).
"""
from __future__ import annotations

import csv
import hashlib
import io
import shutil
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Letter, User
from app.services.correspondence import letter_worker
from app.services.correspondence import print_batch
from app.services.correspondence.print_batch import PdfConversionError
from app.services.processes import instances
from app.services.records import people

DAY = date(2026, 3, 2)  # the conftest clock's day, a Monday


def docx_of(*pages: str) -> bytes:
    """A .docx with one paragraph per page, split by hard page breaks."""
    document = Document()
    for n, text in enumerate(pages):
        if n:
            document.add_page_break()
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_two_documents_become_one_pdf_in_order():
    first, second = docx_of("First letter, page one", "First letter, page two"), docx_of(
        "Second letter")

    reader = PdfReader(io.BytesIO(print_batch.pdf_of_documents([first, second])))

    assert len(reader.pages) == 2 + 1
    assert "First letter, page one" in reader.pages[0].extract_text()
    assert "Second letter" in reader.pages[2].extract_text()
    assert [(item.title, reader.get_destination_page_number(item))
            for item in reader.outline] == [("1", 0), ("2", 2)]


def fake_soffice(tmp_path, monkeypatch, script: str) -> None:
    binary = tmp_path / "soffice"
    binary.write_text("#!/bin/sh\n" + script)
    binary.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda name: str(binary) if name == "soffice" else None)


def test_missing_libreoffice_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(PdfConversionError, match="libreoffice-writer-nogui"):
        print_batch.pdf_of_documents([docx_of("Anything")])


def test_a_conversion_that_makes_no_pdf_is_a_clear_error(tmp_path, monkeypatch):
    fake_soffice(tmp_path, monkeypatch, "exit 0\n")
    with pytest.raises(PdfConversionError, match="no PDF of document 1 of 2"):
        print_batch.pdf_of_documents([docx_of("One"), docx_of("Two")])


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_hung_conversion_is_killed_with_its_children(tmp_path, monkeypatch):
    # The background child outlives its parent unless the whole group is killed (soffice.bin).
    child = tmp_path / "child.pid"
    fake_soffice(tmp_path, monkeypatch, f"sleep 60 &\necho $! > {child}\nexec sleep 60\n")
    monkeypatch.setattr(print_batch, "SOFFICE_TIMEOUT", 1)
    started = time.monotonic()
    with pytest.raises(PdfConversionError, match="longer than 1 s"):
        print_batch.pdf_of_documents([docx_of("One")])
    assert time.monotonic() - started < 10
    pid = int(child.read_text())
    while running(pid) and time.monotonic() - started < 10:
        time.sleep(0.05)
    assert not running(pid)


def add_person(reference: str, name: str) -> int:
    return people.create_person({
        "reference": reference, "name": name, "team": "North", "caseworker": "cw",
        "address": {"lines": ["1 High Street", "Example Town"], "postcode": "EX1 2AB"},
        "representative": None,
        "direct_payment": {"variant": "standard", "amount": "350.00", "frequency": "weekly",
                           "client_contribution": "85.00"},
    }, None).id


def add_letter(person_id: int, day: date, status: str, template: str = "dp_reminder_1") -> Letter:
    content = docx_of(f"{template} for person {person_id}")
    letter = Letter(person_id=person_id, template=template, template_ref="DP-REM-01 v1",
                    letter_date=day, recipient_name="Somebody Private", content=content,
                    sha256=hashlib.sha256(content).hexdigest(), status=status,
                    created_at=clock.now())
    db.session.add(letter)
    db.session.flush()
    return letter


def test_letters_for_picks_that_days_print_batch_by_person(staff):
    later, earlier = add_person("P200002", "Bea Example"), add_person("P200001", "Al Example")
    b1 = add_letter(later, DAY, "print_batch")
    a1 = add_letter(earlier, DAY, "print_batch")
    add_letter(earlier, DAY, "awaiting_approval")
    add_letter(earlier, date(2026, 3, 3), "print_batch")
    b2 = add_letter(later, DAY, "print_batch", template="dp_reminder_2")
    db.session.commit()

    assert [x.id for x in print_batch.letters_for(DAY)] == [b1.id, b2.id, a1.id]
    assert print_batch.letters_for(date(2026, 3, 1)) == []


def test_zip_without_a_pdf_has_the_letters_and_a_manifest(staff):
    letter = add_letter(add_person("P200003", "Cy Example"), DAY, "print_batch")
    db.session.commit()

    archive = zipfile.ZipFile(io.BytesIO(print_batch.zip_of([letter], None)))

    assert archive.namelist() == [f"01-DP-REM-01-v1-{letter.id}.docx", "manifest.csv"]
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert manifest == [{"number": "1", "file": f"01-DP-REM-01-v1-{letter.id}.docx",
                         "letter_id": str(letter.id), "template": "dp_reminder_1",
                         "template_ref": "DP-REM-01 v1", "letter_date": "2026-03-02",
                         "sha256": letter.sha256, "pdf_pages": ""}]


@pytest.mark.parametrize("backend", ["sqlite"])  # the conversion is the same on any database
def test_todays_batch_of_real_letters_downloads_as_pdf_docx_and_manifest(staff):
    fa = db.session.scalar(select(User).where(User.username == "fa"))
    for reference, name in [("P300001", "Alice Example"), ("P300002", "Bob Example")]:
        add_person(reference, name)
        instances.start_instance("direct_payment_agreement", reference, {}, fa)  # issues a letter
    db.session.commit()
    assert print_batch.letters_for(DAY) == []  # recorded, not made yet
    assert print_batch.still_to_make(DAY) == {"waiting": 2, "failed": 0}
    letter_worker.render_all_pending()
    batch = print_batch.letters_for(DAY)
    assert [x.template for x in batch] == ["dp_agreement", "dp_agreement"]

    pdf = print_batch.pdf_of(batch)
    archive = zipfile.ZipFile(io.BytesIO(print_batch.zip_of(batch, pdf)))

    stems = [f"0{n}-DP-AGR-01-v1-{letter.id}" for n, letter in enumerate(batch, start=1)]
    assert archive.namelist() == ["print-batch-2026-03-02.pdf", *[f"{s}.docx" for s in stems],
                                  "manifest.csv"]
    assert [archive.read(f"{s}.docx") for s in stems] == [x.content for x in batch]
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [(row["letter_id"], row["sha256"]) for row in manifest] == [
        (str(x.id), x.sha256) for x in batch]
    reader = PdfReader(io.BytesIO(archive.read("print-batch-2026-03-02.pdf")))
    pages = [int(row["pdf_pages"]) for row in manifest]
    assert pages[0] >= 2 and pages[0] == pages[1]  # the same template, the same length
    assert sum(pages) == len(reader.pages)
    assert "Alice Example" in reader.pages[0].extract_text()
    assert "Bob Example" in reader.pages[pages[0]].extract_text()
    assert not any("Example" in name for name in archive.namelist())
