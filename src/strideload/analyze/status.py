"""The Monday-morning view: where each athlete stands on one day.

For every athlete, on ``as_of`` (their own local date): when the latest data is (last run,
last knee-pain entry) and, when the last run is more than ``stale_after_days`` old, a
sentence saying so that comes first; distance of the last 7 and 28 days, the three ratios
with their bands (or why there is none: insufficient history, returning after a gap, no
chronic load), the longest run of the last 30 days and how far the next run can go before
it counts as a (small) spike, downhill and cadence against the athlete's own normal, and
the flags of the last 7 days. After a gap in the records (:mod:`.coverage`) the return is
compared with the last covered weeks before it, as a coach would: the usual week and the
longest run then, against what has been run since. Rows come most concerning first: worst
flag of the week, then the number of alerts, cautions and notes, then the EWMA ratio.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from .acwr import band
from .analysis import Analysis
from .flags import SEVERITY_RANK, short_day
from .runs import EPOCH, date_to_day

#: Columns of a status row, in order.
STATUS_COLUMNS = [
    "athlete", "as_of", "concern", "alerts", "cautions", "notes", "last_run",
    "last_pain", "days_since_run", "stale", "data_note", "history_note",
    "returning_after_days", "returned_on", "since_return_km", "since_return_runs",
    "before_break_week_km", "before_break_longest_km",
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
    return config.today(athlete)


def _ratio_fields(name: str, values: np.ndarray, why: list[str | None], config: Config) -> dict[str, list]:
    """A ratio column and its band column; the band says why a ratio is missing."""
    bands = [band(v, config) if not np.isnan(v) else (w or "no chronic load")
             for v, w in zip(values, why, strict=True)]
    return {name: [None if np.isnan(v) else float(v) for v in values], f"{name}_band": bands}


def _history_notes(analysis: Analysis, rows: np.ndarray) -> list[str | None]:
    """Per status row, why the windows of that day are not covered enough, or None."""
    config, cover = analysis.config, analysis.coverage
    needed = config.get("acwr_min_history_days")
    enough = cover.enough(config.get("acwr_chronic_days"))
    notes: list[str | None] = []
    for row in rows.tolist():
        if not cover.covered[row]:
            notes.append(f"no activity recorded for {row - cover.last_active[row]} days")
        elif cover.history_days[row] >= needed and enough[row]:
            notes.append(None)
        elif cover.days_off[row] > 0:
            notes.append(f"returning after {cover.days_off[row]} days off")
        else:
            notes.append(f"insufficient history ({cover.history_days[row]} of {needed} days)")
    return notes


def _return_facts(analysis: Analysis, rows: np.ndarray) -> list[dict[str, Any]]:
    """Per status row inside the chronic window after a gap: the return set against the last
    covered weeks before the gap (empty dicts elsewhere)."""
    config, cover, grid = analysis.config, analysis.coverage, analysis.grid
    chronic, span = config.get("acwr_chronic_days"), config.get("session_spike_window_days")
    runs = analysis.runs
    facts: list[dict[str, Any]] = []
    for row in rows.tolist():
        start, before = int(cover.segment_start[row]), int(cover.gap_start[row])
        if not cover.covered[row] or before < 0 or row - start >= chronic:
            facts.append({})
            continue
        code, returned, last_before = int(grid.code[row]), int(grid.day[start]), int(grid.day[before])
        own = runs[runs["code"].to_numpy() == code]
        days = own["day"].to_numpy()
        since = own[(days >= returned) & (days <= grid.day[row])]
        earlier = own[(days > last_before - span) & (days <= last_before)]
        first = max(before - chronic + 1, int(grid.block_start[row]))
        week = analysis.daily["distance_km"].to_numpy()[first:before + 1]
        facts.append({
            "returning_after_days": int(cover.days_off[row]), "returned_on": (EPOCH + returned).item(),
            "since_return_km": float(since["distance_km"].sum()), "since_return_runs": len(since),
            "before_break_week_km": float(week.sum() * 7 / chronic),
            "before_break_longest_km": float(earlier["distance_km"].max()) if len(earlier) else None,
            "_last_before": last_before,
        })
    return facts


def _return_note(fact: dict[str, Any]) -> str | None:
    if not fact:
        return None
    runs = fact["since_return_runs"]
    text = (f"Returning after {fact['returning_after_days']} days off (nothing recorded after "
            f"{short_day(fact['_last_before'])}): {runs} run{'s' if runs != 1 else ''}, "
            f"{fact['since_return_km']:.1f} km since {fact['returned_on'].day} {fact['returned_on']:%b}. "
            f"Before the break: {fact['before_break_week_km']:.1f} km in a usual week")
    if fact["before_break_longest_km"] is not None:
        text += f", longest run {fact['before_break_longest_km']:.1f} km"
    return text + ". Ratios and spikes come back once the weeks since the return are on record."


def stale_note(as_of: int, last_run: float | None, stale_after: int) -> str | None:
    """``No runs recorded since 25 Oct — 35 days.`` when the last run (days since the epoch) is
    more than ``stale_after`` days before ``as_of``; None otherwise."""
    if last_run is None or np.isnan(last_run) or as_of - int(last_run) <= stale_after:
        return None
    return f"No runs recorded since {short_day(int(last_run))} — {as_of - int(last_run)} days."


def _last_pain(pain: pd.DataFrame | None, day: np.ndarray, athletes: list[str]) -> np.ndarray:
    """Per athlete code: the day of the latest pain entry on or before its status day (NaN: none)."""
    out = np.full(len(athletes), np.nan)
    if pain is None or not len(pain):
        return out
    dates = pd.to_datetime(pain["date"].astype(str).str[:10], format="%Y-%m-%d", errors="coerce")
    pain_day = (dates.to_numpy().astype("datetime64[D]") - EPOCH).astype("float64")
    pain_day[dates.isna().to_numpy()] = np.nan
    code = pd.Index(athletes).get_indexer(pain["athlete"].astype(object))
    ok = (code >= 0) & ~np.isnan(pain_day)
    ok[ok] &= pain_day[ok] <= day[code[ok]]
    if ok.any():
        np.fmax.at(out, code[ok], pain_day[ok])
    return out


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

    why = _history_notes(analysis, rows)
    spike_known = analysis.coverage.enough(span)[rows]
    facts = _return_facts(analysis, rows)
    last_pain = _last_pain(analysis.pain, day, analysis.athletes)
    stale_after = config.get("stale_after_days")
    data_notes = [stale_note(int(day[c]), last_run[c], stale_after) for c in codes]
    frame = pd.DataFrame({
        "athlete": names,
        "as_of": [(EPOCH + day[c]).item() for c in codes],
        "last_run": [None if np.isnan(last_run[c]) else (EPOCH + int(last_run[c])).item() for c in codes],
        "last_pain": [None if np.isnan(last_pain[c]) else (EPOCH + int(last_pain[c])).item() for c in codes],
        "days_since_run": [None if np.isnan(last_run[c]) else int(day[c] - last_run[c]) for c in codes],
        "stale": [note is not None for note in data_notes],
        "data_note": data_notes,
        "history_note": [_return_note(f) or w for f, w in zip(facts, why, strict=True)],
        **{key: [f.get(key) for f in facts] for key in (
            "returning_after_days", "returned_on", "since_return_km", "since_return_runs",
            "before_break_week_km", "before_break_longest_km")},
        "last_7d_km": daily["acute_7d_km"].to_numpy(),
        "last_28d_km": daily["chronic_28d_km"].to_numpy(),
        **_ratio_fields("acwr_coupled", daily["acwr_coupled"].to_numpy(), why, config),
        **_ratio_fields("acwr_uncoupled", daily["acwr_uncoupled"].to_numpy(), why, config),
        **_ratio_fields("acwr_ewma", daily["acwr_ewma"].to_numpy(), why, config),
        "longest_30d_km": longest[codes],
        "spike_limit_km": np.where(spike_known, longest[codes] * config.get("session_spike_small"), np.nan),
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
    frame["headline"] = [note or (f["message"].iloc[0] if len(f) else (ret or "No flags in the last 7 days."))
                         for note, f, ret in zip(data_notes, week_flags, [_return_note(f) for f in facts],
                                                 strict=True)]
    frame["flags"] = pd.Series([
        [{"date": d.date().isoformat(), "kind": k, "severity": v, "message": m}
         for d, k, v, m in zip(f["date"], f["kind"], f["severity"], f["message"], strict=True)]
        for f in week_flags
    ], dtype=object)
    # Before the first run there is nothing to say.
    blank = [c for c in STATUS_COLUMNS if c not in ("athlete", "as_of", "concern", "alerts", "cautions",
                                                    "notes", "headline", "flags", "stale", "last_pain")]
    frame.loc[~started, blank] = None
    frame.loc[~started, "stale"] = False
    frame.loc[~started, "headline"] = "No runs on or before this date."
    # Athletes with no runs at all up to their date: one line saying so.
    missing = [name for name in as_of if name not in analysis.athletes]
    if missing:
        frame = pd.concat([frame, pd.DataFrame({
            "athlete": missing, "as_of": [(EPOCH + as_of[name]).item() for name in missing],
            "concern": "none", "alerts": 0, "cautions": 0, "notes": 0, "stale": False,
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
