"""Print-batch conversion benchmark: N letters through one LibreOffice run and the pypdf merge.

Uses the shipped letter templates as they are (unrendered; a rendered letter is the same size),
cycling through them, and prints the wall time and pages for each batch size.

Usage: python bench/print_batch.py [sizes...]     (default 2 20)
"""
from __future__ import annotations

import io
import sys
import time
from itertools import cycle, islice
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pypdf import PdfReader  # noqa: E402

from app.services.correspondence.print_batch import pdf_of_documents
from bench.raw_engine import against_goal, raw_cycle_ms  # noqa: E402

# Each letter through LibreOffice and the merge: the request's 120 s limit then holds about 240.
GOAL_MS_A_LETTER = 500


def main(sizes: list[int]) -> None:
    raw_ms = raw_cycle_ms()
    templates = [p.read_bytes() for p in sorted((REPO / "letter_templates").glob("*.docx"))]
    for size in sizes:
        documents = list(islice(cycle(templates), size))
        started = time.monotonic()
        pdf = pdf_of_documents(documents)
        seconds = time.monotonic() - started
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(f"{size:4d} letters  {pages:4d} pages  {seconds:6.1f} s  "
              f"{len(pdf) / 1024:7.0f} KiB")
        print(against_goal(f"{size} letters, a letter", 1000 * seconds / size, GOAL_MS_A_LETTER,
                           raw_ms))


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [2, 20])
