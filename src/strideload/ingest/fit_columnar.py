"""The fast FIT path: one pass over the bytes, record messages decoded as numpy columns.

The message stream is walked by :mod:`.fit_layouts` (definitions, runs of data messages of
one layout); every ``record`` layout is decoded here at once, field by field as numpy
columns. The few other messages strideload reads (``fit.KEPT``: ``file_id``, ``sport``,
``session``, ``activity`` ...) are decoded one by one by :mod:`.fit_values`, exactly as the
tolerant path does.

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

import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from fitparse.profile import MESSAGE_TYPES
from fitparse.records import BASE_TYPE_BYTE

from . import limits
from .fit_layouts import (  # noqa: F401 - MAX_PLANS, RUN_PROBE, _chunks: the module's names before it was split
    _INVALID,
    _NUMPY,
    MAX_PLANS,
    RUN_PROBE,
    TIMESTAMP,
    Unsupported,
    _chunks,
    _Field,
    _Layout,
    _scan,
)
from .fit_records import RecordColumns, first_per_second
from .fit_tolerant import FIT_EPOCH_S, KEPT, MIN_DATE_S, SEMICIRCLE_DEG
from .fit_values import SESSION_EXTRA, SESSION_MESG, _message_values  # noqa: F401 - SESSION_*: old import names

#: Record fields read into columns (what ``fit._record_frame`` uses), with the components feeding them.
RECORD_FIELDS = ("timestamp", "distance", "enhanced_speed", "speed", "enhanced_altitude", "altitude", "cadence",
                 "fractional_cadence", "cadence256", "heart_rate", "position_lat", "position_long")
_COLUMNS = frozenset(RECORD_FIELDS)
RECORD_NUM = next(num for num, mesg in MESSAGE_TYPES.items() if mesg.name == "record")
#: The other messages read (the tolerant path's list: both paths read the same messages).
_SMALL = frozenset(MESSAGE_TYPES[num].name for num in KEPT) - {"record"}


@dataclass
class Decoded:
    """What the fast path read: the small messages as dicts (by name, in file order), the record
    columns (float64, NaN = absent; ``timestamp`` int64, -1 = absent) and the record count."""

    messages: dict[str, list[dict[str, Any]]]
    records: dict[str, np.ndarray]
    n_records: int
    present: frozenset[str] = frozenset(RECORD_FIELDS)  # columns some field fed (the others are all NaN / -1)


def _column(layout: _Layout, data_array: np.ndarray, f: _Field) -> tuple[np.ndarray, np.ndarray]:
    """(raw values, valid mask) of one field of every message of ``layout``; arrays give their first
    valid element, byte fields the little-endian number of their bytes (valid unless all 0xFF)."""
    rows, records = layout.rows(data_array)
    if f.base is BASE_TYPE_BYTE:
        chunk = rows[:, 1 + f.offset:1 + f.offset + f.size]
        valid = (chunk != 0xFF).any(axis=1)
        raw = np.zeros(len(rows), dtype=np.int64)
        for i in range(min(f.size, 7)):
            raw |= chunk[:, i].astype(np.int64) << (8 * i)
        return raw, valid
    values = records[f"f{f.index}"]  # a strided view: no copy
    if values.dtype.kind == "f":
        ok = ~np.isnan(values)
    else:
        ok = values != _INVALID[f.base.identifier]
    if f.count == 1:
        return values, ok
    first = np.argmax(ok, axis=1)
    return values[np.arange(len(rows)), first], ok.any(axis=1)


def _merged(earlier: np.ndarray | None, value: np.ndarray, valid: np.ndarray, absent: float | int) -> np.ndarray:
    """``value`` (a new array, changed in place) where ``valid``, else the ``earlier`` field's (``absent`` if none)."""
    if earlier is not None:
        return np.where(valid, value, earlier)
    if not valid.all():
        value[~valid] = absent
    return value


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
        offsets = layout.offsets()
        raw, valid = _column(layout, data_array, ts)
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
                offsets = layout.offsets()
                raw, valid = _column(layout, data_array, f)
                part = (raw >> component.bit_offset) & ((1 << component.bits) - 1)
                rows_valid = np.flatnonzero(valid)
                out[(id(layout), target)] = np.full(len(raw), -1, dtype=np.int64)
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


@dataclass(frozen=True)
class _ColumnStep:
    """What one record field feeds: the row's ``timestamp`` (an integer field), the ``parts``
    (column, component) taken from it, and its own ``column`` (``enums``: values rendered as
    names, not numbers). ``batch``: the field's index in the recipe's batch when its own value
    is read there (a plain number: no parts, no enums)."""

    field: _Field
    timestamp: bool
    parts: tuple[tuple[str, Any], ...]
    column: str | None
    spec: Any  # the profile field (scale, offset)
    enums: tuple[int, ...]
    batch: int | None = None


