"""The one letter renderer: docxtpl with escaping on and every placeholder accounted for.

``render_letter`` refuses to produce a letter with a gap in it: required fields must be present
and non-empty, every placeholder in the template must have a value in the context, and Jinja runs
with ``StrictUndefined`` so nothing slips through at render time either. Autoescaping is on:
without it "Smith & Sons" writes a bare "&" into the XML and Word cannot open the file.

Speed (issue 16): what does not change for a template file is worked out once per process and
kept: its bytes, its two placeholder scans (keyed by path, modification time and size, so a
rebuilt file is read again), docxtpl's clean-up of each part's XML, the compiled Jinja template
of each part, and the deflated bytes of the large parts no render changes. Every render still
builds a fresh ``DocxTemplate``, because docxtpl rewrites its document in place and one object
cannot be rendered twice. The .docx written is the one ``Document.save`` writes, byte for byte
but for the zip's timestamps (tests/unit/test_render_cache.py).
"""

from __future__ import annotations

import struct
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Hashable, Mapping, MutableMapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.packuri import PackURI
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, Template, TemplateError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from app.letters.catalogue import COMMON_REQUIRED, TEMPLATES, TemplateInfo, template_info
from app.letters.context import MISSING, build_context, lookup
from app.letters.errors import LetterError
from app.letters.formatting import format_date, format_money

__all__ = [
    "TEMPLATES",
    "TEMPLATES_DIR",
    "LetterError",
    "TemplateInfo",
    "build_context",
    "format_date",
    "format_money",
    "render_letter",
    "template_variables",
]

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "letter_templates"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_letter(
    template: str, context: Mapping[str, Any], *, templates_dir: Path | None = None
) -> bytes:
    """Render ``template`` with ``context`` (from ``build_context``) to .docx bytes.

    Raises LetterError naming any required field that is missing or empty, and any placeholder
    the template uses that the context does not supply.
    """
    info = template_info(template)
    empty = [path for path in (*COMMON_REQUIRED, *info.required) if _is_empty(context, path)]
    if empty:
        raise LetterError(f"{template}: required fields missing or empty: {', '.join(empty)}")
    source = _open(info, templates_dir)
    absent = set(source.undeclared()) - set(context)
    absent |= {path for path in source.placeholders() if lookup(context, path) is MISSING}
    if absent:
        names = ", ".join(_outermost(absent))
        raise LetterError(f"{template}: placeholders with no value in the context: {names}")
    doc = source.fresh()
    try:
        doc.render(dict(context), jinja_env=_ENV, autoescape=True)
    except TemplateError as exc:
        raise LetterError(f"{template}: cannot render: {exc}") from exc
    return _docx_bytes(doc.docx)


def clear_caches() -> None:
    """Forget every template read and everything worked out from one (for tests)."""
    with _FILES_LOCK:
        _FILES.clear()
    for memo in (_PATCHED, _COMPILED, _DEFLATED):
        memo.clear()


def template_variables(template: str, *, templates_dir: Path | None = None) -> set[str]:
    """Every context path the template reads, dotted ("council.name", "dp.amount", "reason")."""
    return set(_open(template_info(template), templates_dir).placeholders())


