"""The fast FIT path: one pass over the bytes, record messages decoded as numpy columns.

A FIT file is a stream of definition and data messages. A Python loop walks the message
headers; a run of data messages of one local type (a watch writes thousands of ``record``
messages back to back) is found with one strided numpy comparison of header bytes instead
of message by message, and every run of one layout is decoded at once through a structured
dtype. The few other messages strideload reads (``fit.KEPT``: ``file_id``, ``sport``,
``session``, ``activity`` ...) are decoded one by one, exactly as the tolerant path does.

Semantics follow fitparse (the oracle) field by field: invalid values are absent, scale and
offset applied, components expanded (``speed`` -> ``enhanced_speed``, ``altitude`` ->
``enhanced_altitude``, ``compressed_speed_distance`` -> ``speed`` and an accumulated
``distance``), a later field of the same name wins, compressed timestamp headers accumulate
from the last full timestamp, an array gives its first valid element (before any component
is taken from it), either byte order, developer fields skipped by size, local types
redefined at any point, chained files, a header CRC of 0. CRCs are not checked (the tolerant path does not either).

Anything the fast path does not read exactly - damage, truncation, a data message of an
undefined local type - raises :class:`Unsupported` and the caller falls back to the
tolerant path, which salvages what it can.
"""

from __future__ import annotations

import logging
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from fitparse.profile import MESSAGE_TYPES
from fitparse.records import BASE_TYPE_BYTE, BASE_TYPES, parse_string

from . import limits

log = logging.getLogger(__name__)

#: Record fields read into columns (what ``fit._record_frame`` uses), with the components feeding them.
RECORD_FIELDS = ("timestamp", "distance", "enhanced_speed", "speed", "enhanced_altitude", "altitude", "cadence",
                 "fractional_cadence", "cadence256", "heart_rate", "position_lat", "position_long")
RECORD_NUM = next(num for num, mesg in MESSAGE_TYPES.items() if mesg.name == "record")
#: Messages counted against the file's budgets (``limits.COUNTED``), by message number.
_COUNTED = {num: mesg.name for num, mesg in MESSAGE_TYPES.items() if mesg.name in ("session", "record")}
TIMESTAMP = 253
#: Session fields newer than fitparse's profile, by number: Garmin's perceived effort (RPE x 10,
#: Borg CR-10) and workout feel (0-100, how the runner felt: not an effort, not used).
SESSION_MESG = 18
SESSION_EXTRA = {192: "workout_feel", 193: "workout_rpe"}
MAX_PLANS = 4096  # definitions remembered across files (a device writes the same ones every time)
RUN_PROBE = 16  # header bytes compared in the first window of a run; each next window is 8x larger
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


#: Parsed definitions by their bytes, shared by every file this process reads.
_PLANS: dict[bytes, tuple[int, str, list[_Field], int]] = {}


@dataclass
class _Layout:
    """One definition's layout and every run of data messages that use it."""

    mesg_num: int
    endian: str
    fields: list[_Field]
    size: int  # body bytes, developer fields included
    runs: list[tuple[int, int]] = field(default_factory=list)  # (byte offset of the first header, count)
    resets: list[int] = field(default_factory=list)  # offsets where this layout was (re)defined

    @property
    def mesg_type(self):
        return MESSAGE_TYPES.get(self.mesg_num)

    def timestamp_field(self) -> _Field | None:
        """The 4-byte timestamp field that feeds compressed timestamps (as the tolerant path reads it)."""
        if self.mesg_type is None or TIMESTAMP not in self.mesg_type.fields:
            return None
        return next((f for f in self.fields if f.def_num == TIMESTAMP and f.size == 4 and f.count == 1
                     and f.base.fmt in "IiL" and f.base is not BASE_TYPE_BYTE), None)


@dataclass
class Decoded:
    """What the fast path read: the small messages as dicts (by name, in file order), the record
    columns (float64, NaN = absent; ``timestamp`` int64, -1 = absent) and the record count."""

    messages: dict[str, list[dict[str, Any]]]
    records: dict[str, np.ndarray]
    n_records: int


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
        layout = cache[key] = _Layout(*plan)
    return layout, stop - pos