@dataclass(frozen=True)
class _Recipe:
    """How a record definition's messages become columns: the steps in definition order, and the
    batch of plain number fields read together (one float64 block, tested against the invalid
    values, scaled and shifted at once, instead of a few numpy calls per field)."""

    steps: list[_ColumnStep]
    batch: tuple[str, ...]  # the batch fields' names in the plan's dtype
    invalid: np.ndarray  # per batch field (a column vector): its invalid value (exact as float64: 32 bits at most)
    scale: np.ndarray  # per batch field: divisor (1 when none)
    offset: np.ndarray | None  # per batch field: subtracted after scaling (0 when none); None when all are 0


_BATCHED = frozenset("BbHhIi")  # integer formats whose values (and invalid value) float64 holds exactly


def _recipe(layout: _Layout) -> _Recipe:
    """The recipe of a record layout, fields feeding no column left out; built once per plan."""
    plan = layout.plan
    if plan.columns is None:
        mesg = MESSAGE_TYPES[RECORD_NUM]
        steps, batch = [], []
        for f in layout.fields:
            fit_field = mesg.fields.get(f.def_num)
            if fit_field is None or f.base.name == "string" or f.count == 0:
                continue
            if fit_field.name == "timestamp":
                if f.count == 1 and f.base is not BASE_TYPE_BYTE and f.base.fmt in "BbHhIiQq":
                    steps.append(_ColumnStep(f, True, (), None, fit_field, ()))
                continue
            parts = tuple((mesg.fields[c.def_num].name, c) for c in fit_field.components or ()
                          if mesg.fields[c.def_num].name in _COLUMNS
                          and not (f.base is BASE_TYPE_BYTE and c.bit_offset >= 8 * f.size))
            column = fit_field.name if fit_field.name in _COLUMNS else None
            enums = tuple(fit_field.type.values or ())
            if not parts and column and not enums and f.count == 1 and f.base is not BASE_TYPE_BYTE \
                    and f.base.fmt in _BATCHED:
                steps.append(_ColumnStep(f, False, (), column, fit_field, (), len(batch)))
                batch.append(f)
            elif parts or column:
                steps.append(_ColumnStep(f, False, parts, column, fit_field, enums))
        specs = [step.spec for step in steps if step.batch is not None]

        def per_row(values: list[float]) -> np.ndarray:  # a column vector: one value per batch row
            return np.array(values, dtype=np.float64).reshape(-1, 1)

        offset = per_row([spec.offset or 0 for spec in specs])
        plan.columns = _Recipe(steps, tuple(f"f{f.index}" for f in batch),
                               per_row([_INVALID[f.base.identifier] for f in batch]),
                               per_row([spec.scale or 1 for spec in specs]), offset if offset.any() else None)
    return plan.columns


def _record_columns(layout: _Layout, data_array: np.ndarray, accumulated: dict[tuple[int, int], np.ndarray],
                    times: dict[int, int]) -> dict[str, np.ndarray]:
    """One layout's record rows as columns of :data:`RECORD_FIELDS`, decoded field by field in
    definition order (components first, a later field of the same name winning), as fitparse does."""
    recipe = _recipe(layout)
    rows, records = layout.rows(data_array)
    n = len(rows)
    if recipe.batch:  # one row per field: float64 values, tested, scaled and shifted together
        batch = np.empty((len(recipe.batch), n))
        for row, name in zip(batch, recipe.batch):
            row[:] = records[name]
        batch_valid = batch != recipe.invalid
        np.divide(batch, recipe.scale, out=batch)  # x / 1 and x - 0 are x: as _scaled, exactly
        if recipe.offset is not None:
            np.subtract(batch, recipe.offset, out=batch)
        batch[~batch_valid] = np.nan
    out: dict[str, np.ndarray] = {}
    for step in recipe.steps:
        if step.batch is not None:
            earlier = out.get(step.column)
            value = batch[step.batch]
            out[step.column] = value if earlier is None else np.where(batch_valid[step.batch], value, earlier)
            continue
        raw, valid = _column(layout, data_array, step.field)
        if step.timestamp:
            out["timestamp"] = _merged(out.get("timestamp"), raw.astype(np.int64), valid, -1)
            continue
        for target, component in step.parts:
            if component.accumulate:
                summed = accumulated[(id(layout), component.def_num)]
                out[target] = _merged(out.get(target), _scaled(summed, component), valid, np.nan)
                continue
            part = (raw.astype(np.int64) >> component.bit_offset) & ((1 << component.bits) - 1)
            out[target] = _merged(out.get(target), _scaled(part, component), valid, np.nan)
        if step.column is not None:
            ok = valid
            if step.enums:  # an enum rendered to a name: not a number
                ok = valid & ~np.isin(raw, step.enums)
            out[step.column] = _merged(out.get(step.column), _scaled(raw, step.spec), ok, np.nan)
    columns = {name: out[name] if name in out else np.full(n, np.nan) for name in RECORD_FIELDS}
    if "timestamp" not in out:
        columns["timestamp"] = np.full(n, -1, dtype=np.int64)
    if times:
        compressed = np.flatnonzero(rows[:, 0] & 0x80)
        if len(compressed):
            columns["timestamp"][compressed] = [times[o] for o in layout.offsets()[compressed].tolist()]
            out["timestamp"] = columns["timestamp"]
    return columns, frozenset(out)


