"""Sample columns as the streaming GPX/TCX readers collect them: compact, converted in blocks.

Numbers go into ``array('d')`` (8 bytes a value, NaN where absent) as each point ends; the
point's time text is kept until a block of :data:`BLOCK` points is full, then parsed in one
vectorised call. Memory therefore grows by about 8 bytes per value and point, whatever the
size of the document's text.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ..model import RAW_COLUMNS, SampleOrder, sample_columns

#: Years a recorded time may fall in (GPS time starts in 1980); others are placeholders.
YEAR_RANGE = (1980, 2200)

#: Resolution of sample times: what pandas gives times parsed from text (the unit GPX/TCX samples had before).
UNIT = "us"
_NS_PER_UNIT = 1000

#: Points whose time texts are parsed together.
BLOCK = 1 << 15

NAN = float("nan")


def number(text: str | bytes | None) -> float:
    """A finite float from an element's text; NaN when absent, unreadable or not finite."""
    if text is None:
        return NAN
    try:
        value = float(text)
    except ValueError:
        return NAN
    return value if math.isfinite(value) else NAN


def numbers(texts: list[str | bytes | None]) -> np.ndarray:
    """Float values of element texts, as :func:`number` reads each one, vectorised.

    A column that repeats its values (heart rate, cadence, elevation) converts each distinct
    text once.
    """
    if texts.count(None) == len(texts):  # a column the file never writes (GPX speed)
        return np.full(len(texts), NAN)
    distinct = dict.fromkeys(texts)
    if 0 < len(distinct) * 2 <= len(texts):
        keys = list(distinct)
        value = dict(zip(keys, numbers(keys).tolist()))
        return np.fromiter(map(value.__getitem__, texts), dtype=np.float64, count=len(texts))
    try:
        values = np.array(texts, dtype=np.float64)  # None -> NaN; one C loop for the usual case
    except (ValueError, TypeError):
        values = np.array([number(text) for text in texts], dtype=np.float64)
    values[~np.isfinite(values)] = NAN
    return values


def parse_times(texts: Sequence[str | bytes | None]) -> np.ndarray:
    """ISO 8601 texts (mixed precisions and offsets; no offset = UTC) as naive-UTC
    ``datetime64`` in :data:`UNIT`.

    Unreadable texts and years outside :data:`YEAR_RANGE` become NaT. ASCII bytes read like
    the same text. The forms nearly every file writes (``2024-05-04T07:00:00Z``, and with
    milliseconds ``07:00:00.000Z``) are read by :func:`_plain_times` in numpy; pandas reads
    the rest (and is loaded only then: an import worker reading such files never loads it).
    """
    stamps, rest = _plain_times(texts)
    others = [texts[i] for i in rest]
    if any(text is not None for text in others):
        import pandas as pd

        others = [text.decode("ascii", "replace") if isinstance(text, bytes) else text for text in others]
        parsed = pd.to_datetime(pd.Index(others, dtype="object"), utc=True, errors="coerce", format="ISO8601")
        stamps[rest] = parsed.as_unit(UNIT).asi8
    stamps[(stamps < _PLAUSIBLE[0]) | (stamps >= _PLAUSIBLE[1])] = _NAT
    return stamps.view(f"datetime64[{UNIT}]")


_NAT = np.iinfo(np.int64).min
#: :data:`YEAR_RANGE` in :data:`UNIT` since 1970: from its first year's start to the end of its last.
_PLAUSIBLE = tuple(int(np.datetime64(f"{year}-01-01", UNIT).astype(np.int64))
                   for year in (YEAR_RANGE[0], YEAR_RANGE[1] + 1))
#: Where the digits of ``YYYY-MM-DDTHH:MM:SS`` are; the other bytes of the form, by position.
_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
_SEPARATORS = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":"}
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
#: The plain forms' tails after the seconds: fraction digits (0: no ``.``) and zone (``Z``,
#: ``+HH:MM`` / ``-HH:MM``, or none: UTC).
_FRACTIONS = range(10)
_ZONES = ("Z", "+HH:MM", "")
#: Longest plain form: ``YYYY-MM-DDTHH:MM:SS.fffffffff+HH:MM``.
_WIDTH = 19 + 10 + 6


