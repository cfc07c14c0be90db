"""The Monday-morning view: where each athlete stands on one day.

For every athlete, on ``as_of`` (their own local date): distance of the last 7 and 28
days, the three ratios with their bands, the longest run of the last 30 days and how far
the next run can go before it counts as a (small) spike, downhill and cadence against
the athlete's own normal, and the flags of the last 7 days. Rows come most concerning
first: worst flag of the week, then the number of alerts, cautions and notes, then the
EWMA ratio.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from .acwr import band
from .analysis import Analysis
from .flags import SEVERITY_RANK
from .runs import EPOCH, date_to_day

#: Columns of a status row, in order.
STATUS_COLUMNS = [
    "athlete", "as_of", "concern", "alerts", "cautions", "notes", "last_run",
    "last_7d_km", "last_28d_km",
    "acwr_coupled", "acwr_coupled_band", "acwr_uncoupled", "acwr_uncoupled_band",
    "acwr_ewma", "acwr_ewma_band",
    "longest_30d_km", "spike_limit_km",
    "downhill_7d_km", "downhill_usual_7d_km", "downhill_acwr",
    "cadence_spm", "cadence_expected_spm", "cadence_vs_normal_pct",
    "headline", "flags",
]


def today(config: Config, athlete: str) -> date:
    """The athlete's local date now (their configured zone, else this machine's)."""
    return datetime.now(config.timezone(athlete)).date()


def _ratio_fields(name: str, values: np.ndarray, history: np.ndarray, config: Config) -> dict[str, list]:
    """A ratio column and its band column; the band says why a ratio is missing."""
    bands = [band(v, config) if not np.isnan(v) else ("no chronic load" if h else "insufficient history")
             for v, h in zip(values, history, strict=True)]
    return {name: [None if np.isnan(v) else float(v) for v in values], f"{name}_band": bands}


def _per_athlete(values: pd.Series, codes: np.ndarray, how: str, size: int) -> np.ndarray:
    """``how`` (max, median, ...) of ``values`` per athlete code; NaN for athletes without any."""
    out = np.full(size, np.nan)
    if len(values):
        result = values.groupby(codes).agg(how)
        out[result.index.to_numpy()] = result.to_numpy(dtype="float64", na_value=np.nan)
    return out


def status_frame(analysis: Analysis, as_of: dict[str, int]) -> pd.DataFrame:
    """One status row per athlete of ``as_of`` (athlete -> day), most concerning first."""
    config, grid = analysis.config, analysis.grid
    names = [name for name in analysis.athletes if name in as_of]
    codes = np.asarray([analysis.athletes.index(name) for name in names], dtype="int64")
    size = len(analysis.athletes)
    day = np.full(size, np.iinfo("int64").min)
    day[codes] = [as_of[name] for name in names]
    week = config.get("acwr_acute_days")
    span = config.get("session_spike_window_days")

    started = day[codes] >= grid.first_day[codes]
    rows = grid.rows(codes, np.maximum(day[codes], grid.first_day[codes]))
    daily = analysis.daily.iloc[rows]
    index = grid.day_index[rows]

    runs = analysis.runs
    run_code = runs["code"].to_numpy()
    run_day = runs["day"].to_numpy()
    until = day[run_code]
    past = run_day <= until
    recent = past & (run_day > until - span)
    this_week = (past & (run_day > until - week)).nonzero()[0]
    last_run = _per_athlete(runs["day"][past], run_code[past], "max", size)
    longest = _per_athlete(runs["distance_km"][recent], run_code[recent], "max", size)
    week_runs = runs.iloc[this_week]
    week_codes = run_code[this_week]
    cadence = _per_athlete(week_runs["cadence_spm"], week_codes, "median", size)
    drop = week_runs["cadence_drop_pct"]
    expected = _per_athlete(week_runs["cadence_predicted_spm"][drop.notna()], week_codes[drop.notna()],
                            "median", size)
    vs_normal = -_per_athlete(drop, week_codes, "median", size) + 0.0

    flags = analysis.flags
    flag_code = np.searchsorted(np.asarray(analysis.athletes, dtype=object), flags["athlete"].to_numpy())
    flag_day = (flags["date"].to_numpy().astype("datetime64[D]") - EPOCH).astype("int64")
    flag_until = day[flag_code] if len(flags) else np.zeros(0, dtype="int64")
    recent_flags = flags[(flag_day <= flag_until) & (flag_day > flag_until - week)]
    recent_flags = recent_flags.assign(_rank=recent_flags["severity"].map(SEVERITY_RANK)) \
        .sort_values(["_rank", "date"], ascending=[False, False], kind="stable")
    by_athlete = dict(tuple(recent_flags.groupby("athlete", sort=False))) if len(recent_flags) else {}

    ratio_history = index >= config.get("acwr_min_history_days")
    frame = pd.DataFrame({
        "athlete": names,
        "as_of": [(EPOCH + day[c]).item() for c in codes],
        "last_run": [None if np.isnan(last_run[c]) else (EPOCH + int(last_run[c])).item() for c in codes],
        "last_7d_km": daily["acute_7d_km"].to_numpy(),
        "last_28d_km": daily["chronic_28d_km"].to_numpy(),
        **_ratio_fields("acwr_coupled", daily["acwr_coupled"].to_numpy(), ratio_history, config),
        **_ratio_fields("acwr_uncoupled", daily["acwr_uncoupled"].to_numpy(), ratio_history, config),
        **_ratio_fields("acwr_ewma", daily["acwr_ewma"].to_numpy(), ratio_history, config),
        "longest_30d_km": longest[codes],
        "spike_limit_km": longest[codes] * config.get("session_spike_small"),
        "downhill_7d_km": daily["downhill_7d_km"].to_numpy(),
        "downhill_usual_7d_km": daily["downhill_28d_km"].to_numpy() * week / config.get("acwr_chronic_days"),
        "downhill_acwr": daily["downhill_acwr"].to_numpy(),
        "cadence_spm": cadence[codes],
        "cadence_expected_spm": expected[codes],
        "cadence_vs_normal_pct": vs_normal[codes],
    })
    empty = recent_flags.iloc[:0]
    week_flags = [by_athlete.get(name, empty) for name in names]
    frame["concern"] = [f["severity"].iloc[0] if len(f) else "none" for f in week_flags]
    for column, severity in (("alerts", "alert"), ("cautions", "caution"), ("notes", "info")):
        frame[column] = [int((f["severity"] == severity).sum()) for f in week_flags]
    frame["headline"] = [f["message"].iloc[0] if len(f) else "No flags in the last 7 days."
                         for f in week_flags]
    frame["flags"] = pd.Series([
        [{"date": d.date().isoformat(), "kind": k, "severity": v, "message": m}
         for d, k, v, m in zip(f["date"], f["kind"], f["severity"], f["message"], strict=True)]
        for f in week_flags
    ], dtype=object)
    # Before the first run there is nothing to say.
    blank = [c for c in STATUS_COLUMNS if c not in ("athlete", "as_of", "concern", "alerts", "cautions",
                                                    "notes", "headline", "flags")]
    frame.loc[~started, blank] = None
    frame.loc[~started, "headline"] = "No runs on or before this date."
    # Athletes with no runs at all up to their date: one line saying so.
    missing = [name for name in as_of if name not in analysis.athletes]
    if missing:
        frame = pd.concat([frame, pd.DataFrame({
            "athlete": missing, "as_of": [(EPOCH + as_of[name]).item() for name in missing],
            "concern": "none", "alerts": 0, "cautions": 0, "notes": 0,
            "headline": "No runs on or before this date.", "flags": [[] for _ in missing]})],
            ignore_index=True)
        started = np.r_[started, np.zeros(len(missing), dtype=bool)]
    frame = frame[STATUS_COLUMNS].astype({"alerts": "int64", "cautions": "int64", "notes": "int64"})
    order = frame.assign(
        _started=started,
        _rank=frame["concern"].map(SEVERITY_RANK).fillna(0),
        _ewma=pd.to_numeric(frame["acwr_ewma"], errors="coerce").fillna(-1.0),
    ).sort_values(["_started", "_rank", "alerts", "cautions", "notes", "_ewma", "athlete"],
                  ascending=[False, False, False, False, False, False, True], kind="stable")
    return frame.loc[order.index].reset_index(drop=True)


def as_of_days(athletes: list[str], config: Config, as_of: Any = None) -> dict[str, int]:
    """Each athlete's status day: ``as_of`` for everyone, or each one's local today."""
    if as_of is not None:
        day = date_to_day(as_of)
        return dict.fromkeys(athletes, day)
    return {name: date_to_day(today(config, name)) for name in athletes}
