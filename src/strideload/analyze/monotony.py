"""Foster's monotony and strain, and the ``monotony_high`` flag (information only).

Over the last D = ``monotony_days`` (7) daily loads (each athlete's ``load_unit``, see
:mod:`.load_units`), rest days included as zeros:
``monotony = mean ÷ standard deviation`` (the population standard deviation of those D
values) and ``strain = D-day load × monotony``. Defined from the athlete's D-th day on;
NaN for a week without running, infinite for a week of identical non-zero loads, and NaN
where the D days are not covered enough (:mod:`.coverage`: a gap is not a week of rest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from ..config import Config
from .coverage import Coverage
from .daily import QUANTUM, DayGrid, units
from .flags import day_stretches, flag_frame, lasted
from .load_units import UNIT_LABELS, amount, known_enough
from .runs import rounded

if TYPE_CHECKING:
    from .analysis import Analysis

#: A standard deviation below this fraction of the mean counts as zero (float noise).
_FLAT = 1e-9


def monotony_columns(daily: pd.DataFrame, grid: DayGrid, config: Config, coverage: Coverage) -> pd.DataFrame:
    """``monotony`` and ``strain`` per day."""
    days = config.get("monotony_days")
    load = daily["load"].to_numpy(dtype="float64")
    known = ~np.isnan(load)
    load = np.nan_to_num(load)
    total = grid.windows(units(load))(days) / QUANTUM
    mean = total / days
    sd = np.full(grid.size, np.nan)
    if grid.size >= days:
        sd[days - 1:] = sliding_window_view(load, days).std(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        monotony = np.where(sd <= _FLAT * mean, np.inf, mean / sd)
    defined = (grid.day_index >= days - 1) & (mean > 0) & known_enough(coverage, known, days)
    monotony = np.where(defined, monotony, np.nan)
    return pd.DataFrame({"monotony": monotony, "strain": total * monotony}, index=daily.index)


def monotony_high(analysis: Analysis) -> pd.DataFrame:
    """``monotony_high`` (info): monotony above ``monotony_high``; once per stretch, with its length."""
    daily, grid, config = analysis.daily, analysis.grid, analysis.config
    threshold = config.get("monotony_high")
    days = config.get("monotony_days")
    monotony = rounded(daily["monotony"].to_numpy(), config.get("ratio_decimals"))
    found = day_stretches(np.nan_to_num(monotony, nan=0.0, posinf=np.inf) > threshold, grid,
                          config.get("stretch_merge_days"))
    rows = daily.iloc[found.start]
    messages = []
    for value, strain, unit, length, end, ongoing in zip(rows["monotony"], rows["strain"], rows["load_unit"],
                                                         found.days, found.end_day, found.ongoing, strict=True):
        metric = UNIT_LABELS[unit].split(" (")[0]
        if np.isinf(value):
            text = (f"Your daily running {metric} was exactly the same on each of the last "
                    f"{days} days, so monotony has no upper bound.")
        else:
            mean = strain / value / days
            daily_amount = amount(mean, unit)
            text = (f"Your daily running {metric} over the last {days} days varied little "
                    f"(monotony {value:.1f}: on average {daily_amount} a day).")
        messages.append(f"{text}{lasted(length, end, ongoing, f'above {threshold:g}')} Easier and rest days "
                        "add the variation that lets you absorb training.")
    values = np.where(np.isinf(rows["monotony"]), np.nan, rows["monotony"])
    return flag_frame("monotony_high", athlete=rows["athlete"], day=grid.day[found.start], value=values,
                      threshold=threshold, message=messages)