def _plan(data: bytes, pos: int, n_fields: int, dev_sizes: int) -> tuple[int, str, list[_Field], int]:
    """(global message number, byte order, fields, body size) of the definition at ``pos``."""
    endian = ">" if data[pos + 2] else "<"
    mesg_num = int.from_bytes(data[pos + 3:pos + 5], "big" if endian == ">" else "little")
    fields, offset = [], 0
    for i in range(n_fields):
        def_num, size, type_num = data[pos + 6 + 3 * i:pos + 9 + 3 * i]
        base = BASE_TYPES.get(type_num, BASE_TYPE_BYTE)
        if size % _SIZES[base.identifier]:
            base = BASE_TYPE_BYTE
        count = 1 if base.name == "string" else size // _SIZES[base.identifier]
        fields.append(_Field(def_num, offset, size, base, count))
        offset += size
    return mesg_num, endian, fields, offset + dev_sizes


def _run_length(heads: np.ndarray, pos: int, step: int, limit: int, mask: int, want: int) -> int:
    """How many messages from ``pos`` at stride ``step`` (at most ``limit``) have ``head & mask == want``."""
    n, window = 0, RUN_PROBE
    while n < limit:
        stop = min(limit, n + window)
        ok = (heads[pos + n * step:pos + stop * step:step] & mask) == want
        if not ok.all():
            return n + int(np.argmin(ok))
        n, window = stop, window * 8
    return n


