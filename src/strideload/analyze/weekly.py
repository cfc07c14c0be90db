"""Week-over-week increase in running distance and the ``weekly_increase`` flag.

``weekly_increase_pct = 100 · (last D days / previous D days − 1)`` with D =
``weekly_increase_days`` (7), on distance. Defined once both windows lie inside the
athlete's series (from day 2D) and the previous window had some running. The flag is
information only (the "10 % rule" had no benefit in a trial; Nielsen 2014 saw more
distance-related injuries above 30 %) and needs the previous window to hold at least
``weekly_increase_min_km``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import Config
from .daily import QUANTUM, DayGrid, units
from .flags import flag_frame, km, pct
from .runs import episode_starts

if TYPE_CHECKING:
    from .analysis import Analysis


def weekly_columns(daily: pd.DataFrame, grid: DayGrid, config: Config) -> pd.DataFrame:
    """``previous_7d_km`` and ``weekly_increase_pct`` (NaN where undefined) per day."""
    days = config.get("weekly_increase_days")
    distance = grid.windows(units(daily["distance_km"].to_numpy()))
    last = distance(days)
    previous = distance(days, days)
    defined = (grid.day_index >= 2 * days - 1) & (previous > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        increase = 100.0 * (last - previous) / previous  # exact on the integer units
    return pd.DataFrame({
        "previous_7d_km": np.where(grid.day_index >= 2 * days - 1, previous / QUANTUM, np.nan),
        "weekly_increase_pct": np.where(defined, increase, np.nan),
    }, index=daily.index)


def weekly_increase(analysis: Analysis) -> pd.DataFrame:
    """``weekly_increase`` (info), once per stretch of days over the threshold."""
    daily, grid, config = analysis.daily, analysis.grid, analysis.config
    threshold = config.get("weekly_increase_pct")
    days = config.get("weekly_increase_days")
    condition = ((np.nan_to_num(daily["weekly_increase_pct"].to_numpy(), nan=-np.inf) > threshold)
                 & (np.nan_to_num(daily["previous_7d_km"].to_numpy())
                    >= config.get("weekly_increase_min_km")))
    start = episode_starts(condition, grid.new_athlete)
    rows = daily[start]
    last = rows["previous_7d_km"] * (1 + rows["weekly_increase_pct"] / 100)
    messages = [
        f"You ran {km(now)} in the last {days} days, {pct(up)} more than the {km(before)} "
        f"of the {days} days before."
        for now, up, before in zip(last, rows["weekly_increase_pct"], rows["previous_7d_km"], strict=True)
    ]
    return flag_frame("weekly_increase", athlete=rows["athlete"], day=grid.day[start],
                      value=rows["weekly_increase_pct"], threshold=threshold, message=messages)
