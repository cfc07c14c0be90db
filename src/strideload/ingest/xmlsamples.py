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
import pandas as pd

from ..model import RAW_COLUMNS, samples_frame

#: Years a recorded time may fall in (GPS time starts in 1980); others are placeholders.
YEAR_RANGE = (1980, 2200)

#: Resolution of sample times: what pandas gives times parsed from text (the unit GPX/TCX samples had before).
UNIT = "us"

#: Points whose time texts are parsed together.
BLOCK = 1 << 15

NAN = float("nan")


def number(text: str | None) -> float:
    """A finite float from an element's text; NaN when absent, unreadable or not finite."""
    if text is None:
        return NAN
    try:
        value = float(text)
    except ValueError:
        return NAN
    return value if math.isfinite(value) else NAN


def parse_times(texts: Sequence[str | None]) -> pd.DatetimeIndex:
    """ISO 8601 texts (mixed precisions and offsets; no offset = UTC) to UTC, in :data:`UNIT`.

    Unreadable texts and years outside :data:`YEAR_RANGE` become NaT.
    """
    stamps = pd.to_datetime(pd.Index(texts, dtype="object"), utc=True, errors="coerce", format="ISO8601")
    plausible = (stamps.year >= YEAR_RANGE[0]) & (stamps.year <= YEAR_RANGE[1])
    return stamps.where(plausible).as_unit(UNIT)


def numbers(texts: list[str | None]) -> np.ndarray:
    """Float values of element texts, as :func:`number` reads each one, vectorised."""
    try:
        values = np.array(texts, dtype=np.float64)  # None -> NaN; one C loop for the usual case
    except (ValueError, TypeError):
        values = np.array([number(text) for text in texts], dtype=np.float64)
    values[~np.isfinite(values)] = NAN
    return values


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
        times = parse_times([text.decode("ascii") if text.__class__ is bytes else text for text in pending[::width]])
        del pending[::width]  # the numeric texts remain, row by row
        values = numbers(pending).reshape(-1, width - 1)
        keep = np.ones(len(values), dtype=bool)
        for index, (low, high) in self.required.items():
            keep &= (values[:, index] >= low) & (values[:, index] <= high)  # NaN fails
        self.dropped += int((~keep).sum())
        if not self._values:
            self._values = [array("d") for _ in self.names]
        for index, column in enumerate(self._values):
            column.frombytes(np.ascontiguousarray(values[keep, index]).tobytes())
        self._times.frombytes(times[keep].asi8.tobytes())

    def times(self) -> pd.DatetimeIndex:
        """Every kept point's time (NaT where absent or implausible), UTC."""
        self._flush()
        ints = np.frombuffer(self._times, dtype=np.int64) if len(self._times) else np.zeros(0, np.int64)
        return pd.DatetimeIndex(ints.view(f"datetime64[{UNIT}]")).tz_localize("UTC")

    def column(self, name: str) -> np.ndarray:
        """One column of the kept points, a read-only view of its array (no copy)."""
        self._flush()
        values = self._values[self.names.index(name)] if self._values else None
        return np.frombuffer(values, dtype=np.float64) if values else np.zeros(0)

    def frame(self, **overrides: np.ndarray) -> pd.DataFrame:
        """The sample frame of :func:`strideload.model.samples_frame` (every raw column, sorted
        by time, untimed rows dropped, the first of equal times kept), built without copies
        when the times already rise strictly; otherwise through ``samples_frame``."""
        columns: dict[str, object] = {name: self.column(name) for name in self.names}
        columns.update(overrides)
        times = self.times()
        ints = times.asi8
        if len(ints) and not times.hasnans and bool((ints[1:] > ints[:-1]).all()):
            nan = np.full(len(ints), NAN)
            data = {name: columns.get(name, nan) for name in RAW_COLUMNS if name != "time"}
            frame = pd.DataFrame({"time": pd.Series(times, copy=False), **data}, copy=False)
            return frame[list(RAW_COLUMNS)]
        columns["time"] = times
        return samples_frame(columns)


def timed_share(times: pd.DatetimeIndex) -> float:
    """Share of points that carry a usable time (0 for no points)."""
    return float(times.notna().mean()) if len(times) else 0.0