def _plain_times(texts: Sequence[str | bytes | None]) -> tuple[np.ndarray, np.ndarray]:
    """Microseconds since 1970 (UTC) of the texts written ``YYYY-MM-DDTHH:MM:SS``, then an
    optional fraction of 1-9 digits (cut to the microsecond), then ``Z``, ``+HH:MM``/``-HH:MM``
    or nothing (UTC), with a real date and time: read in a few array operations per form
    present. Also the indexes of the other texts, still to read (their stamps NaT until then)."""
    n = len(texts)
    stamps = np.full(n, _NAT, dtype=np.int64)
    try:  # longer texts are cut (too long for any plain form), None is b"None"
        raw = np.array(texts, dtype=f"S{_WIDTH + 1}")
    except UnicodeEncodeError:  # a text with letters beyond ASCII: in no plain form
        raw = np.array([text if isinstance(text, bytes) else str(text).encode("ascii", "replace")
                        for text in texts], dtype=f"S{_WIDTH + 1}")
    lengths = np.char.str_len(raw)
    rows = raw.view(np.uint8).reshape(n, _WIDTH + 1)
    done = np.zeros(n, dtype=bool)
    present = set(np.unique(lengths).tolist())
    for fraction in _FRACTIONS:
        for zone in _ZONES:
            width = 19 + (fraction + 1 if fraction else 0) + len(zone)
            if width not in present:
                continue
            chosen = np.flatnonzero((lengths == width) & ~done)
            micros, ok = _read_form(rows[chosen, :width], fraction, zone)
            stamps[chosen[ok]] = micros[ok]
            done[chosen[ok]] = True
    return stamps, np.flatnonzero(~done)


