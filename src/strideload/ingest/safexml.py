"""XML read safely and in one streaming pass: the guards every GPX/TCX byte passes.

* **No DTDs, no entities.** The expat parser gets the handlers
  :class:`defusedxml.ElementTree.DefusedXMLParser` installs (``forbid_dtd=True``): a
  ``<!DOCTYPE``, an entity declaration or an external reference raises defusedxml's own
  exception, which becomes a :class:`~strideload.errors.CorruptFileError` (billion laughs,
  XXE). Parameter entities are never parsed.
* **Budgets** (:class:`XmlLimits`, settings ``max_xml_bytes`` and ``max_xml_depth``): a
  document larger than the byte budget is refused before parsing; one nested deeper than
  the depth budget is refused at the first element past it. Expat itself keeps its element
  stack on the heap, and no tree is ever built, so nothing recursive (gpxpy's deep copy,
  ElementTree) is handed a structure that can blow its stack.
* **Streaming, one pass.** Bytes or a binary file are fed to expat in 64 KB chunks; the
  reader's start handler sees one element at a time and keeps only the values it wants
  (:class:`SafeParser` says how ends and text reach it), so memory grows with the samples
  kept, not with the document.
* **Plain runs.** A reader may take runs of elements written in one plain, common form (GPX
  track points, TCX trackpoints) straight from the bytes with one compiled pattern
  (:class:`Runs`), which is then the parser of those bytes: it admits only well-formed
  elements of printable ASCII, with no ``<!``, ``<?`` or ``&`` (so no DTD, entity or
  reference can be in a run) and a nesting the depth budget allows; anything else is left to
  expat. A run is taken only where expat has just reported its first element's start (not in
  a comment, a CDATA section or the wrong element), and only in encodings that read printable
  ASCII as ASCII. Expat then goes on from the state, line and column the run leaves, so a
  broken byte after it fails as it would have; each reader's tests break bytes inside runs
  and check the two ways still agree.
* **What real files hold before and after the root.** Whitespace, blank lines, NULs or a
  byte-order mark before ``<?xml …?>`` (Polar V800 TCX) are skipped (line numbers in errors
  still count them); bytes after the root element closes (padding of a cut-off sync) are
  ignored. UTF-16 documents are read.
* **Namespaces by local name.** Elements are matched by their local name, so a prefix the
  file uses but never declares (Strava's ``gpxdata:``) is read like a declared one: expat
  runs without namespace processing, and the prefix is simply dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn, Union
from xml.parsers import expat

from defusedxml.common import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from ..config import SETTINGS
from ..errors import CorruptFileError, UnknownFormatError

if TYPE_CHECKING:
    from ..config import Config

#: What a reader accepts: the document's bytes, or a binary file positioned at its start.
Source = Union[bytes, bytearray, memoryview, BinaryIO]

#: Bytes fed to expat at a time (also the most a file source is read ahead).
CHUNK = 1 << 16

#: Candidates for a run in a row that a reader leaves to the handlers before it stops looking.
MISSES = 64

#: Bytes skipped before the first ``<``: byte-order marks of UTF-8, whitespace, NUL padding.
_LEADING = b" \t\r\n\x00"
_UTF8_BOM = b"\xef\xbb\xbf"
_XML_DECL = re.compile(rb"^<\?xml[^>]*\?>")
_ENCODING = re.compile(rb"<\?xml[^>]*?\sencoding\s*=\s*[\"']([^\"']*)[\"']")
#: What a reader may match in the bytes of a run (see :func:`_ascii_compatible`).
_ASCII = bytes([9, 10, 13, *range(0x20, 0x7F)])
#: ``<`` and the next character in UTF-16 without a byte-order mark (little or big endian).
_UTF16_START = re.compile(rb"<\x00[^\x00]\x00|\x00<\x00[^\x00]")
_JUNK_AFTER_ROOT = expat.errors.codes[expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]


@dataclass(frozen=True)
class XmlLimits:
    """Budgets for one XML document: ``max_bytes`` (bytes) and ``max_depth`` (nested elements)."""

    max_bytes: int = SETTINGS["max_xml_bytes"].default
    max_depth: int = SETTINGS["max_xml_depth"].default

    @classmethod
    def from_config(cls, config: Config | None) -> XmlLimits:
        if config is None:
            return cls()
        return cls(max_bytes=config.get("max_xml_bytes"), max_depth=config.get("max_xml_depth"))


@dataclass(frozen=True)
class Runs:
    """How a reader takes runs of plain, common elements straight from the bytes (see :meth:`SafeParser.run`).

    ``opening`` finds where such an element may start (``<trkpt``). ``tag_end(data, at)`` is the
    index just past the start tag of the element at ``at`` when the element there has the plain
    form the reader can read from bytes, else -1. Once expat has parsed up to that index,
    ``take(data, at, index)`` either returns -1 (leave the element to the handlers) or reads a
    run of whole elements starting at ``at`` and returns where the run ends. ``index`` is ``at``
    counted in the bytes fed to expat (what ``CurrentByteIndex`` said at the element's start);
    the reader, which saw that start, decides whether the element really starts there, in a
    place where it reads it. ``closing`` is the end tag of the run's first element.

    Expat does not parse a run: it is given ``closing`` and the run's line breaks instead. So
    the reader's pattern must admit only what expat would parse without error and without
    anything the guards refuse: well-formed elements (end tags the same bytes as their start
    tags) of printable ASCII and whitespace, no ``<!`` or ``<?``, no ``&`` (no references),
    no ``]]>``, nesting within the depth budget (``take`` checks it).
    """

    opening: re.Pattern[bytes]
    closing: bytes
    tag_end: Callable[[bytes, int], int]
    take: Callable[[bytes, int, int], int]


def local_name(tag: Any) -> str:
    """Element name without its ``{namespace}`` or ``prefix:`` ('' for anything not a str)."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] if isinstance(tag, str) else ""


