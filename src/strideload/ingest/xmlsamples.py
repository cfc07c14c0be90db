"""Sample columns as the streaming GPX/TCX readers collect them: compact, converted in blocks.

Numbers go into ``array('d')`` (8 bytes a value, NaN where absent) as each point ends; the
point's time text is kept until a block of :data:`BLOCK` points is full, then parsed in one
vectorised call. Memory therefore grows by about 8 bytes per value and point, whatever the
size of the document's text.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..model import samples_frame

#: Years a recorded time may fall in (GPS time starts in 1980); others are placeholders.
YEAR_RANGE = (1980, 2200)

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
    """ISO 8601 texts (mixed precisions and offsets; no offset = UTC) to UTC, ns.

    Unreadable texts and years outside :data:`YEAR_RANGE` become NaT.
    """
    stamps = pd.to_datetime(pd.Index(texts, dtype="object"), utc=True, errors="coerce", format="ISO8601")
    plausible = (stamps.year >= YEAR_RANGE[0]) & (stamps.year <= YEAR_RANGE[1])
    return stamps.where(plausible).as_unit("ns")


class Columns:
    """Columns of one track or activity: ``names`` numeric columns plus ``time``."""

    def __init__(self, names: Sequence[str]):
        self.names = tuple(names)
        self.values = [array("d") for _ in self.names]
        self._texts: list[str | None] = []
        self._times = array("q")

    def __len__(self) -> int:
        return len(self._times) + len(self._texts)

    def add(self, time: str | None, values: Sequence[float]) -> None:
        """One point: its time text and one value per column name, in order."""
        for column, value in zip(self.values, values):
            column.append(value)
        self._texts.append(time)
        if len(self._texts) >= BLOCK:
            self._flush()

    def _flush(self) -> None:
        if self._texts:
            self._times.extend(parse_times(self._texts).asi8.tolist())
            self._texts.clear()

    def times(self) -> pd.DatetimeIndex:
        """Every point's time (NaT where absent or implausible), UTC."""
        self._flush()
        ints = np.frombuffer(self._times, dtype=np.int64) if len(self._times) else np.zeros(0, np.int64)
        return pd.DatetimeIndex(ints.view("datetime64[ns]")).tz_localize("UTC")

    def column(self, name: str) -> np.ndarray:
        values = self.values[self.names.index(name)]
        return np.frombuffer(values, dtype=np.float64) if len(values) else np.zeros(0)

    def frame(self, **overrides: np.ndarray) -> pd.DataFrame:
        """The sample frame (:func:`strideload.model.samples_frame`): sorted, untimed rows dropped."""
        columns = {name: self.column(name) for name in self.names}
        columns.update(overrides)
        columns["time"] = self.times()
        return samples_frame(columns)


def timed_share(times: pd.DatetimeIndex) -> float:
    """Share of points that carry a usable time (0 for no points)."""
    return float(times.notna().mean()) if len(times) else 0.0