class _Memo:
    """A bounded map, shared by the threads of a process, from some content to what is made of
    it (a part's patched XML, its compiled template, its deflated bytes)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def get(self, key: Any, make: Callable[[Any], Any]) -> Any:
        with self._lock:
            if key in self._items:
                return self._items[key]
        value = make(key)  # outside the lock: two threads may both make it, and agree
        with self._lock:
            if len(self._items) >= self._size:  # past what the catalogue needs: drop the oldest
                del self._items[next(iter(self._items))]
            self._items[key] = value
        return value


# Each template has a body, a header and a footer (and core properties docxtpl also renders):
# room for every catalogue template several times over.
_PATCHED = _Memo(512)
_COMPILED = _Memo(512)
# styles.xml and stylesWithEffects.xml, ~800 KB between them and the same in every template:
# deflating them was a third of a render. Keyed by content, so only an identical member is reused.
_DEFLATED = _Memo(16)
_REUSE_FROM = 64 * 1024  # smaller members (the rendered ones among them) deflate in no time


class _Environment(SandboxedEnvironment):
    # Sandboxed because templates are documents people edit, not code we review line by line.
    # docxtpl compiles every part of every letter with from_string; the same source always
    # compiles to the same template, and a Jinja template may be rendered by many threads.

    def from_string(
        self,
        source: str | nodes.Template,
        globals: MutableMapping[str, Any] | None = None,
        template_class: type[Template] | None = None,
    ) -> Template:
        if not isinstance(source, str) or globals or template_class:
            return super().from_string(source, globals, template_class)
        compiled: Template = _COMPILED.get(source, super().from_string)
        return compiled


_ENV = _Environment(undefined=StrictUndefined, autoescape=True)


class _Template(DocxTemplate):
    # patch_xml is a pure function of its text (regular expressions that turn Word's runs into
    # plain Jinja); it costs more than the render itself, so each part is patched once.

    def patch_xml(self, src_xml: str) -> str:
        patched: str = _PATCHED.get(src_xml, super().patch_xml)
        return patched


@dataclass
class _TemplateFile:
    """A template file as read once: its bytes and, worked out on first use, its two scans."""

    path: Path
    stamp: tuple[int, int]  # modification time (ns) and size when read
    data: bytes
    _undeclared: frozenset[str] | None = None
    _placeholders: frozenset[str] | None = None

    def fresh(self) -> DocxTemplate:
        """A new DocxTemplate on the bytes in memory."""
        return _Template(BytesIO(self.data))

    def undeclared(self) -> frozenset[str]:
        """The names docxtpl reads as undeclared: the context's top-level keys the file uses."""
        if self._undeclared is None:
            self._undeclared = frozenset(
                self.fresh().get_undeclared_template_variables(jinja_env=_ENV)
            )
        return self._undeclared

    def placeholders(self) -> frozenset[str]:
        """Every dotted path the file reads (see ``_placeholders``)."""
        if self._placeholders is None:
            self._placeholders = frozenset(_placeholders(self.fresh(), self.path))
        return self._placeholders


_FILES: dict[Path, _TemplateFile] = {}
_FILES_LOCK = threading.Lock()


def _open(info: TemplateInfo, templates_dir: Path | None) -> _TemplateFile:
    path = Path(templates_dir or TEMPLATES_DIR) / f"{info.name}.docx"
    if not path.is_file():
        raise LetterError(f"{info.name}: template file {path} not found")
    status = path.stat()
    stamp = (status.st_mtime_ns, status.st_size)
    with _FILES_LOCK:
        known = _FILES.get(path)
    if known is not None and known.stamp == stamp:
        return known
    # Stamp first, then read: a file rewritten in between is kept under the old stamp, so the
    # next call sees a new stamp and reads it again; never new bytes under an old stamp.
    read = _TemplateFile(path, stamp, path.read_bytes())
    with _FILES_LOCK:
        _FILES[path] = read
    return read