def attributes(flat: list[str]) -> dict[str, str]:
    """The ``[name, value, name, value ...]`` list expat hands a start handler, as a dict."""
    return dict(zip(flat[::2], flat[1::2]))


class SafeParser:
    """An expat parser behind the guards; a reader gives it one ``start(name, attrs)`` handler.

    Expat calls back into Python at element starts only: element ends are appended to
    :attr:`ends` and text (while the reader turns it on, see :meth:`collect`) to a list, both
    by C-level ``list.append``. That halves the Python calls per element, which is most of
    the cost of reading a GPX or TCX file. The reader keeps the depth as "elements started
    minus ``len(ends)``" (it may empty ``ends`` after folding it into its count), closes
    whatever it had open deeper than the element that starts, and finishes what is still
    open after :meth:`run` returns. It calls :meth:`too_deep` past ``max_depth`` and
    :meth:`check_root` on the first element. Names arrive as written (``gpxtpx:hr``):
    :func:`local_name` drops the prefix.
    """

    def __init__(self, path: str, *, root: str, what: str, limits: XmlLimits):
        self.path, self.root, self.what, self.limits = path, root, what, limits
        self.max_depth = limits.max_depth
        self.expat = expat.ParserCreate()  # no namespace processing: undeclared prefixes cannot fail
        _defuse(self.expat)
        self.expat.buffer_text = True
        self.expat.buffer_size = CHUNK
        self.expat.ordered_attributes = True  # a flat list is cheaper than a dict per element
        self.ends: list[str] = []
        self.text: list[str] = []
        self._skipped_lines = 0
        self._runs: Runs | None = None
        self._misses = 0

    def collect(self, on: bool) -> None:
        """Start (after emptying :attr:`text`) or stop collecting character data into :attr:`text`."""
        if on:
            self.text.clear()
            self.expat.CharacterDataHandler = self.text.append
        else:
            self.expat.CharacterDataHandler = None

    def line(self) -> int:
        """Line of the document the parser is at (counting lines skipped before the root)."""
        return self.expat.CurrentLineNumber + self._skipped_lines

    def check_root(self, name: str) -> None:
        """The first element must be the reader's root, else the document is not ``what``."""
        if local_name(name).lower() != self.root.lower():
            raise UnknownFormatError(f"not a {self.what} document (root element <{local_name(name)}>)",
                                     path=self.path)

    def too_deep(self) -> NoReturn:
        line = self.line()
        raise CorruptFileError(
            f"XML nested deeper than {self.max_depth} elements at line {line} (setting max_xml_depth): "
            "refused as hostile or broken", path=self.path, offset=line)

    def run(self, source: Source, start: Callable[[str, list[str]], None], depth: Callable[[], int],
            runs: Runs | None = None) -> None:
        """Feed ``source`` through expat, calling ``start(name, attrs)`` at every element start
        (``attrs``: name, value, name, value ...; :func:`attributes` makes a dict of it).
        ``depth()`` is the reader's count of open elements: bytes that fail to parse once the
        root has closed (NUL padding, junk) are not part of the document and are ignored.

        With ``runs`` (see :class:`Runs`), the reader takes runs of plain elements from the
        bytes itself, in documents whose encoding reads printable ASCII as ASCII. Only a start
        that expat reports at a run's first byte lets a run be taken, so the same bytes in a
        comment, a CDATA section or the wrong element are read as before. Expat is then given,
        with its element and text handlers off, the end tag that closes the run's first element
        and the run's line breaks, then the indentation of its last line: what follows is parsed
        in the state, and at the line and column, the run would have left. (A run without a line
        break shortens its line: the columns an error reports there are counted back up.) The
        reader counts the run's first element as closed.

        Raises:
            CorruptFileError: not well-formed (``offset`` = line), DTD or entities, over a budget,
                an encoding Python does not know.
            UnknownFormatError: from :meth:`check_root`.
        """
        parser = self.expat
        head, rest, self._skipped_lines = _prepare(source, self.path, self.limits)
        parser.StartElementHandler = start
        parser.EndElementHandler = self.ends.append
        self._runs = runs if runs is not None and _ascii_compatible(head) else None
        self._misses = self._removed = 0
        self._short_line, self._short_by = 0, 0  # a line shortened by runs, by how many bytes
        try:
            fed = 0  # bytes fed to expat before the chunk
            for chunk in _chunks(head, rest, self.path, self.limits):
                if self._runs is None:
                    parser.Parse(chunk, False)
                else:
                    self._parse_runs(bytes(chunk), fed, self._runs)
                fed += len(chunk)
            parser.Parse(b"", True)
        except DefusedXmlException as exc:
            raise CorruptFileError(f"refused XML with a DTD or entity declaration ({exc})",
                                   path=self.path) from exc
        except LookupError as exc:  # expat asks Python's codecs for an encoding they do not know
            raise CorruptFileError(f"the XML declares a text encoding that is not known: {exc}",
                                   path=self.path) from exc
        except expat.ExpatError as exc:
            if exc.code == _JUNK_AFTER_ROOT or (self.ends and depth() == 0):
                return  # the root element has closed: what follows is not part of the document
            line = (exc.lineno or 0) + self._skipped_lines or None
            column = exc.offset + (self._short_by if exc.lineno == self._short_line else 0)
            message = expat.errors.messages.get(exc.code, str(exc))
            raise CorruptFileError(f"not well-formed XML: {message}: line {line}, column {column}",
                                   path=self.path, offset=line) from exc
        finally:  # the handler closes over the reader: let both go
            parser.StartElementHandler = parser.EndElementHandler = parser.CharacterDataHandler = None

    def _parse_runs(self, data: bytes, fed: int, runs: Runs) -> None:
        """Parse one chunk, ``fed`` bytes into the document, letting the reader take runs from it.

        After :data:`MISSES` candidates in a row that the reader did not take, the document is
        taken not to be written plainly, and the rest goes to the handlers without looking.
        """
        parser, handlers = self.expat, ("StartElementHandler", "EndElementHandler", "CharacterDataHandler")
        done = search = 0  # data parsed so far; where the next run may start
        while self._misses < MISSES and (found := runs.opening.search(data, search)) is not None:
            at = found.start()
            tag_end = runs.tag_end(data, at)
            search = max(tag_end, found.end())
            end = -1
            if tag_end >= 0:
                parser.Parse(data[done:tag_end], False)  # up to the end of the first start tag
                done = tag_end
                end = runs.take(data, at, fed + at - self._removed)
            if end < 0:
                self._misses += 1
                continue
            self._misses = 0
            stand_in = _stand_in(data, done, end, runs.closing)
            saved = [getattr(parser, name) for name in handlers]
            for name in handlers:
                setattr(parser, name, None)
            try:
                parser.Parse(stand_in, False)
            finally:
                for name, handler in zip(handlers, saved):
                    setattr(parser, name, handler)
            shorter = end - done - len(stand_in)
            self._removed += shorter
            if stand_in == runs.closing:  # no line break: the line goes on, shorter
                line = parser.CurrentLineNumber
                self._short_by = shorter + (self._short_by if line == self._short_line else 0)
                self._short_line = line
            done = search = end
        if self._misses >= MISSES:
            self._runs = None
        parser.Parse(data[done:], False)


