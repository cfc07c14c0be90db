"""Acute:chronic workload ratios, three ways side by side, and the ``acwr_high`` flag.

Load is the daily ``load`` on each athlete's ``load_unit`` (:mod:`.load_units`): running
distance (km) by default, or duration (min), session-RPE or TRIMP. With acute window
A = ``acwr_acute_days`` (7) and chronic window C = ``acwr_chronic_days`` (28):

* rolling, coupled: A-day sum ÷ (C-day sum ÷ (C/A)), i.e. 7-day sum ÷ (28-day sum / 4);
* rolling, uncoupled: A-day sum ÷ (sum of days A+1..C ÷ ((C−A)/A)), i.e. ÷ (days 8–28 / 3);
* EWMA (Williams 2017): ``E_t = λ·load_t + (1−λ)·E_{t−1}`` with λ = 2/(N+1) for N = A
  (0.25) and N = C (2/29); ratio = acute EWMA ÷ chronic EWMA. Both are **seeded** at the
  start of each covered stretch (history start, and the return after a gap) with the mean
  daily load of its first H = ``acwr_min_history_days`` (28) days (``acwr_ewma_seed =
  "mean"``): a steady load then reads 1.0 from the first ratio shown, where a seed of 0
  reads ~14 % high (the chronic mean still filling). The seed uses only days before the
  first ratio shown, so no shown value looks ahead. ``"zero"`` keeps the printed 0 seed.

A ratio is hidden (NaN) until its day is ``acwr_min_history_days`` into a covered stretch
(:mod:`.coverage`) and its chronic window is covered enough (in the unit: a day with a run
lacking RPE or heart rate is not known in those units), and wherever its chronic load is
0: after a layoff the first easy run is not a 4.0 spike of missing data. The same coupled
view is given for downhill distance (``downhill_acwr``), with descent per km and downhill share
(:func:`~.load_units.downhill_columns`). Bands follow Gabbett's
team-sport zones, compared at ``ratio_decimals``; in runners the relationship did not hold,
so a high ratio is at most a caution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import Config
from .coverage import Coverage
from .daily import QUANTUM, DayGrid, units
from .flags import KINDS, day_stretches, flag_frame, lasted
from .load_units import UNIT_LABELS, amount, downhill_columns, known_enough
from .runs import rounded

if TYPE_CHECKING:
    from .analysis import Analysis


def _ratio(acute: np.ndarray, chronic: np.ndarray, shown: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = acute / chronic
    return np.where(shown & (chronic > 0), ratio, np.nan)


def ewma(load: np.ndarray, grid: DayGrid, span_days: int, starts: np.ndarray | None = None,
         seed: np.ndarray | None = None) -> np.ndarray:
    """Exponentially weighted mean of daily ``load``, λ = 2/(span+1).

    It starts afresh on each row where ``starts`` is True (each athlete's first day always
    is) from ``seed`` (per row, read on starting rows; 0 when omitted): the value before
    that row.
    """
    if grid.size == 0:
        return np.zeros(0)
    alpha = 2.0 / (span_days + 1)
    starts = grid.new_athlete.copy() if starts is None else (np.asarray(starts, dtype=bool) | grid.new_athlete)
    rows = np.arange(grid.size)
    # One pass over every athlete's days in a row. Each stretch's first day then carries
    # the previous day's smoothed value (for the very first row, pandas' seed: the first
    # load); that carry decays by (1-λ) a day, so replacing it by the seed gives the mean
    # started from that seed.
    smoothed = pd.Series(load).ewm(alpha=alpha, adjust=False).mean().to_numpy()
    first = np.flatnonzero(starts)
    carry = np.where(first == 0, load[0], smoothed[np.maximum(first - 1, 0)])
    start_seed = np.zeros(len(first)) if seed is None else np.asarray(seed, dtype="float64")[first]
    which = np.cumsum(starts) - 1
    since = rows - first[which] + 1
    return smoothed + (1.0 - alpha) ** since * (start_seed - carry)[which]


def ewma_seed(load: np.ndarray, coverage: Coverage, config: Config) -> np.ndarray | None:
    """Per row, the mean daily load of the first ``acwr_min_history_days`` days (at least one)
    of the covered stretch starting there; None with ``acwr_ewma_seed = "zero"``."""
    if config.get("acwr_ewma_seed") == "zero" or not len(load):
        return None
    days = max(1, config.get("acwr_min_history_days"))
    rows = np.arange(len(load))
    # the last row of each covered stretch: the row before the next uncovered or new-athlete row
    ends = np.flatnonzero(coverage.covered & np.concatenate((~coverage.covered[1:] | coverage.grid.new_athlete[1:],
                                                              [True])))
    end = ends[np.minimum(np.searchsorted(ends, rows), len(ends) - 1)] if len(ends) else rows
    stop = np.minimum(rows + days, end + 1)
    stop = np.maximum(stop, rows + 1)
    cumulative = np.concatenate(([0.0], np.cumsum(load)))
    return (cumulative[stop] - cumulative[rows]) / (stop - rows)


def load_columns(daily: pd.DataFrame, grid: DayGrid, config: Config, coverage: Coverage) -> pd.DataFrame:
    """Window sums (km, and in the athlete's unit), the three ratios on that unit, and downhill's views
    (:func:`~.load_units.downhill_columns`) for every day of ``daily`` (which has ``load``)."""
    acute_days = config.get("acwr_acute_days")
    chronic_days = config.get("acwr_chronic_days")
    distance_shown = (coverage.history_days >= config.get("acwr_min_history_days")) & coverage.enough(chronic_days)
    daily_load = daily["load"].to_numpy(dtype="float64")
    known = ~np.isnan(daily_load)
    shown = distance_shown & known_enough(coverage, known, chronic_days)
    daily_load = np.nan_to_num(daily_load)

    distance = grid.windows(units(daily["distance_km"].to_numpy()))
    load = grid.windows(units(daily_load))
    downhill = grid.windows(units(daily["downhill_km"].to_numpy()))
    weeks = chronic_days / acute_days
    acute = load(acute_days) / QUANTUM
    chronic = load(chronic_days) / QUANTUM
    older = load(chronic_days - acute_days, acute_days) / QUANTUM
    starts = coverage.segment_start == np.arange(grid.size)
    seed = ewma_seed(daily_load, coverage, config)
    acute_ewma = ewma(daily_load, grid, acute_days, starts, seed)
    chronic_ewma = ewma(daily_load, grid, chronic_days, starts, seed)
    downhill_acute = downhill(acute_days) / QUANTUM
    downhill_chronic = downhill(chronic_days) / QUANTUM
    return pd.DataFrame({
        "acute_7d_km": distance(acute_days) / QUANTUM,
        "chronic_28d_km": distance(chronic_days) / QUANTUM,
        "acute_7d_load": np.where(known_enough(coverage, known, acute_days), acute, np.nan),
        "chronic_28d_load": np.where(known_enough(coverage, known, chronic_days), chronic, np.nan),
        "acwr_coupled": _ratio(acute, chronic / weeks, shown),
        "acwr_uncoupled": _ratio(acute, older / (weeks - 1), shown),
        "acwr_ewma": _ratio(acute_ewma, chronic_ewma, shown),
        "downhill_7d_km": downhill_acute,
        "downhill_28d_km": downhill_chronic,
        "downhill_acwr": _ratio(downhill_acute, downhill_chronic / weeks, distance_shown),
    }, index=daily.index).join(downhill_columns(daily, grid, config, distance_shown))


def band(ratio: float, config: Config) -> str | None:
    """Gabbett's zone for a ratio: ``low``, ``sweet spot``, ``elevated`` or ``high``.

    The ratio is compared at ``ratio_decimals`` (1.3000000000000003 is 1.30: sweet spot).
    """
    if ratio is None or np.isnan(ratio):
        return None
    ratio = float(rounded(np.asarray(ratio), config.get("ratio_decimals")))
    if ratio < config.get("acwr_sweet_low"):
        return "low"
    if ratio <= config.get("acwr_sweet_high"):
        return "sweet spot"
    if ratio < config.get("acwr_high"):
        return "elevated"
    return "high"


def acwr_high(analysis: Analysis) -> pd.DataFrame:
    """``acwr_high`` (caution): the EWMA ratio reaches ``acwr_high``; once per stretch, with its length."""
    daily, grid, config = analysis.daily, analysis.grid, analysis.config
    threshold = config.get("acwr_high")
    ratio = rounded(daily["acwr_ewma"].to_numpy(), config.get("ratio_decimals"))
    found = day_stretches(np.nan_to_num(ratio) >= threshold, grid, config.get("stretch_merge_days"))
    rows = daily.iloc[found.start]
    acute_days, chronic_days = config.get("acwr_acute_days"), config.get("acwr_chronic_days")
    messages = [
        f"Your running load of the last {acute_days} days ({amount(a, unit)}) is {r:.2f} times your "
        f"longer-term load (in {UNIT_LABELS[unit]}; EWMA ratio, λ = 2/(N+1) with N = {acute_days} and "
        f"{chronic_days} days)." + lasted(length, end, ongoing, f"at or above {threshold:g}") + " "
        + KINDS["acwr_high"].note
        for r, a, unit, length, end, ongoing in zip(rows["acwr_ewma"], rows["acute_7d_load"], rows["load_unit"],
                                                    found.days, found.end_day, found.ongoing, strict=True)
    ]
    return flag_frame("acwr_high", athlete=rows["athlete"], day=grid.day[found.start], value=rows["acwr_ewma"],
                      threshold=threshold, message=messages)
