"""The daily print batch: the day's letters as one PDF for the print room, and a zip to download.

The PDF is made with LibreOffice headless (Debian's libreoffice-writer-nogui, installed by
`make system-deps`) and merged with pypdf. Nothing here writes to the database.
"""
from __future__ import annotations

import csv
import io
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path
from typing import Sequence

from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Letter, LetterStatus, RenderStatus

log = logging.getLogger(__name__)

SOFFICE_TIMEOUT = 120  # seconds for the whole batch: 20 letters take ~6 s here, 100 ~23 s


class PdfConversionError(Exception):
    """LibreOffice is missing, failed or timed out. Messages name documents by position only."""


def letters_for(day: date) -> list[Letter]:
    """The letters in the print batch dated `day` that have been made by now, grouped by person,
    oldest first. A letter the worker has not made yet (or could not make) waits for a later
    batch of the same day; still_to_make says how many."""
    return list(db.session.scalars(
        select(Letter).where(Letter.status == LetterStatus.PRINT_BATCH, Letter.letter_date == day,
                             Letter.render_status == RenderStatus.RENDERED)
        .order_by(Letter.person_id, Letter.id)))


def still_to_make(day: date) -> dict[str, int]:
    """The print batch's letters of `day` not yet made: waiting for the worker, or failed."""
    rows = db.session.execute(
        select(Letter.render_status, func.count()).where(
            Letter.status == LetterStatus.PRINT_BATCH, Letter.letter_date == day,
            Letter.render_status != RenderStatus.RENDERED)
        .group_by(Letter.render_status))
    counts: dict[str, int] = {status: count for status, count in rows}
    return {"waiting": counts.get(RenderStatus.PENDING, 0) + counts.get(RenderStatus.RENDERING, 0),
            "failed": counts.get(RenderStatus.FAILED, 0)}


def pdf_of(letters: Sequence[Letter]) -> bytes:
    """One PDF of the letters in the given order; each letter is a bookmark named as in zip_of."""
    return pdf_of_documents([_document(letter) for letter in letters], _stems(letters))


def pdf_of_documents(documents: Sequence[bytes], titles: Sequence[str] | None = None) -> bytes:
    """Convert .docx documents to PDF in one LibreOffice run and merge them in order.

    Each document starts with a top-level bookmark (`titles`, or its position from 1), which is
    how zip_of counts each letter's pages. Raises PdfConversionError.
    """
    if not documents:
        raise PdfConversionError("there are no documents to convert")
    titles = list(titles) if titles is not None else [str(n) for n in range(1, len(documents) + 1)]
    if len(titles) != len(documents):
        raise ValueError("one title per document")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="print-batch-") as tmp:
        work = Path(tmp)
        # Files are named by position only, so nothing LibreOffice prints names a person.
        sources = []
        for n, content in enumerate(documents, start=1):
            sources.append(work / f"{n:04d}.docx")
            sources[-1].write_bytes(content)
        _run_soffice(work, sources)
        writer = PdfWriter()
        for n, (source, title) in enumerate(zip(sources, titles, strict=True), start=1):
            pdf = work / "out" / f"{source.stem}.pdf"
            if not pdf.is_file():
                raise PdfConversionError(f"LibreOffice made no PDF of document {n} of "
                                         f"{len(sources)}")
            # The letters' own heading bookmarks are dropped: they could carry names.
            writer.append(PdfReader(pdf), outline_item=title, import_outline=False)
        out = io.BytesIO()
        writer.write(out)
    log.info("print batch: %d documents, %d pages, %.1f s", len(documents), len(writer.pages),
             time.monotonic() - started)
    return out.getvalue()


def zip_of(letters: Sequence[Letter], pdf: bytes | None, note: str | None = None) -> bytes:
    """A zip of print-batch-<date>.pdf (when given), each letter's .docx and a manifest.csv;
    `note` (why there is no PDF) goes in NOTE.txt, so whoever opens the zip knows.

    Entry names carry the letter's position, template reference and id, never a name.
    """
    day = letters[0].letter_date if letters else clock.today()
    pages = _pages_per_bookmark(pdf) if pdf is not None else {}
    manifest = io.StringIO()
    rows = csv.writer(manifest, lineterminator="\r\n")
    rows.writerow(["number", "file", "letter_id", "template", "template_ref", "letter_date",
                   "sha256", "pdf_pages"])
    # Entries carry the (frozen) clock's time, so the zip does not depend on the machine's.
    stamp = clock.now().astimezone(clock.LONDON).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, data: bytes) -> None:
            archive.writestr(zipfile.ZipInfo(name, stamp), data, zipfile.ZIP_DEFLATED)

        if pdf is not None:
            add(f"print-batch-{day.isoformat()}.pdf", pdf)
        for n, (letter, stem) in enumerate(zip(letters, _stems(letters), strict=True), start=1):
            add(f"{stem}.docx", _document(letter))
            rows.writerow([n, f"{stem}.docx", letter.id, letter.template, letter.template_ref,
                           letter.letter_date.isoformat(), letter.sha256, pages.get(stem, "")])
        add("manifest.csv", manifest.getvalue().encode())
        if note:
            add("NOTE.txt", f"The PDF could not be made: {note}\r\nPrint the .docx files "
                            "instead.\r\n".encode())
    return buffer.getvalue()


def _stems(letters: Sequence[Letter]) -> list[str]:
    width = max(2, len(str(len(letters))))
    return [f"{n:0{width}d}-{_safe(letter.template_ref or letter.template)}-{letter.id}"
            for n, letter in enumerate(letters, start=1)]


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-") or "letter"


def _run_soffice(work: Path, sources: list[Path]) -> None:
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        raise PdfConversionError("LibreOffice (soffice) is not installed: install the Debian "
                                 "package libreoffice-writer-nogui (make system-deps)")
    # A profile of its own: runs in parallel (or beside someone's open LibreOffice) would
    # otherwise hand the job to the first instance, or fail on its lock.
    command = [binary, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
               "--norestore", "--convert-to", "pdf", "--outdir", str(work / "out"),
               *map(str, sources)]
    with open(work / "soffice.log", "wb") as output:
        # A session of its own, so a timeout kills soffice.bin too, not only the wrapper script.
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True, cwd=work)
        try:
            returncode = process.wait(timeout=SOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise PdfConversionError(f"LibreOffice took longer than {SOFFICE_TIMEOUT} s to "
                                     f"convert {len(sources)} documents") from None
    if returncode != 0:
        tail = (work / "soffice.log").read_text(errors="replace").strip()[-300:]
        raise PdfConversionError(f"LibreOffice failed (exit {returncode}): {tail}")


def _pages_per_bookmark(pdf: bytes) -> dict[str, int]:
    """Pages of each document in a PDF from pdf_of_documents, by bookmark title."""
    reader = PdfReader(io.BytesIO(pdf))
    starts: list[tuple[int, str]] = []
    for item in reader.outline:
        if isinstance(item, list):
            continue
        start, title = reader.get_destination_page_number(item), item.title
        # pypdf allows a bookmark with no title or page; pdf_of_documents makes none.
        assert start is not None and title is not None
        starts.append((start, title))
    starts.sort()
    ends = [start for start, _ in starts[1:]] + [len(reader.pages)]
    return {title: end - start for (start, title), end in zip(starts, ends, strict=True)}


def _document(letter: Letter) -> bytes:
    assert letter.content is not None  # letters_for takes only letters already made
    return letter.content