def _read_form(form: np.ndarray, fraction: int, zone: str) -> tuple[np.ndarray, np.ndarray]:
    """Microseconds since 1970 (UTC) of byte rows in one plain form, and which rows are in it
    with a real date, time and offset."""
    ok = np.ones(len(form), dtype=bool)
    for column, separator in _SEPARATORS.items():
        ok &= form[:, column] == ord(separator)
    if fraction:
        ok &= form[:, 19] == ord(".")
    tail = 19 + (fraction + 1 if fraction else 0)
    offset_s = np.zeros(len(form), dtype=np.int64)
    if zone == "Z":
        ok &= form[:, tail] == ord("Z")
    elif zone:
        sign = form[:, tail]
        ok &= ((sign == ord("+")) | (sign == ord("-"))) & (form[:, tail + 3] == ord(":"))
        hh_mm = form[:, [tail + 1, tail + 2, tail + 4, tail + 5]] - np.uint8(ord("0"))
        ok &= (hh_mm <= 9).all(axis=1)
        hours = hh_mm[:, 0].astype(np.int64) * 10 + hh_mm[:, 1]
        minutes = hh_mm[:, 2].astype(np.int64) * 10 + hh_mm[:, 3]
        ok &= (hours <= 23) & (minutes <= 59)
        offset_s = np.where(sign == ord("-"), -1, 1) * (hours * 3600 + minutes * 60)
    digits = form[:, _DIGITS] - np.uint8(ord("0"))
    ok &= (digits <= 9).all(axis=1)  # bytes below "0" wrapped round to 208 and more
    pairs = digits[:, 0:14:2].astype(np.int64) * 10 + digits[:, 1:14:2]  # 20, 24, 05, 04, 07, 00, 00
    year = pairs[:, 0] * 100 + pairs[:, 1]
    month, day, hour, minute, second = pairs[:, 2:].T
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    days_in_month = _MONTH_DAYS[np.where(month_ok, month, 0)] + (leap & (month == 2))
    ok &= month_ok & (day >= 1) & (day <= days_in_month) & (hour <= 23) & (minute <= 59) & (second <= 59)
    seconds = _days_since_1970(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_s
    micros = seconds * 1_000_000
    if fraction:
        kept = min(fraction, 6)  # to the microsecond, the rest cut
        parts = form[:, 20:20 + fraction] - np.uint8(ord("0"))
        ok &= (parts <= 9).all(axis=1)
        micros += parts[:, :kept].astype(np.int64) @ (10 ** np.arange(5, 5 - kept, -1, dtype=np.int64))
    return micros, ok


def _days_since_1970(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days from 1970-01-01 to the given proleptic Gregorian dates (years >= 0)."""
    year = year - (month <= 2)
    era = year // 400
    of_era = year - era * 400
    of_year = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    return era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468


class Columns:
    """Columns of one track or activity: the numeric ``names`` plus ``time``, from element texts.

    A point is added as its texts (time first, then one per name; None where absent) and
    converted with its block of :data:`BLOCK` points, in a few vectorised calls, into one
    ``array`` per column. Points whose ``required`` columns are missing or out of ``bounds``
    are dropped then and counted in ``dropped``. :meth:`frame` wraps the arrays without
    copying them when the times are already in order.
    """

    def __init__(self, names: Sequence[str], *, required: Mapping[str, tuple[float, float]] | None = None):
        self.names = tuple(names)
        self.required = {self.names.index(name): bounds for name, bounds in (required or {}).items()}
        self.dropped = 0
        #: Texts of the points not yet converted, row after row (time, then one per name).
        self.rows: list[str | None] = []
        self._full = BLOCK * (len(self.names) + 1)
        self._values: list[array] = []  # one per name, made at the first flush (empty tracks stay small)
        self._times = array("q")

    @property
    def empty(self) -> bool:
        """No point added yet."""
        return not self.rows and not self._times

    def __len__(self) -> int:
        """Points kept (the ones without their required values are dropped)."""
        self._flush()
        return len(self._times)

    def add(self, point: Sequence[str | None]) -> int:
        """One point: its time text, then one text per column name, in order.

        Returns where the point starts in :attr:`rows`: until the next ``add`` a reader may
        still fill the point's texts there (``rows[start + 1 + names.index(name)]``). Blocks
        are converted before a point is added, never while it may be open.
        """
        rows = self.rows
        if len(rows) >= self._full:
            self._flush()
            rows = self.rows
        start = len(rows)
        rows.extend(point)
        return start

    def extend(self, texts: Iterable[str | bytes | None]) -> None:
        """Whole points, row after row (each: its time, then one text per column name);
        ASCII bytes read like the same text."""
        self.rows.extend(texts)
        if len(self.rows) >= self._full:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        width = len(self.names) + 1
        pending, self.rows = self.rows, []
        times = parse_times(pending[::width])
        values = np.column_stack([numbers(pending[index::width]) for index in range(1, width)])
        keep = np.ones(len(values), dtype=bool)
        for index, (low, high) in self.required.items():
            keep &= (values[:, index] >= low) & (values[:, index] <= high)  # NaN fails
        self.dropped += int((~keep).sum())
        if not self._values:
            self._values = [array("d") for _ in self.names]
        for index, column in enumerate(self._values):
            column.frombytes(np.ascontiguousarray(values[keep, index]).tobytes())
        self._times.frombytes(times[keep].tobytes())

    def times(self) -> np.ndarray:
        """Every kept point's time as naive-UTC ``datetime64`` (NaT where absent or implausible)."""
        return self._time_ints().view(f"datetime64[{UNIT}]")

    def _time_ints(self) -> np.ndarray:
        """Every kept point's time as int64 in :data:`UNIT` since the epoch (NaT: the smallest int64)."""
        self._flush()
        return np.frombuffer(self._times, dtype=np.int64) if len(self._times) else np.zeros(0, np.int64)

    def column(self, name: str) -> np.ndarray:
        """One column of the kept points, a read-only view of its array (no copy)."""
        self._flush()
        values = self._values[self.names.index(name)] if self._values else None
        return np.frombuffer(values, dtype=np.float64) if values else np.zeros(0)

    def sample_columns(self, **overrides: np.ndarray) -> tuple[dict[str, np.ndarray], SampleOrder]:
        """The points as a :class:`~strideload.model.RawActivity`'s columns and time order
        (:func:`strideload.model.sample_columns`: every raw column, sorted by time, untimed rows
        dropped, the first of equal times kept), taken without copies when the times already
        rise strictly."""
        columns: dict[str, object] = {name: self.column(name) for name in self.names}
        columns.update(overrides)
        ints = self._time_ints()
        # NaT is the smallest int64: times that rise strictly from a real first time have none
        if len(ints) and ints[0] != _NAT and bool((ints[1:] > ints[:-1]).all()):
            ready = {name: columns.get(name, np.full(len(ints), NAN)) for name in RAW_COLUMNS if name != "time"}
            ready["time"] = ints * _NS_PER_UNIT
            return ready, SampleOrder(timed_rows=len(ints))  # type: ignore[return-value]
        columns["time"] = self.times()
        return sample_columns(columns)


def timed_share(times: np.ndarray) -> float:
    """Share of points that carry a usable time (``datetime64``, NaT where none; 0 for no points)."""
    return float((~np.isnat(times)).mean()) if len(times) else 0.0

