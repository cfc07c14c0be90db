"""Recognise a file's format from its bytes, never from its name."""

from __future__ import annotations

import re

from ..errors import UnknownFormatError

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]")
FORMATS = ("fit", "gpx", "tcx", "gzip", "zip")


def _xml_root(head: bytes) -> bytes | None:
    """Name of the first element in an XML prefix (skipping the prolog, comments, DOCTYPE).

    Whitespace, blank lines, NULs and byte-order marks before ``<?xml`` are skipped (a Polar
    V800 TCX starts with whitespace); a UTF-16 prefix is decoded first.
    """
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or re.match(rb"<\x00[^\x00]\x00|\x00<\x00[^\x00]", head):
        codec = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else \
            ("utf-16-le" if head[:1] == b"<" else "utf-16-be")
        head = head[:len(head) // 2 * 2].decode(codec, errors="replace").encode("utf-8", errors="replace")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n\x00")
    if not text.startswith(b"<"):
        return None
    text = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", b"", text, flags=re.S)
    match = _XML_ROOT.search(text)
    return match.group(1) if match else None


def sniff(data: bytes, path: str = "") -> str:
    """Return ``fit``, ``gpx``, ``tcx``, ``gzip`` or ``zip`` for ``data``.

    FIT files carry ``.FIT`` at byte 8; GPX and TCX differ by their XML root element.
    Raises :class:`UnknownFormatError` naming the formats that were tried.
    """
    if len(data) >= 12 and data[8:12] == b".FIT" and data[0] in (12, 14):
        return "fit"
    if data[:2] == GZIP_MAGIC:
        return "gzip"
    if data[:4] in (ZIP_MAGIC, EMPTY_ZIP_MAGIC):
        return "zip"
    root = _xml_root(data[:4096])
    if root is not None:
        if root.lower() == b"gpx":
            return "gpx"
        if root == b"TrainingCenterDatabase":
            return "tcx"
        raise UnknownFormatError(f"XML with root <{root.decode(errors='replace')}> is neither GPX nor TCX",
                                 path=path)
    if not data:
        raise UnknownFormatError("empty file", path=path)
    raise UnknownFormatError("not a FIT, GPX, TCX, gzip or zip file (checked the content, not the name)",
                             path=path)