class _Members:
    """Collects what python-docx writes into a package, in its order, as (name, bytes)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []

    def write(self, pack_uri: PackURI, blob: bytes | str) -> None:
        # zipfile.writestr stores a str as UTF-8; python-docx hands it the .rels as str.
        self.items.append((pack_uri.membername, blob.encode() if isinstance(blob, str) else blob))


def _docx_bytes(document: Any) -> bytes:
    """What ``document.save`` writes, with the large unchanged members deflated only once."""
    package = document.part.package
    members = _Members()
    # OpcPackage.save and PackageWriter.write step by step, all but the zip file they open,
    # which would deflate every member again.
    for part in package.parts:
        part.before_marshal()
    PackageWriter._write_content_types_stream(members, package.parts)
    PackageWriter._write_pkg_rels(members, package.rels)
    PackageWriter._write_parts(members, package.parts)  # type: ignore[arg-type]  # write() is all
    if sum(len(blob) for _, blob in members.items) >= 1 << 31:  # never a letter: no Zip64 here
        out = BytesIO()
        document.save(out)
        return out.getvalue()
    return _zip(members.items)


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    """The bytes zipfile writes for ``members`` with ZIP_DEFLATED at its default level."""
    now = time.localtime(time.time())
    dos_date = (now.tm_year - 1980) << 9 | now.tm_mon << 5 | now.tm_mday
    dos_time = now.tm_hour << 11 | now.tm_min << 5 | now.tm_sec // 2
    out, directory = BytesIO(), BytesIO()
    for name, blob in members:
        crc, data = _deflated(blob)
        encoded, flags = name.encode(), 0 if name.isascii() else 0x800  # 0x800: UTF-8 name
        common = (flags, zipfile.ZIP_DEFLATED, dos_time, dos_date, crc, len(data), len(blob),
                  len(encoded))
        # made by 2.0 on Unix, needs 2.0; no extra field or comment; mode 0600, as writestr does
        directory.write(struct.pack("<4s2H4H3L5H2L", b"PK\x01\x02", 0x0314, 20, *common,
                                    0, 0, 0, 0, 0o600 << 16, out.tell()))
        directory.write(encoded)
        out.write(struct.pack("<4sH4H3L2H", b"PK\x03\x04", 20, *common, 0))
        out.write(encoded)
        out.write(data)
    start = out.tell()
    out.write(directory.getvalue())
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members),
                          len(directory.getvalue()), start, 0))
    return out.getvalue()


def _deflated(blob: bytes) -> tuple[int, bytes]:
    if len(blob) < _REUSE_FROM:
        return _deflate(blob)
    deflated: tuple[int, bytes] = _DEFLATED.get(blob, _deflate)
    return deflated


def _deflate(blob: bytes) -> tuple[int, bytes]:
    # The compressor zipfile uses for ZIP_DEFLATED, so the bytes match Document.save's.
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return zlib.crc32(blob), compressor.compress(blob) + compressor.flush()


def _placeholders(doc: DocxTemplate, path: Path) -> set[str]:
    try:
        ast = _ENV.parse(_template_source(doc))
    except TemplateError as exc:
        raise LetterError(f"template {path}: {exc}") from exc
    roots = meta.find_undeclared_variables(ast)  # loop variables are not roots
    paths = set(roots)
    for node in ast.find_all(nodes.Getattr):
        dotted = _dotted(node)
        if dotted and dotted.split(".")[0] in roots:
            paths.add(dotted)
    return paths


def _template_source(doc: DocxTemplate) -> str:
    # The same source docxtpl renders: body, headers and footers, each through patch_xml (which
    # turns {%p %} tags into plain Jinja); the way get_undeclared_template_variables reads it.
    document = Document(doc.template_file)
    source = doc.patch_xml(doc.xml_to_string(document.element.body))
    for rel in document.part.rels.values():
        if rel.reltype in (doc.HEADER_URI, doc.FOOTER_URI) and rel.target_part.blob:
            source += doc.patch_xml(doc.xml_to_string(parse_xml(rel.target_part.blob)))
    return source


def _dotted(node: nodes.Node) -> str | None:
    parts: list[str] = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if not isinstance(node, nodes.Name):
        return None
    return ".".join([node.name, *reversed(parts)])


def _outermost(paths: set[str]) -> list[str]:
    # "dp" missing makes "dp.amount" missing too; name only the shortest.
    return sorted(
        path
        for path in paths
        if not any(path.startswith(f"{other}.") for other in paths if other != path)
    )


def _is_empty(context: Mapping[str, Any], path: str) -> bool:
    value = lookup(context, path)
    if value is MISSING or value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | dict) and not value
