"""The FIT message stream, as the fast path walks it: file headers, definitions and runs.

A FIT file is a 12- or 14-byte header, then definition and data messages, then a CRC;
several files may be chained in one byte stream (:func:`_chunks`). A definition message
gives a local message type (0-15) its layout: global message number, byte order, fields
(number, size, base type), developer field sizes. A data message is one header byte and a
body of that layout.

:func:`_scan` walks the headers in a Python loop; a run of data messages of one local type
(a watch writes thousands of ``record`` messages back to back) is found by comparing header
bytes at the message stride (:func:`_run_length`) instead of message by message. Parsed
definitions are remembered across files by their bytes (:data:`_PLANS`): a device writes
the same ones every time.

Anything read inexactly - damage, truncation, a data message of an undefined local type -
raises :class:`Unsupported`; the caller falls back to the tolerant path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from fitparse.profile import MESSAGE_TYPES
from fitparse.records import BASE_TYPE_BYTE, BASE_TYPES

from . import limits

log = logging.getLogger(__name__)

#: Messages counted against the file's budgets (``limits.COUNTED``), by message number.
_COUNTED = {num: mesg.name for num, mesg in MESSAGE_TYPES.items() if mesg.name in ("session", "record")}
TIMESTAMP = 253
MAX_PLANS = 4096  # definitions remembered across files (a device writes the same ones every time)
RUN_PROBE = 64  # header bytes compared in the first window of a run; each next window is 8x larger
_MASKED = {0xE0: bytes(b & 0xE0 for b in range(256))}  # bytes.translate table: a compressed header's local type
_INVALID = {0x00: 0xFF, 0x01: 0x7F, 0x02: 0xFF, 0x83: 0x7FFF, 0x84: 0xFFFF, 0x85: 0x7FFFFFFF, 0x86: 0xFFFFFFFF,
            0x0A: 0, 0x8B: 0, 0x8C: 0, 0x0D: 0xFF, 0x8E: 0x7FFFFFFFFFFFFFFF, 0x8F: 0xFFFFFFFFFFFFFFFF, 0x90: 0}
_SIZES = {base.identifier: base.size for base in (*BASE_TYPES.values(), BASE_TYPE_BYTE)}
_NUMPY = {"B": "u1", "b": "i1", "H": "u2", "h": "i2", "I": "u4", "i": "i4", "Q": "u8", "q": "i8", "f": "f4",
          "d": "f8"}


class Unsupported(Exception):
    """The fast path cannot read these bytes exactly; ``offset`` is where it stopped."""

    def __init__(self, reason: str, offset: int):
        super().__init__(f"{reason} at byte {offset}")
        self.reason, self.offset = reason, offset


@dataclass
class _Field:
    def_num: int
    offset: int  # from the start of the message body (after the header byte)
    size: int
    base: Any  # fitparse BaseType, BYTE where the size does not fit the type
    count: int
    index: int  # position in its definition; a numeric field is ``f<index>`` of the plan's dtype


@dataclass(eq=False)
class _Plan:
    """A parsed definition (message number, byte order, fields, body size in bytes, developer
    fields included) with what decoding its messages needs, built on first use and kept as
    long as the plan: a definition read again in the next file costs a dict look-up."""

    mesg_num: int
    endian: str
    fields: list[_Field]
    size: int
    values: Any = None  # the small-message decoder :mod:`.fit_values` compiles for it
    columns: Any = None  # the record-column steps :mod:`.fit_columnar` compiles for it
    _dtype: np.dtype | None = None

    @property
    def dtype(self) -> np.dtype:
        """One message (header byte + body) as a structured dtype: ``head`` (the header byte)
        and every numeric field ``f<index>`` (an array field as a sub-array)."""
        if self._dtype is None:
            names, formats, offsets = ["head"], ["u1"], [0]
            for f in self.fields:
                if f.count and f.base is not BASE_TYPE_BYTE and f.base.name != "string":
                    kind = self.endian + _NUMPY[f.base.fmt]
                    names.append(f"f{f.index}")
                    formats.append(kind if f.count == 1 else (kind, (f.count,)))
                    offsets.append(1 + f.offset)
            self._dtype = np.dtype({"names": names, "formats": formats, "offsets": offsets,
                                    "itemsize": self.size + 1})
        return self._dtype


#: Parsed definitions by their bytes, shared by every file this process reads.
_PLANS: dict[bytes, _Plan] = {}


class _Layout:
    """One definition's layout in one file and every run of data messages that use it."""

    def __init__(self, plan: _Plan):
        self.plan = plan
        self.mesg_num, self.endian, self.fields, self.size = plan.mesg_num, plan.endian, plan.fields, plan.size
        self.step = plan.size + 1  # bytes from one message's header to the next
        self.counted = _COUNTED.get(plan.mesg_num)  # the budget it counts against ("session", "record"), if any
        self.runs: list[tuple[int, int]] = []  # (byte offset of the first header, count)
        self.resets: list[int] = []  # offsets where this layout was (re)defined
        self._rows: tuple[np.ndarray, np.ndarray] | None = None
        self._offsets: np.ndarray | None = None

    @property
    def mesg_type(self):
        return MESSAGE_TYPES.get(self.mesg_num)

    def timestamp_field(self) -> _Field | None:
        """The 4-byte timestamp field that feeds compressed timestamps (as the tolerant path reads it)."""
        if self.mesg_type is None or TIMESTAMP not in self.mesg_type.fields:
            return None
        return next((f for f in self.fields if f.def_num == TIMESTAMP and f.size == 4 and f.count == 1
                     and f.base.fmt in "IiL" and f.base is not BASE_TYPE_BYTE), None)

    def rows(self, data_array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every message of this layout, in file order, as (rows of header byte + body, uint8)
        and as records of the plan's :attr:`_Plan.dtype` (the same bytes, copied once at most)."""
        if self._rows is None:
            step = self.step
            if len(self.runs) == 1:
                start, count = self.runs[0]
                flat = data_array[start:start + count * step]
            elif len(self.runs) > 16 and sum(count for _, count in self.runs) < 4 * len(self.runs):
                # short runs (records between hrv messages): one gather, not a slice per run
                flat = data_array[(self.offsets()[:, None] + np.arange(step)).ravel()]
            else:
                flat = np.concatenate([data_array[start:start + count * step] for start, count in self.runs])
            self._rows = flat.reshape(-1, step), flat.view(self.plan.dtype)
        return self._rows

    def offsets(self) -> np.ndarray:
        """The byte offset of every message's header, in the order of :meth:`rows`."""
        if self._offsets is None:
            step = self.step
            starts, counts = np.array(self.runs, dtype=np.int64).reshape(-1, 2).T
            firsts = np.cumsum(counts) - counts  # row index of each run's first message
            self._offsets = np.repeat(starts - firsts * step, counts) + np.arange(int(counts.sum())) * step
        return self._offsets


def _layout(data: bytes, pos: int, end: int, cache: dict[bytes, _Layout]) -> tuple[_Layout, int]:
    """Parse the definition message at ``pos``: its layout (shared by identical definitions) and its length."""
    head = data[pos]
    if pos + 6 > end:
        raise Unsupported("definition message cut short", pos)
    n_fields = data[pos + 5]
    stop = pos + 6 + 3 * n_fields
    dev_sizes = 0
    if head & 0x20:
        if stop >= end:
            raise Unsupported("definition message cut short", pos)
        n_dev = data[stop]
        dev_sizes = sum(data[stop + 2:stop + 1 + 3 * n_dev:3])
        stop += 1 + 3 * n_dev
    if stop > end:
        raise Unsupported("definition message cut short", pos)
    key = data[pos + 2:stop] + bytes([head & 0x20])
    layout = cache.get(key)
    if layout is None:
        plan = _PLANS.get(key)
        if plan is None:
            plan = _plan(data, pos, n_fields, dev_sizes)
            if len(_PLANS) >= MAX_PLANS:
                _PLANS.clear()
            _PLANS[key] = plan
        layout = cache[key] = _Layout(plan)
    return layout, stop - pos


def _plan(data: bytes, pos: int, n_fields: int, dev_sizes: int) -> _Plan:
    """The plan of the definition at ``pos``."""
    endian = ">" if data[pos + 2] else "<"
    mesg_num = int.from_bytes(data[pos + 3:pos + 5], "big" if endian == ">" else "little")
    fields, offset = [], 0
    for i in range(n_fields):
        def_num, size, type_num = data[pos + 6 + 3 * i:pos + 9 + 3 * i]
        base = BASE_TYPES.get(type_num, BASE_TYPE_BYTE)
        if size % _SIZES[base.identifier]:
            base = BASE_TYPE_BYTE
        count = 1 if base.name == "string" else size // _SIZES[base.identifier]
        fields.append(_Field(def_num, offset, size, base, count, i))
        offset += size
    return _Plan(mesg_num, endian, fields, offset + dev_sizes)


def _run_length(data: bytes, pos: int, step: int, limit: int, mask: int, want: int) -> int:
    """How many messages from ``pos`` at stride ``step`` (at most ``limit``) have ``head & mask == want``.

    The header bytes of a window are one strided slice of ``data``, compared by stripping the
    leading ones equal to ``want`` (after masking): C speed without a numpy call per window."""
    n, window, same = 0, RUN_PROBE, bytes((want,))
    while n < limit:
        stop = min(limit, n + window)
        heads = data[pos + n * step:pos + stop * step:step]
        if mask != 0xFF:
            heads = heads.translate(_MASKED[mask])
        matched = len(heads) - len(heads.lstrip(same))
        if matched < len(heads):
            return n + matched
        n, window = stop, window * 8
    return n


def _scan(data: bytes, heads: np.ndarray, pos: int, end: int, counted: dict[str, int],
          path: str) -> tuple[list[_Layout], list[tuple[int, int]]]:
    """Walk one chunk's messages from ``pos`` to ``end``: the layouts used (with their runs), and
    (offset, time offset) of every compressed-timestamp header. Sessions and records are counted
    in ``counted`` (across chained files) against the file's budgets as their runs are found."""
    budget = limits.current()
    local: list[_Layout | None] = [None] * 16
    cache: dict[bytes, _Layout] = {}
    used: dict[int, _Layout] = {}
    compressed: list[tuple[int, int]] = []
    while pos < end:
        head = data[pos]
        if head & 0xC0 == 0x40:  # definition
            layout, length = _layout(data, pos, end, cache)
            local[head & 0x0F] = layout
            layout.resets.append(pos)
            used[id(layout)] = layout
            pos += length
            continue
        if head & 0x80:
            layout, mask = local[(head >> 5) & 0x03], 0xE0
        else:
            layout, mask = local[head & 0x0F], 0xFF
        if layout is None:
            raise Unsupported("data message of an undefined local message type", pos)
        step = layout.step
        if pos + step > end:
            raise Unsupported("data message cut short", pos)
        n = 1
        if pos + 2 * step <= end and data[pos + step] & mask == head & mask:
            n = _run_length(data, pos, step, (end - pos) // step, mask, head & mask)
        layout.runs.append((pos, n))
        kind = layout.counted
        if kind is not None:  # budgets: a 20,000-session file stops at the 101st, before decoding any
            counted[kind] += n
            limits.count(kind, counted[kind], path, budget)
        if mask == 0xE0:
            offsets = heads[pos:pos + n * step:step] & 0x1F
            compressed.extend(zip(range(pos, pos + n * step, step), offsets.tolist()))
        pos += n * step
    return list(used.values()), compressed


def header_at(data: bytes, pos: int, path: str) -> bytes | None:
    """The 12 bytes of the FIT file header at ``pos`` (of chained files, the next one); None where
    there is none. Bytes left after the last file are logged, not read."""
    header = data[pos:pos + 12]
    if len(header) == 12 and header[8:12] == b".FIT" and header[0] >= 12:
        return header
    if pos and any(data[pos:]):
        log.warning("%s: ignored %d bytes after the last FIT file (byte %d)", path, len(data) - pos, pos)
    return None


def _chunks(data: bytes, path: str) -> list[tuple[int, int]]:
    """(first message byte, end of messages) of each chained FIT file in ``data``."""
    chunks, pos = [], 0
    while pos < len(data):
        header = header_at(data, pos, path)
        if header is None:
            if pos == 0:
                raise Unsupported("no FIT file header", 0)
            break
        size = header[0]
        if size == 13:
            raise Unsupported("irregular FIT header size 13", pos)
        data_size = int.from_bytes(header[4:8], "little")
        if data_size:
            start, end, after = pos + size, pos + size + data_size, pos + size + data_size + 2
        else:  # the writer never finalised the header: messages run to the last two bytes
            start, end, after = pos + size, max(pos + size, len(data) - 2), len(data)
        if end > len(data):
            raise Unsupported("file shorter than its header says (truncated)", len(data))
        chunks.append((start, end))
        pos = after
    return chunks

