"""XML parsed safely: DTDs and entity declarations are refused (billion laughs, external entities)."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

import defusedxml
import defusedxml.ElementTree as SafeET

from ..errors import CorruptFileError, UnknownFormatError


def local_name(tag: Any) -> str:
    """Element tag without its ``{namespace}`` ('' for comments and processing instructions)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_xml(data: bytes, path: str, root: str, what: str) -> Element:
    """Parse ``data``; its root element must be ``root`` (case-insensitive) or it is not ``what``.

    Hostile or broken XML raises :class:`CorruptFileError` (line number as ``offset``), with
    the parser's error as ``__cause__``.
    """
    try:
        element = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise CorruptFileError(f"refused XML with a DTD or entity declaration ({exc})", path=path) from exc
    except SafeET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise CorruptFileError(f"not well-formed XML: {exc}", path=path, offset=line) from exc
    if local_name(element.tag).lower() != root.lower():
        raise UnknownFormatError(f"not a {what} document (root element <{local_name(element.tag) or '?'}>)",
                                 path=path)
    return element
