"""Load in four units, and downhill as a continuous load.

Each athlete's ``load_unit`` setting picks the daily load the ratios, monotony and weekly
change are computed on (``load`` in the daily series, its unit in ``load_unit``):

========== ============ =====================================================================
unit       daily column what one run adds
========== ============ =====================================================================
distance   distance_km  its distance (km)
duration   duration_min its running time (min; timer time, pauses removed)
rpe        rpe_load     session-RPE: RPE × minutes (arbitrary units, Foster 2001, ``foster2001``)
trimp      trimp        Banister's TRIMP from its per-second heart rate (``banister1991``)
========== ============ =====================================================================

A run without an RPE (or without heart rate on at least ``trimp_min_hr_share`` of its
moving seconds) has no value in that unit: its day's total is **unknown** (NaN, counted in
``rpe_missing_runs`` / ``hr_missing_runs``), never zero, and a window holding such a day is
not known enough for a ratio, monotony or weekly change in that unit (as a gap in the
records is not, :mod:`.coverage`). Distance and duration are always known.

TRIMP needs the athlete's resting and maximum heart rate (``hr_rest_bpm``,
``hr_max_bpm``); unset, they are estimated from the runs (:func:`hr_reference`), and the
``hr_reference`` table says which were.

Downhill as a continuous load (``gottschall2005``, ``vernillo2017``): the descent per km
and the share of the distance run at grade ≤ −5 %, over the acute (7) and chronic (28)
days, and their acute:chronic ratios (``descent_acwr``, ``downhill_share_acwr``), shown
where the distance ratios are.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from ..effort import HeartRates, read_histogram, trimp
from .coverage import Coverage
from .daily import QUANTUM, DayGrid, units

UNITS = ("distance", "duration", "rpe", "trimp")
#: The daily column behind each unit, and how people read an amount of it.
UNIT_COLUMNS = {"distance": "distance_km", "duration": "duration_min", "rpe": "rpe_load", "trimp": "trimp"}
UNIT_LABELS = {"distance": "distance (km)", "duration": "running time (min)",
               "rpe": "session-RPE (RPE × min, AU)", "trimp": "heart-rate TRIMP (AU)"}
#: Columns of :func:`hr_reference`.
HR_COLUMNS = ["athlete", "rest_bpm", "rest_source", "max_bpm", "max_source"]


def amount(value: float, unit: str) -> str:
    """An amount of load as people read it: ``42.0 km``, ``250 min``, ``1,800 AU``, ``310 TRIMP``."""
    if value is None or not math.isfinite(value):
        return "unknown"
    if unit == "distance":
        return f"{value:.1f} km"
    if unit == "duration":
        return f"{value:,.0f} min"
    return f"{value:,.0f} {'AU' if unit == 'rpe' else 'TRIMP'}"


def unit_of(config: Config, grid: DayGrid) -> np.ndarray:
    """Per row of ``grid``: the athlete's ``load_unit``."""
    per_athlete = np.asarray([config.get("load_unit", name) for name in grid.athletes] or ["distance"], dtype=object)
    return per_athlete[grid.code] if grid.size else np.zeros(0, dtype=object)


def _rates(sessions: pd.DataFrame) -> list[HeartRates | None]:
    if "hr_histogram" not in sessions:
        return [None] * len(sessions)
    return [read_histogram(text) for text in sessions["hr_histogram"].to_numpy(dtype=object)]


def hr_reference(sessions: pd.DataFrame, config: Config, rates: list[HeartRates | None] | None = None) -> pd.DataFrame:
    """Per athlete (:data:`HR_COLUMNS`): the resting and maximum heart rate TRIMP uses, from the
    settings (``setting``) or estimated from the runs (``estimated``; NaN when no run has heart rate)."""
    rates = _rates(sessions) if rates is None else rates
    hold = config.get("hr_estimate_hold_s")
    names = list(sessions["athlete"].cat.categories) if len(sessions) else []
    codes = sessions["code"].to_numpy() if len(sessions) else np.zeros(0, dtype="int64")
    rows = []
    for code, name in enumerate(names):
        mine = [rates[i] for i in np.flatnonzero(codes == code) if rates[i] is not None]
        row: dict[str, Any] = {"athlete": name}
        for key, highest in (("rest", False), ("max", True)):
            chosen = float(config.get(f"hr_{key}_bpm", name))
            if chosen > 0:
                row[f"{key}_bpm"], row[f"{key}_source"] = chosen, "setting"
                continue
            held = [r.held(hold, highest) for r in mine]
            held = [value for value in held if not math.isnan(value)]
            row[f"{key}_bpm"] = (max(held) if highest else min(held)) if held else math.nan
            row[f"{key}_source"] = "estimated" if held else None
        rows.append(row)
    return pd.DataFrame(rows, columns=HR_COLUMNS)


