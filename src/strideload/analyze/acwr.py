"""Acute:chronic workload ratios, three ways side by side, and the ``acwr_high`` flag.

Load is the daily running distance (km), or the duration (min) with
``load_metric = "duration"``. With acute window A = ``acwr_acute_days`` (7) and chronic
window C = ``acwr_chronic_days`` (28):

* rolling, coupled: A-day sum ÷ (C-day sum ÷ (C/A)), i.e. 7-day sum ÷ (28-day sum / 4);
* rolling, uncoupled: A-day sum ÷ (sum of days A+1..C ÷ ((C−A)/A)), i.e. ÷ (days 8–28 / 3);
* EWMA (Williams 2017): ``E_t = λ·load_t + (1−λ)·E_{t−1}`` with λ = 2/(N+1) for N = A
  (0.25) and N = C (2/29), seeded with ``E = 0`` on the day before the first run; ratio =
  acute EWMA ÷ chronic EWMA.

Every ratio is hidden (NaN) on the first ``acwr_min_history_days`` days of an athlete's
series and wherever its chronic load is 0. The same coupled view is given for downhill
distance (``downhill_acwr``). Bands follow Gabbett's team-sport zones; in runners the
relationship did not hold, so a high ratio is at most a caution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import Config
from .daily import QUANTUM, DayGrid, units
from .flags import KINDS, flag_frame, km
from .runs import episode_starts

if TYPE_CHECKING:
    from .analysis import Analysis


def _ratio(acute: np.ndarray, chronic: np.ndarray, shown: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = acute / chronic
    return np.where(shown & (chronic > 0), ratio, np.nan)


def ewma(load: np.ndarray, grid: DayGrid, span_days: int) -> np.ndarray:
    """Exponentially weighted mean of daily ``load``, λ = 2/(span+1), seeded at 0 per athlete."""
    if grid.size == 0:
        return np.zeros(0)
    alpha = 2.0 / (span_days + 1)
    # One pass over every athlete's days in a row. Each athlete's first day then carries
    # the previous athlete's last value (for the first athlete, pandas' seed: the first
    # load); that carry decays by (1-λ) a day, so subtracting it leaves the 0-seeded mean.
    smoothed = pd.Series(load).ewm(alpha=alpha, adjust=False).mean().to_numpy()
    carry = np.concatenate([load[:1], smoothed[grid.offset[1:] - 1]])
    return smoothed - (1.0 - alpha) ** (grid.day_index + 1) * carry[grid.code]


def load_columns(daily: pd.DataFrame, grid: DayGrid, config: Config) -> pd.DataFrame:
    """Window sums (km) and the three ratios for every day of ``daily``."""
    acute_days = config.get("acwr_acute_days")
    chronic_days = config.get("acwr_chronic_days")
    shown = grid.day_index >= config.get("acwr_min_history_days")
    metric = "distance_km" if config.get("load_metric") == "distance" else "duration_min"

    distance = grid.windows(units(daily["distance_km"].to_numpy()))
    load = grid.windows(units(daily[metric].to_numpy())) if metric != "distance_km" else distance
    downhill = grid.windows(units(daily["downhill_km"].to_numpy()))
    weeks = chronic_days / acute_days
    acute = load(acute_days) / QUANTUM
    chronic = load(chronic_days) / QUANTUM
    older = load(chronic_days - acute_days, acute_days) / QUANTUM
    acute_ewma = ewma(daily[metric].to_numpy(), grid, acute_days)
    chronic_ewma = ewma(daily[metric].to_numpy(), grid, chronic_days)
    downhill_acute = downhill(acute_days) / QUANTUM
    downhill_chronic = downhill(chronic_days) / QUANTUM
    return pd.DataFrame({
        "acute_7d_km": distance(acute_days) / QUANTUM,
        "chronic_28d_km": distance(chronic_days) / QUANTUM,
        "acwr_coupled": _ratio(acute, chronic / weeks, shown),
        "acwr_uncoupled": _ratio(acute, older / (weeks - 1), shown),
        "acwr_ewma": _ratio(acute_ewma, chronic_ewma, shown),
        "downhill_7d_km": downhill_acute,
        "downhill_28d_km": downhill_chronic,
        "downhill_acwr": _ratio(downhill_acute, downhill_chronic / weeks, shown),
    }, index=daily.index)


def band(ratio: float, config: Config) -> str | None:
    """Gabbett's zone for a ratio: ``low``, ``sweet spot``, ``elevated`` or ``high``."""
    if ratio is None or np.isnan(ratio):
        return None
    if ratio < config.get("acwr_sweet_low"):
        return "low"
    if ratio <= config.get("acwr_sweet_high"):
        return "sweet spot"
    if ratio < config.get("acwr_high"):
        return "elevated"
    return "high"


def acwr_high(analysis: Analysis) -> pd.DataFrame:
    """``acwr_high`` (caution): the EWMA ratio reaches ``acwr_high``; once per stretch."""
    daily, grid, config = analysis.daily, analysis.grid, analysis.config
    threshold = config.get("acwr_high")
    ratio = daily["acwr_ewma"].to_numpy()
    start = episode_starts(np.nan_to_num(ratio) >= threshold, grid.new_athlete)
    rows = daily[start]
    acute_days, chronic_days = config.get("acwr_acute_days"), config.get("acwr_chronic_days")
    messages = [
        f"Your running load of the last {acute_days} days ({km(a)}) is {r:.2f} times your "
        f"longer-term load (EWMA ratio, λ = 2/(N+1) with N = {acute_days} and {chronic_days} days). "
        + KINDS["acwr_high"].note
        for r, a in zip(rows["acwr_ewma"], rows["acute_7d_km"], strict=True)
    ]
    return flag_frame("acwr_high", athlete=rows["athlete"], day=grid.day[start], value=rows["acwr_ewma"],
                      threshold=threshold, message=messages)
