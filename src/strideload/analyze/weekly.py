"""Increase over the usual week in running distance, and the ``weekly_increase`` flag.

With D = ``weekly_increase_days`` (7) and W = ``weekly_increase_usual_weeks`` (4):
``usual_7d_km`` is the mean distance of the W windows of D days before the last D days
(days 8–35 before, ÷ 4), and ``weekly_increase_pct = 100 · (last D days / usual − 1)``.
Nielsen 2014 compared a week with the week before; a single previous week is at the mercy
of which days the runs fell on (a runner who runs every other day has 4 runs in one 7 days
and 3 in the next: "+33 %" twice a week with no change at all), so the last 7 days are set
against the mean of the four weeks before them instead: four weeks hold 14 such runs, 3.5
a week, so the most a steady every-other-day runner's 7 days can read is +14 %. (Three
weeks hold 10 or 11: +20 % from the calendar alone.)

The last 7 days themselves hold 2 or 3 runs of an every-third-day runner, 3 or 4 of an
every-other-day one, depending only on whether a run falls on the window's first day. So
the flag also asks the increase to hold for the 7 days counted noon to noon (the mean of
the 7 days ending today and ending yesterday: the first and last day count half), which a
run on the window's edge does not move; a real increase, or one long run, holds both ways.

``usual_7d_load`` and ``weekly_change_pct`` are the same on each athlete's ``load_unit``
(:mod:`.load_units`; unknown where a day of the 35 lacks the unit's value); the flag stays
on distance, as Nielsen 2014 measured it.

Defined where the D·(W+1) days are covered enough (:mod:`.coverage`) and the usual week
had some running. The flag is information only (the "10 % rule" had no benefit in a
trial; Nielsen 2014 saw more distance-related injuries above 30 %), needs the usual week
to hold at least ``weekly_increase_min_km``, compares the percentages at
``percent_decimals``, and is raised once per stretch of days, with its length.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import Config
from .coverage import Coverage
from .daily import QUANTUM, DayGrid, units
from .flags import day_stretches, flag_frame, km, lasted, pct
from .load_units import known_enough
from .runs import rounded

if TYPE_CHECKING:
    from .analysis import Analysis


def weekly_columns(daily: pd.DataFrame, grid: DayGrid, config: Config, coverage: Coverage) -> pd.DataFrame:
    """``usual_7d_km`` and ``weekly_increase_pct`` (NaN where undefined) per day."""
    days = config.get("weekly_increase_days")
    weeks = config.get("weekly_increase_usual_weeks")
    distance = grid.windows(units(daily["distance_km"].to_numpy()))
    last = distance(days)
    before = distance(days * weeks, days)
    known = coverage.enough(days * (weeks + 1))
    defined = known & (before > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        increase = 100.0 * (weeks * last - before) / before  # exact on the integer units
    load = daily["load"].to_numpy(dtype="float64")
    windows = grid.windows(units(load))
    last_load, before_load = windows(days), windows(days * weeks, days)
    known_load = known & known_enough(coverage, ~np.isnan(load), days * (weeks + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        change = 100.0 * (weeks * last_load - before_load) / before_load
    return pd.DataFrame({
        "usual_7d_km": np.where(known, before / weeks / QUANTUM, np.nan),
        "weekly_increase_pct": np.where(defined, increase, np.nan),
        "usual_7d_load": np.where(known_load, before_load / weeks / QUANTUM, np.nan),
        "weekly_change_pct": np.where(known_load & (before_load > 0), change, np.nan),
    }, index=daily.index)


def weekly_increase(analysis: Analysis) -> pd.DataFrame:
    """``weekly_increase`` (info), once per stretch of days over the threshold."""
    daily, grid, config = analysis.daily, analysis.grid, analysis.config
    threshold = config.get("weekly_increase_pct")
    days = config.get("weekly_increase_days")
    weeks = config.get("weekly_increase_usual_weeks")
    decimals = config.get("percent_decimals")
    increase = rounded(daily["weekly_increase_pct"].to_numpy(), decimals)
    usual = daily["usual_7d_km"].to_numpy()
    last = daily["acute_7d_km"].to_numpy() if days == config.get("acwr_acute_days") else \
        grid.windows(units(daily["distance_km"].to_numpy()))(days) / QUANTUM
    day_before = np.where(grid.new_athlete, np.nan, np.roll(last, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        noon_to_noon = rounded(100.0 * ((last + day_before) / 2 / usual - 1), decimals)
    condition = ((np.nan_to_num(increase, nan=-np.inf) > threshold)
                 & (np.nan_to_num(noon_to_noon, nan=-np.inf) > threshold)
                 & (np.nan_to_num(usual) >= config.get("weekly_increase_min_km")))
    found = day_stretches(condition, grid, config.get("stretch_merge_days"))
    rows = daily.iloc[found.start]
    last = rows["usual_7d_km"] * (1 + rows["weekly_increase_pct"] / 100)
    messages = [
        f"You ran {km(now)} in the last {days} days, {pct(up)} more than your usual {km(usual)} "
        f"(the {days}-day mean of the {weeks * days} days before)."
        + lasted(length, end, ongoing, f"more than {threshold:g} % above")
        for now, up, usual, length, end, ongoing in zip(last, rows["weekly_increase_pct"], rows["usual_7d_km"],
                                                        found.days, found.end_day, found.ongoing, strict=True)
    ]
    return flag_frame("weekly_increase", athlete=rows["athlete"], day=grid.day[found.start],
                      value=rows["weekly_increase_pct"], threshold=threshold, message=messages)