def _stand_in(data: bytes, start: int, end: int, closing: bytes) -> bytes:
    """What expat parses instead of ``data[start:end]``: ``closing``, then as many line breaks
    as expat counts there (CR LF, CR and LF each one) and the indentation of the last line."""
    lines = data.count(b"\n", start, end) + data.count(b"\r", start, end) - data.count(b"\r\n", start, end)
    if not lines:
        return closing
    last = max(data.rfind(b"\n", start, end), data.rfind(b"\r", start, end))
    return closing + b"\n" * lines + b" " * (end - last - 1)


def _ascii_compatible(head: bytes) -> bool:
    """Whether the document's encoding (its XML declaration's, else UTF-8) reads printable ASCII
    bytes, tab, CR and LF as those characters: then bytes a reader matches are the text expat reads."""
    declared = _ENCODING.match(head)
    if declared is None:
        return True
    try:
        return _ASCII.decode(declared.group(1).decode("ascii")) == _ASCII.decode("ascii")
    except (LookupError, UnicodeDecodeError, ValueError):
        return False


def _defuse(parser: Any) -> None:
    """The handlers of ``DefusedXMLParser(forbid_dtd=True)``, raising defusedxml's exceptions."""

    def doctype(name: str, sysid: str | None, pubid: str | None, internal: bool) -> None:
        raise DTDForbidden(name, sysid, pubid)

    def entity(name: str, is_parameter: bool, value: str | None, base: str | None, sysid: str | None,
               pubid: str | None, notation: str | None) -> None:
        raise EntitiesForbidden(name, value, base, sysid, pubid, notation)

    def unparsed(name: str, base: str | None, sysid: str | None, pubid: str | None,
                 notation: str | None) -> None:
        raise EntitiesForbidden(name, None, base, sysid, pubid, notation)

    def external(context: str, base: str | None, sysid: str | None, pubid: str | None) -> None:
        raise ExternalReferenceForbidden(context, base, sysid, pubid)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = unparsed
    parser.ExternalEntityRefHandler = external
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)


