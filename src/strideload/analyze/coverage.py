"""Coverage: which days of an athlete's series are known, and which are a gap in the records.

Missing data is not rest. A day is **covered** when the athlete recorded something
(any activity, any sport, counted or set aside) on it, or when it is one of the first
N − 1 days of a stretch without any, N = ``coverage_gap_days`` (14): a runner's usual rest
days and holiday weeks. From the N-th day of such a stretch on, the days are a **gap**:
nothing is known about them, so they are not read as zeros. The days before an athlete's
series starts count as a gap too (history start).

**Context days** (an injury, illness or holiday period the athlete recorded,
:mod:`strideload.context`) are known gaps: uncovered from their first day, whatever the
activities, and never read as rest; ``context`` names the kind per day.

The rule is causal: whether a day is covered depends only on that day and the days before
it, so adding later activities never changes an earlier day (the first N − 1 days of a long
layoff stay rest days; the layoff is a gap from its N-th day).

Every windowed value leans on its window's coverage: a window is **covered enough** when
at least ``coverage_min_pct`` (100 %) of its days are covered; otherwise its value is
"insufficient history" with the reason, not a number. A **covered stretch** is a run of
covered days; ``history_days`` counts the days since its first day, so the ratios'
warm-up (``acwr_min_history_days``) starts again after a gap, and the EWMAs are seeded
afresh there (:mod:`.acwr`).

Computed once per analysis (:attr:`Analysis.coverage`) and read by every signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..config import Config
from .daily import DayGrid
from .runs import local_days


@dataclass
class Coverage:
    """Coverage of every row of a :class:`~strideload.analyze.daily.DayGrid`.

    ``active``: the athlete recorded an activity that day. ``last_active``: the row of
    the latest such day up to this one. ``covered``: see the module doc.
    ``segment_start``: the first row of the covered stretch a covered row is in (−1 for
    uncovered rows). ``history_days``: rows since that first row (−1 when uncovered).
    """

    grid: DayGrid
    active: np.ndarray
    last_active: np.ndarray
    covered: np.ndarray
    segment_start: np.ndarray
    history_days: np.ndarray
    gap_days: int
    min_pct: float
    context: np.ndarray | None = None  #: per row: ``injury``, ``illness``, ``holiday`` or None

    @cached_property
    def _windows(self):
        return self.grid.windows(self.covered.astype("int64"))

    def covered_days(self, length: int, lag: int = 0) -> np.ndarray:
        """Per row, covered days among the ``length`` days ending ``lag`` days before it."""
        return self._windows(length, lag)

    def enough(self, length: int, lag: int = 0) -> np.ndarray:
        """Per row: is that window covered enough (``coverage_min_pct`` of its days)?"""
        return 100 * self.covered_days(length, lag) >= self.min_pct * length - 1e-9

    @cached_property
    def days_off(self) -> np.ndarray:
        """Per covered row: days without any activity before its covered stretch began (0 at the
        history start, where nothing came before)."""
        out = np.zeros(self.grid.size, dtype="int64")
        starts = self.segment_start
        after_gap = (starts > self.grid.block_start) & (starts >= 0)
        rows = starts[after_gap]
        out[after_gap] = rows - self.last_active[rows - 1] - 1
        return out

    @cached_property
    def gap_start(self) -> np.ndarray:
        """Per covered row after a gap: the row of the last activity before the gap (−1 otherwise)."""
        out = np.full(self.grid.size, -1, dtype="int64")
        starts = self.segment_start
        after_gap = (starts > self.grid.block_start) & (starts >= 0)
        out[after_gap] = self.last_active[starts[after_gap] - 1]
        return out


def activity_rows(summaries: pd.DataFrame, grid: DayGrid, until: int | None) -> np.ndarray:
    """Grid rows of every activity of ``summaries`` (any sport) that falls inside the series."""
    if not len(summaries) or "athlete" not in summaries or not grid.size:
        return np.zeros(0, dtype="int64")
    days = local_days(summaries)
    codes = pd.Index(grid.athletes).get_indexer(summaries["athlete"].astype(object))
    ok = ~np.isnan(days) & (codes >= 0)
    if until is not None:
        ok &= days <= until
    codes, days = codes[ok].astype("int64"), days[ok].astype("int64")
    last = grid.first_day + np.bincount(grid.code, minlength=len(grid.athletes)) - 1
    inside = (days >= grid.first_day[codes]) & (days <= last[codes])
    return grid.rows(codes[inside], days[inside])


def context_rows(context: pd.DataFrame | None, grid: DayGrid) -> np.ndarray:
    """Per row of ``grid``: the kind of the context period the day lies in, or None (the first
    period listed wins where two overlap)."""
    kinds = np.full(grid.size, None, dtype=object)
    if context is None or not len(context) or not grid.size:
        return kinds
    codes = pd.Index(grid.athletes).get_indexer(context["athlete"].astype(object))
    starts = pd.to_datetime(context["start_date"]).to_numpy().astype("datetime64[D]").astype("int64")
    ends = pd.to_datetime(context["end_date"]).to_numpy().astype("datetime64[D]").astype("int64")
    last = grid.first_day + np.bincount(grid.code, minlength=len(grid.athletes)) - 1
    for code, start, end, kind in zip(codes[::-1], starts[::-1], ends[::-1], context["kind"].to_numpy()[::-1],
                                      strict=True):
        if code < 0:
            continue
        start, end = max(start, grid.first_day[code]), min(end, last[code])
        if start <= end:
            kinds[grid.rows(np.arange(start, end + 1) * 0 + code, np.arange(start, end + 1))] = kind
    return kinds


def coverage(summaries: pd.DataFrame, grid: DayGrid, config: Config, until: int | None = None,
             context: pd.DataFrame | None = None) -> Coverage:
    """The :class:`Coverage` of ``grid`` given every activity in ``summaries`` and the athletes'
    ``context`` periods (``Store.context_frame()``; known gaps)."""
    gap_days = config.get("coverage_gap_days")
    active = np.zeros(grid.size, dtype=bool)
    active[activity_rows(summaries, grid, until)] = True
    active[grid.new_athlete] = True  # each series starts on a run
    rows = np.arange(grid.size)
    last_active = np.maximum.accumulate(np.where(active, rows, -1)) if grid.size else rows
    kinds = context_rows(context, grid)
    covered = (rows - last_active < gap_days) & np.equal(kinds, None)
    starts = covered & (grid.new_athlete | ~np.concatenate(([True], covered[:-1])))
    segment = np.maximum.accumulate(np.where(starts, rows, -1)) if grid.size else rows
    segment = np.where(covered, segment, -1)
    history = np.where(covered, rows - segment, -1)
    return Coverage(grid, active, last_active, covered, segment, history, gap_days,
                    float(config.get("coverage_min_pct")), kinds)