def decode(data: bytes, path: str) -> Decoded:
    """Read FIT bytes (possibly several chained files) in one pass; raises :class:`Unsupported`."""
    small = _SMALL
    data_array = np.frombuffer(data, dtype=np.uint8)
    messages: dict[str, list[tuple[int, dict[str, Any]]]] = {name: [] for name in small}
    parts: list[tuple[_Layout, dict[str, np.ndarray]]] = []
    present: set[str] = set()
    counted = {"session": 0, "record": 0}
    for start, end in _chunks(data, path):
        layouts, compressed = _scan(data, data_array, start, end, counted, path)
        limits.check_clock()
        times = _timestamps(layouts, compressed, data_array)
        records = [layout for layout in layouts if layout.mesg_num == RECORD_NUM and layout.runs]
        accumulated = _accumulated(records, data_array)
        for layout in records:
            columns, fed = _record_columns(layout, data_array, accumulated, times)
            parts.append((layout, columns))
            present |= fed
        for layout in layouts:
            mesg = layout.mesg_type
            if mesg is None or mesg.name not in small:
                continue
            step = layout.size + 1
            for first, count in layout.runs:
                for offset in range(first, first + count * step, step):
                    values = _message_values(layout, data, offset + 1, times.get(offset))
                    messages[mesg.name].append((offset, values))
    if not parts:
        columns = {name: np.full(0, np.nan) for name in RECORD_FIELDS}
        columns["timestamp"] = np.full(0, -1, dtype=np.int64)
    elif len(parts) == 1:
        columns = parts[0][1]
    else:
        order = np.argsort(np.concatenate([layout.offsets() for layout, _ in parts]), kind="stable")
        columns = {name: np.concatenate([part[name] for _, part in parts])[order] for name in RECORD_FIELDS}
    return Decoded(messages={name: [values for _, values in sorted(found, key=lambda item: item[0])]
                             for name, found in messages.items()},
                   records=columns, n_records=len(columns["timestamp"]), present=frozenset(present))


def records_frame(columns: dict[str, np.ndarray], present: Collection[str] = RECORD_FIELDS) -> RecordColumns:
    """Record columns as ``fit._record_frame`` makes them from dicts: SI units, cadence not yet
    doubled, one row per FIT second ``t``, undatable and future records dropped, records
    sharing a second merged (first value per column). Columns not ``present`` (all NaN) are
    not merged into others, which leaves the same values."""
    t = columns["timestamp"]
    increasing = len(t) < 2 or bool((t[1:] > t[:-1]).all())  # as devices write them: then so is any subset
    latest = time.time() - FIT_EPOCH_S + 86400
    low, high = ((t[0], t[-1]) if increasing else (t.min(), t.max())) if len(t) else (MIN_DATE_S, MIN_DATE_S)
    if low < MIN_DATE_S or high > latest:
        keep = (t >= MIN_DATE_S) & (t <= latest)
        columns = {name: values[keep] for name, values in columns.items()}

    def first(*names: str) -> np.ndarray:
        names = tuple(name for name in names if name in present) or names[:1]
        column = columns[names[0]]
        for name in names[1:]:
            column = np.where(np.isnan(column), columns[name], column)
        return column

    fractional = columns["fractional_cadence"]
    cadence = columns["cadence"] + (np.where(np.isnan(fractional), 0.0, fractional)
                                    if "fractional_cadence" in present else 0.0)
    if "cadence256" in present:
        cadence = np.where(np.isnan(cadence), columns["cadence256"], cadence)
    frame = {
        "t": columns["timestamp"],
        "distance_m": columns["distance"],
        "speed_mps": first("enhanced_speed", "speed"),
        "elevation_m": first("enhanced_altitude", "altitude"),
        "cadence_spm": cadence,
        "heart_rate_bpm": columns["heart_rate"],
        "latitude_deg": columns["position_lat"] * SEMICIRCLE_DEG if "position_lat" in present
        else columns["position_lat"],
        "longitude_deg": columns["position_long"] * SEMICIRCLE_DEG if "position_long" in present
        else columns["position_long"],
    }
    t = frame["t"]
    if not increasing and len(np.unique(t)) < len(t):  # records sharing a second
        frame = first_per_second(frame)
    return RecordColumns(frame, (int(t[0]), int(t[-1])) if increasing and len(t) else None)

