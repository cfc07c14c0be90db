"""Reading a GPX or TCX both ways: plain runs taken from the bytes, and the element handlers
alone. Both must read the same activities (facts and samples) or fail with the same error."""

from __future__ import annotations

import re
from contextlib import contextmanager
from types import ModuleType

from strideload.errors import StrideloadError
from strideload.ingest.safexml import XmlLimits

NEVER = re.compile(rb"(?!)")


@contextmanager
def handlers_only(reader: ModuleType):
    """Read with the element handlers alone: no plain run is ever found."""
    opening, reader._PLAIN_OPENING = reader._PLAIN_OPENING, NEVER
    try:
        yield
    finally:
        reader._PLAIN_OPENING = opening


@contextmanager
def counting(reader: ModuleType, taken: list[int]):
    """Count the points (trackpoints) read from the bytes."""
    row = reader._PLAIN_ROW

    def counted(match):
        taken.append(1)
        return row(match)

    reader._PLAIN_ROW = counted
    try:
        yield
    finally:
        reader._PLAIN_ROW = row


def outcome(read, data: bytes, limits: XmlLimits | None = None):
    """What reading gives: each activity's facts and samples, or the error."""
    try:
        return [(a.sport, a.name, a.device, a.start_time, a.totals, a.samples)
                for a in read(data, "t", limits=limits)]
    except StrideloadError as exc:
        return type(exc), str(exc)


def read_both(reader: ModuleType, read, data: bytes, limits: XmlLimits | None = None) -> tuple[object, int]:
    """Read ``data`` both ways and assert they agree; the outcome, and how many points were plain."""
    taken: list[int] = []
    with counting(reader, taken):
        plain = outcome(read, data, limits)
    with handlers_only(reader):
        handled = outcome(read, data, limits)
    if isinstance(plain, list) and isinstance(handled, list):
        assert [a[:5] for a in plain] == [a[:5] for a in handled]
        for ours, theirs in zip(plain, handled):
            assert ours[5].equals(theirs[5])
    else:
        assert plain == handled
    return plain, len(taken)


def broken(data: bytes, first: int, last: int, edits: list[tuple[float, str, bytes]]) -> bytes:
    """``data`` with each edit applied between byte ``first`` and ``last``: ``(where, how, what)``
    puts, inserts or deletes ``what`` at the fraction ``where`` of that span."""
    out = bytearray(data)
    for where, how, what in edits:
        at = first + int(where * (last - first - 1))
        if how == "put":
            out[at:at + len(what)] = what
        elif how == "insert":
            out[at:at] = what
        else:
            del out[at:at + len(what)]
    return bytes(out)
