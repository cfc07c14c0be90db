"""The continuous daily series: one row per athlete and local day, rest days as zeros.

Each athlete's series starts on the local day of their first run (days before it do not
exist) and runs to their last run, or to ``until`` when that is later. Every windowed
value on a row is computed from the days ending on that row's date, never relative to
today, so adding days at the end never changes earlier rows.

Window sums are taken on integer micro-units (1 mm, 1 µmin) through a cumulative sum:
exact, so a window's total never depends on values outside it, and a threshold on the
boundary compares the way a hand calculation does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import UsageError
from .runs import athlete_names, days_to_dates

#: Longest daily series built (days): a century covers any athlete; a date in year 9999 is a typo.
MAX_SERIES_DAYS = 36_525

#: Window sums work on values rounded to 1e-6 of their unit.
QUANTUM = 1_000_000


def units(values: np.ndarray) -> np.ndarray:
    """``values`` (NaN as 0) as integer micro-units."""
    return np.rint(np.nan_to_num(np.asarray(values, dtype="float64")) * QUANTUM).astype("int64")


@dataclass
class DayGrid:
    """Where each athlete's days sit in the concatenated daily series.

    Rows are grouped by athlete (in ``code`` order) and consecutive by day. ``first_day``
    and ``offset`` are per athlete code; the rest are per row.
    """

    athletes: list[str]
    first_day: np.ndarray
    offset: np.ndarray
    code: np.ndarray
    day: np.ndarray
    day_index: np.ndarray

    @property
    def size(self) -> int:
        return len(self.day)

    @cached_property
    def block_start(self) -> np.ndarray:
        """Per row: the row of the athlete's first day."""
        return np.arange(self.size) - self.day_index

    @property
    def new_athlete(self) -> np.ndarray:
        return self.day_index == 0

    def rows(self, code: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Row of each (athlete code, day) pair; the day must lie inside the series."""
        return self.offset[code] + (day - self.first_day[code])

    def per_day(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Total of ``values`` (integer units) for each row, zeros on days without any."""
        totals = np.bincount(rows, weights=values.astype("float64"), minlength=self.size)
        return np.rint(totals).astype("int64")

    def windows(self, daily_units: np.ndarray) -> Callable[..., np.ndarray]:
        """``window(length, lag=0)``: per row, the sum of ``daily_units`` over the ``length``
        days ending ``lag`` days before it (one cumulative sum serves every window).

        Days before the athlete's first day count as nothing; a window lying wholly before
        it sums to 0. Callers decide from ``day_index`` whether the window was complete.
        """
        cumulative = np.concatenate([[0], np.cumsum(daily_units)])
        rows = np.arange(self.size)

        def window(length: int, lag: int = 0) -> np.ndarray:
            hi = rows - lag
            lo = np.maximum(hi - length + 1, self.block_start)
            return cumulative[np.maximum(hi, lo - 1) + 1] - cumulative[lo]

        return window


def day_grid(runs: pd.DataFrame, until: int | None = None) -> DayGrid:
    """The grid for ``runs`` (from :func:`~strideload.analyze.runs.prepare_runs`).

    ``until`` (days since the epoch) extends every series to that day; runs after it must
    already be dropped.
    """
    names = athlete_names(runs)
    codes = runs["code"].to_numpy()
    days = runs["day"].to_numpy()
    first = np.full(len(names), np.iinfo("int64").max)
    last = np.full(len(names), np.iinfo("int64").min)
    np.minimum.at(first, codes, days)
    np.maximum.at(last, codes, days)
    if until is not None:
        last = np.maximum(last, until)
    lengths = last - first + 1
    if len(lengths) and int(lengths.max()) > MAX_SERIES_DAYS:
        raise UsageError(f"a daily series of {int(lengths.max()):,} days (more than {MAX_SERIES_DAYS // 365} "
                         "years) was asked for: choose a date closer to the runs")
    offset = (np.cumsum(lengths) - lengths).astype("int64")
    code = np.repeat(np.arange(len(names)), lengths)
    day_index = np.arange(int(lengths.sum())) - np.repeat(offset, lengths)
    return DayGrid(names, first, offset, code, first[code] + day_index, day_index)


def base_series(runs: pd.DataFrame, grid: DayGrid, rows: np.ndarray) -> pd.DataFrame:
    """Per-day totals: ``distance_km``, ``duration_min``, ``downhill_km``, ``descent_m``, ``runs``.

    ``rows`` is each run's row in the grid.
    """
    frame = pd.DataFrame({
        "athlete": pd.Categorical.from_codes(grid.code, categories=pd.Index(grid.athletes)),
        "date": days_to_dates(grid.day),
    })
    for column in ("distance_km", "duration_min", "downhill_km", "descent_m"):
        frame[column] = grid.per_day(rows, units(runs[column].to_numpy())) / QUANTUM
    frame["runs"] = np.bincount(rows, minlength=grid.size)
    return frame