def run_units(sessions: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per run: ``rpe_load`` (RPE × min) and ``trimp`` (NaN where unknown); and :func:`hr_reference`."""
    rates = _rates(sessions)
    reference = hr_reference(sessions, config, rates)
    rpe = pd.to_numeric(sessions["rpe"], errors="coerce").to_numpy(dtype="float64") if "rpe" in sessions else \
        np.full(len(sessions), np.nan)
    duration = sessions["duration_min"].to_numpy(dtype="float64") if len(sessions) else np.zeros(0)
    values = np.full(len(sessions), np.nan)
    min_share = config.get("trimp_min_hr_share")
    codes = sessions["code"].to_numpy() if len(sessions) else np.zeros(0, dtype="int64")
    # per athlete code: (rest, max, weighting), read once (a row of a frame per run costs ~0.2 ms)
    athletes = [(rest, most, config.get("trimp_weighting", name)) for name, rest, most in
                zip(reference["athlete"], reference["rest_bpm"], reference["max_bpm"], strict=True)]
    for i, rate in enumerate(rates):
        if rate is None or rate.share < min_share:
            continue
        values[i] = trimp(rate, *athletes[codes[i]])
    with np.errstate(invalid="ignore"):
        srpe = np.where(duration > 0, rpe * duration, np.nan)
    return pd.DataFrame({"rpe": rpe, "rpe_load": srpe, "trimp": values}, index=sessions.index), reference


def unit_series(daily: pd.DataFrame, per_run: pd.DataFrame, grid: DayGrid, rows: np.ndarray,
                config: Config) -> pd.DataFrame:
    """Daily ``rpe_load`` and ``trimp`` (NaN on a day with a run lacking it), the count of such runs
    (``rpe_missing_runs``, ``hr_missing_runs``), and ``load_unit`` / ``load`` on each athlete's unit."""
    out = pd.DataFrame(index=daily.index)
    for column, missing in (("rpe_load", "rpe_missing_runs"), ("trimp", "hr_missing_runs")):
        values = per_run[column].to_numpy(dtype="float64")
        unknown = np.bincount(rows, weights=np.isnan(values), minlength=grid.size).astype("int64")
        total = grid.per_day(rows, units(values)) / QUANTUM
        out[column] = np.where(unknown > 0, np.nan, total)
        out[missing] = unknown
    unit = unit_of(config, grid)
    out["load_unit"] = unit
    load = np.full(grid.size, np.nan)
    for name, column in UNIT_COLUMNS.items():
        at = unit == name
        source = out[column] if column in out else daily[column]
        load[at] = source.to_numpy(dtype="float64")[at]
    out["load"] = load
    return out


def known_enough(coverage: Coverage, known: np.ndarray, length: int, lag: int = 0) -> np.ndarray:
    """Per row: is the window of ``length`` days ending ``lag`` days before it covered enough, counting
    a day whose load is unknown in the unit (``~known``) as not covered?"""
    both = (coverage.covered & known).astype("int64")
    counted = coverage.grid.windows(both)(length, lag)
    return 100 * counted >= coverage.min_pct * length - 1e-9


def downhill_columns(daily: pd.DataFrame, grid: DayGrid, config: Config, shown: np.ndarray) -> pd.DataFrame:
    """Descent per km and downhill share of the distance over the acute and chronic days, with
    their acute:chronic ratios (NaN where the distance ratios are hidden or a window has no running)."""
    acute_days, chronic_days = config.get("acwr_acute_days"), config.get("acwr_chronic_days")
    distance = grid.windows(units(daily["distance_km"].to_numpy()))
    descent = grid.windows(units(daily["descent_m"].to_numpy()))
    downhill = grid.windows(units(daily["downhill_km"].to_numpy()))
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, top, scale in (("descent_per_km", descent, 1.0), ("downhill_share", downhill, 1.0)):
            values = {}
            for label, days in (("7d", acute_days), ("28d", chronic_days)):
                km = distance(days).astype("float64")
                values[label] = np.where(km > 0, top(days) * scale / km, np.nan)
            out[f"{name}_7d"] = values["7d"]
            out[f"{name}_28d"] = values["28d"]
            ratio = values["7d"] / values["28d"]
            key = "descent_acwr" if name == "descent_per_km" else "downhill_share_acwr"
            out[key] = np.where(shown & (values["28d"] > 0), ratio, np.nan)
    return pd.DataFrame(out, index=daily.index)