def _scan(data: bytes, heads: np.ndarray, pos: int, end: int, counted: dict[str, int],
          path: str) -> tuple[list[_Layout], list[tuple[int, int]]]:
    """Walk one chunk's messages from ``pos`` to ``end``: the layouts used (with their runs), and
    (offset, time offset) of every compressed-timestamp header. Sessions and records are counted
    in ``counted`` (across chained files) against the file's budgets as their runs are found."""
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
        step = layout.size + 1
        if pos + step > end:
            raise Unsupported("data message cut short", pos)
        n = 1
        if pos + 2 * step <= end and data[pos + step] & mask == head & mask:
            n = _run_length(heads, pos, step, (end - pos) // step, mask, head & mask)
        layout.runs.append((pos, n))
        kind = _COUNTED.get(layout.mesg_num)
        if kind is not None:  # budgets: a 20,000-session file stops at the 101st, before decoding any
            counted[kind] += n
            limits.count(kind, counted[kind], path)
        if mask == 0xE0:
            offsets = heads[pos:pos + n * step:step] & 0x1F
            compressed.extend(zip(range(pos, pos + n * step, step), offsets.tolist()))
        pos += n * step
    return list(used.values()), compressed


def _rows(data_array: np.ndarray, layout: _Layout) -> tuple[np.ndarray, np.ndarray]:
    """(header offsets, rows of header byte + body) of every message of ``layout``."""
    step = layout.size + 1
    parts = [data_array[start:start + count * step].reshape(count, step) for start, count in layout.runs]
    offsets = np.concatenate([np.arange(start, start + count * step, step) for start, count in layout.runs])
    return offsets, (parts[0] if len(parts) == 1 else np.concatenate(parts))


def _column(rows: np.ndarray, layout: _Layout, f: _Field) -> tuple[np.ndarray, np.ndarray]:
    """(raw values, valid mask) of one field of every row; arrays give their first valid element,
    byte fields the little-endian number of their bytes (valid unless all 0xFF)."""
    chunk = np.ascontiguousarray(rows[:, 1 + f.offset:1 + f.offset + f.size])
    if f.base is BASE_TYPE_BYTE:
        valid = (chunk != 0xFF).any(axis=1)
        raw = np.zeros(len(rows), dtype=np.int64)
        for i in range(min(f.size, 7)):
            raw |= chunk[:, i].astype(np.int64) << (8 * i)
        return raw, valid
    values = chunk.view(np.dtype(layout.endian + _NUMPY[f.base.fmt])).reshape(len(rows), f.count)
    if values.dtype.kind == "f":
        ok = ~np.isnan(values)
    else:
        ok = values != _INVALID[f.base.identifier]
    if f.count == 1:
        return values[:, 0], ok[:, 0]
    first = np.argmax(ok, axis=1)
    return values[np.arange(len(rows)), first], ok.any(axis=1)


def _scaled(raw: np.ndarray, spec: Any) -> np.ndarray:
    value = raw.astype(np.float64)
    if spec.scale:
        value = value / spec.scale
    if spec.offset:
        value = value - spec.offset
    return value


def _timestamps(layouts: list[_Layout], compressed: list[tuple[int, int]], data_array: np.ndarray) -> dict[int, int]:
    """FIT time of every compressed-timestamp message, by header offset: each header's 5-bit offset
    rolls forward from the last full timestamp (any message with one) or compressed time before it."""
    if not compressed:
        return {}
    events: list[tuple[int, int, int]] = []  # (offset, 0 = full time / 1 = 5-bit offset, value)
    for layout in layouts:
        ts = layout.timestamp_field()
        if ts is None or not layout.runs:
            continue
        offsets, rows = _rows(data_array, layout)
        raw, valid = _column(rows, layout, ts)
        events.extend(zip(offsets[valid].tolist(), [0] * int(valid.sum()), raw[valid].tolist()))
    events.extend((offset, 1, low) for offset, low in compressed)
    events.sort()
    times, accumulator = {}, 0
    for offset, kind, value in events:
        if kind == 0:
            accumulator = value
            continue
        accumulator = value + (accumulator & ~0x1F) + (0x20 if value < (accumulator & 0x1F) else 0)
        times[offset] = accumulator
    return times


def _accumulated(records: list[_Layout], data_array: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    """Accumulating components of records (``compressed_speed_distance`` -> ``distance``), in file
    order: each rolls forward from the previous value and restarts at 0 wherever a record
    definition holding it is read. {(id(layout), target def_num): raw values per row (-1 = none)}."""
    mesg = MESSAGE_TYPES[RECORD_NUM]
    out: dict[tuple[int, int], np.ndarray] = {}
    events: dict[int, list[tuple[int, int, int, int, int]]] = {}  # target -> (offset, kind, part, layout, row)
    widths: dict[int, int] = {}
    for layout in records:
        for f in layout.fields:
            fit_field = mesg.fields.get(f.def_num)
            if fit_field is None or not fit_field.components:
                continue
            for component in fit_field.components:
                if not component.accumulate or mesg.fields[component.def_num].name not in RECORD_FIELDS:
                    continue
                target = component.def_num
                widths[target] = component.bits
                queue = events.setdefault(target, [])
                queue.extend((offset, 0, 0, 0, 0) for offset in layout.resets)
                offsets, rows = _rows(data_array, layout)
                raw, valid = _column(rows, layout, f)
                part = (raw >> component.bit_offset) & ((1 << component.bits) - 1)
                rows_valid = np.flatnonzero(valid)
                out[(id(layout), target)] = np.full(len(rows), -1, dtype=np.int64)
                queue.extend(zip(offsets[rows_valid].tolist(), [1] * len(rows_valid), part[rows_valid].tolist(),
                                 [id(layout)] * len(rows_valid), rows_valid.tolist()))
    for target, queue in events.items():
        mask = (1 << widths[target]) - 1
        accumulator = 0
        for _offset, kind, part, key, row in sorted(queue):
            if kind == 0:
                accumulator = 0
                continue
            accumulator = part + (accumulator & ~mask) + ((mask + 1) if part < (accumulator & mask) else 0)
            out[(key, target)][row] = accumulator
    return out


def _record_columns(layout: _Layout, rows: np.ndarray, accumulated: dict[tuple[int, int], np.ndarray],
                    times: dict[int, int], offsets: np.ndarray) -> dict[str, np.ndarray]:
    """One layout's record rows as columns of :data:`RECORD_FIELDS`, decoded field by field in
    definition order (components first, a later field of the same name winning), as fitparse does."""
    mesg = MESSAGE_TYPES[RECORD_NUM]
    n = len(rows)
    out = {name: np.full(n, np.nan) for name in RECORD_FIELDS}
    out["timestamp"] = np.full(n, -1, dtype=np.int64)
    for f in layout.fields:
        fit_field = mesg.fields.get(f.def_num)
        if fit_field is None or f.base.name == "string" or f.count == 0:
            continue
        raw, valid = _column(rows, layout, f)
        if fit_field.name == "timestamp":
            if f.count == 1 and f.base is not BASE_TYPE_BYTE and f.base.fmt in "BbHhIiQq":
                out["timestamp"] = np.where(valid, raw.astype(np.int64), out["timestamp"])
            continue
        if fit_field.components:
            for component in fit_field.components:
                target = mesg.fields[component.def_num].name
                if target not in out or (f.base is BASE_TYPE_BYTE and component.bit_offset >= 8 * f.size):
                    continue
                if component.accumulate:
                    summed = accumulated[(id(layout), component.def_num)]
                    out[target] = np.where(valid, _scaled(summed, component), out[target])
                    continue
                part = (raw.astype(np.int64) >> component.bit_offset) & ((1 << component.bits) - 1)
                out[target] = np.where(valid, _scaled(part, component), out[target])
        if fit_field.name in out:
            ok = valid
            if fit_field.type.values:  # an enum rendered to a name: not a number
                ok = valid & ~np.isin(raw, list(fit_field.type.values))
            out[fit_field.name] = np.where(ok, _scaled(raw, fit_field), out[fit_field.name])
    if times:
        compressed = np.flatnonzero(rows[:, 0] & 0x80)
        if len(compressed):
            out["timestamp"][compressed] = [times[o] for o in offsets[compressed].tolist()]
    return out


def _scale_offset(spec: Any, raw: Any) -> Any:
    if isinstance(raw, tuple):
        return tuple(_scale_offset(spec, x) for x in raw)
    if isinstance(raw, (int, float)):
        if spec.scale:
            raw = float(raw) / spec.scale
        if spec.offset:
            raw = raw - spec.offset
    return raw


def _resolve_subfield(fit_field: Any, layout: _Layout, raws: list[Any]) -> tuple[Any, Any]:
    """(subfield, field) when a reference field's value selects a subfield, else (field, None)."""
    for sub in fit_field.subfields or ():
        for ref in sub.ref_fields:
            for f, raw in zip(layout.fields, raws):
                if f.def_num == ref.def_num and ref.raw_value == raw:
                    return sub, fit_field
    return fit_field, None


def _message_values(layout: _Layout, body: bytes, header_time: int | None) -> dict[str, Any]:
    """One small message as {field name: value}, decoded as the tolerant path does (subfields,
    components, scale and offset, enum names)."""
    raws: list[Any] = []
    for f in layout.fields:
        chunk = body[f.offset:f.offset + f.size]
        if f.count == 0:
            raws.append(None)
        elif f.base.name == "string":
            raws.append(parse_string(chunk))
        else:
            flat = struct.unpack(f"{layout.endian}{f.count}{f.base.fmt}", chunk)
            if f.base is BASE_TYPE_BYTE:
                raws.append(f.base.parse(flat))
            elif f.count == 1:
                raws.append(f.base.parse(flat[0]))
            else:
                raws.append(tuple(f.base.parse(v) for v in flat))
    mesg = layout.mesg_type
    values: dict[str, Any] = {}
    for f, raw in zip(layout.fields, raws):
        fit_field = mesg.fields.get(f.def_num)
        if raw.__class__ is tuple and f.base is not BASE_TYPE_BYTE:  # an array: its first valid element
            raw = next((v for v in raw if v.__class__ in (int, float) and v == v), None)
        if fit_field is None or raw is None:
            if raw is not None and mesg.mesg_num == SESSION_MESG and f.def_num in SESSION_EXTRA:
                values[SESSION_EXTRA[f.def_num]] = raw  # newer than fitparse's profile
            continue
        if raw.__class__ in (int, float) and not fit_field.subfields and not fit_field.components:
            table = fit_field.type.values
            if table and raw in table:
                values[fit_field.name] = table[raw]
                continue
            values[fit_field.name] = _scale_offset(fit_field, raw)
            continue
        fit_field, parent = _resolve_subfield(fit_field, layout, raws)
        for component in fit_field.components or ():
            try:
                part = component.render(raw)
            except ValueError:
                continue
            part = _scale_offset(component, part)
            target, _ = _resolve_subfield(mesg.fields[component.def_num], layout, raws)
            if part is not None:
                values[target.name] = target.render(part)
        value = _scale_offset(fit_field, fit_field.render(raw))
        if value is not None:
            values[fit_field.name] = value
            if parent is not None:
                values.setdefault(parent.name, value)
    if header_time is not None:
        values["timestamp"] = header_time
    return values


def _chunks(data: bytes, path: str) -> list[tuple[int, int]]:
    """(first message byte, end of messages) of each chained FIT file in ``data``."""
    chunks, pos = [], 0
    while pos < len(data):
        header = data[pos:pos + 12]
        if len(header) < 12 or header[8:12] != b".FIT" or header[0] < 12:
            if pos == 0:
                raise Unsupported("no FIT file header", 0)
            if any(data[pos:]):
                log.warning("%s: ignored %d bytes after the last FIT file (byte %d)", path, len(data) - pos, pos)
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


def decode(data: bytes, path: str) -> Decoded:
    """Read FIT bytes (possibly several chained files) in one pass; raises :class:`Unsupported`."""
    from .fit import KEPT  # the tolerant path's list: both paths read the same messages

    small = {MESSAGE_TYPES[num].name for num in KEPT} - {"record"}
    data_array = np.frombuffer(data, dtype=np.uint8)
    messages: dict[str, list[tuple[int, dict[str, Any]]]] = {name: [] for name in small}
    parts: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []
    counted = {"session": 0, "record": 0}
    for start, end in _chunks(data, path):
        layouts, compressed = _scan(data, data_array, start, end, counted, path)
        limits.check_clock()
        times = _timestamps(layouts, compressed, data_array)
        records = [layout for layout in layouts if layout.mesg_num == RECORD_NUM and layout.runs]
        accumulated = _accumulated(records, data_array)
        for layout in records:
            offsets, rows = _rows(data_array, layout)
            parts.append((offsets, _record_columns(layout, rows, accumulated, times, offsets)))
        for layout in layouts:
            mesg = layout.mesg_type
            if mesg is None or mesg.name not in small:
                continue
            step = layout.size + 1
            for first, count in layout.runs:
                for offset in range(first, first + count * step, step):
                    values = _message_values(layout, data[offset + 1:offset + step], times.get(offset))
                    messages[mesg.name].append((offset, values))
    if not parts:
        columns = {name: np.full(0, np.nan) for name in RECORD_FIELDS}
        columns["timestamp"] = np.full(0, -1, dtype=np.int64)
    elif len(parts) == 1:
        columns = parts[0][1]
    else:
        order = np.argsort(np.concatenate([offsets for offsets, _ in parts]), kind="stable")
        columns = {name: np.concatenate([part[name] for _, part in parts])[order] for name in RECORD_FIELDS}
    return Decoded(messages={name: [values for _, values in sorted(found, key=lambda item: item[0])]
                             for name, found in messages.items()},
                   records=columns, n_records=len(columns["timestamp"]))


class RecordColumns:
    """Record columns (numpy arrays of one length, ``t`` first) with the few DataFrame manners
    ``fit.read_fit`` uses: ``columns``, ``empty``, ``len``, ``[name]`` and ``[mask]``."""

    def __init__(self, columns: dict[str, np.ndarray]):
        self._columns = columns

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def empty(self) -> bool:
        return len(self) == 0

    def __len__(self) -> int:
        return len(self._columns["t"])

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return self._columns[key]
        return RecordColumns({name: values[key] for name, values in self._columns.items()})


def records_frame(columns: dict[str, np.ndarray]) -> RecordColumns:
    """Record columns as ``fit._record_frame`` makes them from dicts: SI units, cadence not yet
    doubled, one row per FIT second ``t``, undatable and future records dropped, records
    sharing a second merged (first value per column)."""
    from .fit import FIT_EPOCH_S, MIN_DATE_S, SEMICIRCLE_DEG

    t = columns["timestamp"]
    keep = (t >= MIN_DATE_S) & (t <= time.time() - FIT_EPOCH_S + 86400)
    if not keep.all():
        columns = {name: values[keep] for name, values in columns.items()}

    def first(*names: str) -> np.ndarray:
        column = columns[names[0]]
        for name in names[1:]:
            column = np.where(np.isnan(column), columns[name], column)
        return column

    cadence = columns["cadence"] + np.nan_to_num(columns["fractional_cadence"])
    frame = {
        "t": columns["timestamp"],
        "distance_m": columns["distance"],
        "speed_mps": first("enhanced_speed", "speed"),
        "elevation_m": first("enhanced_altitude", "altitude"),
        "cadence_spm": np.where(np.isnan(cadence), columns["cadence256"], cadence),
        "heart_rate_bpm": columns["heart_rate"],
        "latitude_deg": columns["position_lat"] * SEMICIRCLE_DEG,
        "longitude_deg": columns["position_long"] * SEMICIRCLE_DEG,
    }
    t = frame["t"]
    if len(t) > 1 and not (np.diff(t) > 0).all() and len(np.unique(t)) < len(t):  # records sharing a second
        merged = pd.DataFrame(frame).groupby("t", sort=False).first().reset_index()
        frame = {name: merged[name].to_numpy() for name in frame}
    return RecordColumns(frame)