def _size(source: Source) -> int | None:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return memoryview(source).nbytes
    try:
        position = source.tell()
        end = source.seek(0, 2)
        source.seek(position)
        return end - position
    except (AttributeError, OSError, ValueError):
        return None  # a pipe: the budget is checked as the bytes arrive


def _prepare(source: Source, path: str, limits: XmlLimits) -> tuple[bytes, Source | None, int]:
    """The first bytes to feed (leading junk removed), the rest of the source, lines skipped.

    A UTF-16 document (byte-order mark, or NULs between ASCII) is decoded whole, within the
    byte budget, and fed as UTF-8 without its declaration.
    """
    size = _size(source)
    if size is not None and size > limits.max_bytes:
        raise CorruptFileError(
            f"XML document of {size:,} bytes is over the {limits.max_bytes:,}-byte budget "
            "(setting max_xml_bytes)", path=path)
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source).cast("B")
        head, rest = bytes(view[:CHUNK]), view[CHUNK:]
    else:
        head, rest = source.read(CHUNK) or b"", source
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or _UTF16_START.match(head):
        return _utf16(head, rest, path, limits), None, 0
    start = 3 if head.startswith(_UTF8_BOM) else 0
    while start < len(head) and head[start] in _LEADING:
        start += 1
    lines = head.count(b"\n", 0, start)
    return head[start:], rest, lines


def _utf16(head: bytes, rest: Source, path: str, limits: XmlLimits) -> bytes:
    data = head + (bytes(rest) if isinstance(rest, memoryview) else _read_all(rest, path, limits, len(head)))
    codec = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else \
        ("utf-16-le" if data[:1] == b"<" else "utf-16-be")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise CorruptFileError(f"not valid UTF-16 text at byte {exc.start}", path=path, offset=exc.start) from exc
    text = text.lstrip("\ufeff \t\r\n\x00")
    return _XML_DECL.sub(b"", text.encode("utf-8"), count=1)


def _read_all(stream: BinaryIO, path: str, limits: XmlLimits, already: int) -> bytes:
    parts, total = [], already
    while chunk := stream.read(CHUNK):
        total += len(chunk)
        if total > limits.max_bytes:
            raise CorruptFileError(f"XML document is over the {limits.max_bytes:,}-byte budget "
                                   "(setting max_xml_bytes)", path=path)
        parts.append(chunk)
    return b"".join(parts)


def _chunks(head: bytes, rest: Source | None, path: str, limits: XmlLimits) -> Iterator[bytes]:
    """``head``, then the rest of the source in :data:`CHUNK` pieces, within the byte budget."""
    if len(head) > limits.max_bytes:
        raise CorruptFileError(f"XML document is over the {limits.max_bytes:,}-byte budget "
                               "(setting max_xml_bytes)", path=path)
    yield head
    if rest is None:
        return
    if isinstance(rest, memoryview):
        for offset in range(0, len(rest), CHUNK):
            yield rest[offset:offset + CHUNK]
        return
    total = len(head)
    while chunk := rest.read(CHUNK):
        total += len(chunk)
        if total > limits.max_bytes:  # a source whose size was not known up front
            raise CorruptFileError(f"XML document is over the {limits.max_bytes:,}-byte budget "
                                   "(setting max_xml_bytes)", path=path)
        yield chunk
