"""Pain rules: ``pain_amber`` (caution) and ``pain_red`` (alert) from the athlete's pain log.

The pain log is a frame with ``strideload.pain.PAIN_COLUMNS`` (``Store.pain_frame()``).
Each athlete's ``pain_profile`` setting picks the rules (science.md, "Pain monitoring"):

* any score above ``pain_red_above`` (5): red in both profiles;
* ``during`` above ``pain_during_green_max`` (2): amber under ``pfp``; under
  ``silbernagel`` up to 5 during and after is acceptable;
* next morning at least ``pain_morning_rise_caution`` (+1) over the morning before the
  run: amber in both (``silbernagel``: not settled by the next morning);
* next morning at least ``pain_morning_rise_alert`` (+2) over it: red under ``pfp``,
  amber under ``silbernagel``;
* the 7-day mean up at least ``pain_week_rise`` (1 point) week over week, to a mean of at
  least ``pain_week_min_mean`` (2, pfp's green limit): red under ``pfp``, amber under
  ``silbernagel`` (no week-to-week increase). A rise within low pain (0 to 1/10) is no flag.

*The morning before the run* is the latest ``next-morning`` or ``daily`` score dated on
the run's day or up to ``pain_baseline_days`` (3) before it; without one, the morning
rule is silent. A next-morning score dated D is about the run(s) of D − 1 and its flag
carries date D and that run's id. Sides are compared like with like (an entry without a
side matches either). One score raises one flag, of its most severe rule; the message
names the rule. One rule raises at most one flag a day: of several scores breaking it that
day (during 6, after 6.5), the highest is flagged. The 7-day mean is the mean over the days with a score of each day's
highest score (a week needs ``pain_week_min_days`` such days); it raises one flag on the
first day of each rise.

:func:`pain_vs_load` shows how next-morning pain moved with the previous day's running
distance and downhill distance for one athlete, with the number of mornings it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..config import Config
from .flags import SOURCES, empty_flags, flag_frame
from .runs import EPOCH

if TYPE_CHECKING:
    from .analysis import Analysis

PROFILES = {"pfp": ("trek_pfp", "patellofemoral (pfp)"), "silbernagel": ("silbernagel2007", "tendon (silbernagel)")}
MORNING = ("next-morning", "daily")
CAVEAT = ("An association over {days} mornings of one athlete: it shows how the numbers moved together, "
          "not what caused them (rest, sleep, other activity and the log itself matter too).")
PAIN_LOAD_COLUMNS = ["athlete", "factor", "unit", "days", "rho", "slope_per_unit", "message", "caveat"]


@dataclass(frozen=True)
class Fired:
    """One rule that fired on one score."""

    severity: str  # "caution" (amber) or "alert" (red)
    value: float
    threshold: float
    text: str
    rule: str = ""


@dataclass(frozen=True)
class Score:
    """One pain score as the rules read it (``day``: days since the epoch)."""

    day: int
    when: str
    score: float
    side: str | None
    activity_id: str | None

    @classmethod
    def of(cls, row: dict[Any, Any], day: int) -> Score:
        side, activity = row.get("side"), row.get("activity_id")
        return cls(day, str(row["when"]), float(row["score"]), side if isinstance(side, str) and side else None,
                   activity if isinstance(activity, str) else None)


def _day_of(dates: pd.Series) -> np.ndarray:
    return (pd.to_datetime(dates, format="%Y-%m-%d").to_numpy().astype("datetime64[D]") - EPOCH).astype("int64")


def _short(day: int) -> str:
    return pd.Timestamp((EPOCH + day).item()).strftime("%-d %b")


def _side(side: Any) -> str:
    return f" ({side} knee)" if isinstance(side, str) and side else ""


def _same_side(a: Any, b: Any) -> bool:
    return not (isinstance(a, str) and a and isinstance(b, str) and b) or a == b


def _rules(entry: Score, profile: str, baseline: Score | None, run_day: int | None, config: Config,
           athlete: str) -> list[Fired]:
    """The rules of ``profile`` that ``entry`` breaks (``baseline``: the morning before its run)."""
    label = PROFILES[profile][1]
    red_above = config.get("pain_red_above", athlete)
    fired: list[Fired] = []
    if entry.score > red_above:
        fired.append(Fired("alert", entry.score, red_above, f"{label} profile, red: any score above {red_above:g}",
                           "above_red"))
    if profile == "pfp" and entry.when == "during":
        green = config.get("pain_during_green_max", athlete)
        if green < entry.score <= red_above:
            fired.append(Fired("caution", entry.score, green,
                               f"{label} profile, amber: pain during a run above {green:g}", "during"))
    if baseline is not None and run_day is not None:
        rise = float(entry.score - baseline.score)
        alert = config.get("pain_morning_rise_alert", athlete)
        caution = config.get("pain_morning_rise_caution", athlete)
        before = (f"{rise:g} point{'s' if rise != 1 else ''} above the morning before the run on "
                  f"{_short(run_day)} ({baseline.score:g}/10)")
        if profile == "pfp" and rise >= alert:
            fired.append(Fired("alert", rise, alert,
                               f"{before}; {label} profile, red: next morning {alert:g} or more up", "morning"))
        elif rise >= caution:
            rule = "amber: next morning" if profile == "pfp" else "amber: not settled by the next morning,"
            fired.append(Fired("caution", rise, caution,
                               f"{before}; {label} profile, {rule} {caution:g} or more up", "morning"))
    return fired


def _score_flags(pain: pd.DataFrame, runs: pd.DataFrame, config: Config) -> list[dict[str, Any]]:
    """One flag per score that breaks a rule of its athlete's profile."""
    rows: list[dict[str, Any]] = []
    for name, log in pain.groupby("athlete", sort=True):
        athlete = str(name)
        profile = config.get("pain_profile", athlete)
        lookback = config.get("pain_baseline_days", athlete)
        own = runs[runs["athlete"] == athlete]
        run_by_day = {int(day): str(run_id) for day, run_id in zip(own["day"], own["id"], strict=True)}
        scores = [Score.of(row, int(day)) for row, day in
                  zip(log.to_dict("records"), _day_of(log["date"]), strict=True)]
        mornings = [score for score in scores if score.when in MORNING]
        for entry in scores:
            baseline: Score | None = None
            run_day: int | None = None
            activity = entry.activity_id
            if entry.when == "next-morning" and entry.day - 1 in run_by_day:
                run_day = entry.day - 1
                activity = run_by_day[run_day]
                before = [m for m in mornings if run_day - lookback <= m.day <= run_day
                          and _same_side(m.side, entry.side)]
                baseline = before[-1] if before else None
            fired = _rules(entry, profile, baseline, run_day, config, athlete)
            if not fired:
                continue
            worst = "alert" if any(f.severity == "alert" for f in fired) else "caution"
            top = [f for f in fired if f.severity == worst]
            when = {"next-morning": "Next-morning", "daily": "Resting", "during": "During-run",
                    "after": "After-run"}[entry.when]
            message = f"{when} pain {entry.score:g}/10{_side(entry.side)}: " + "; ".join(f.text for f in top) + "."
            rows.append({"athlete": athlete, "day": entry.day, "activity_id": activity,
                         "kind": "pain_red" if worst == "alert" else "pain_amber", "value": top[0].value,
                         "threshold": top[0].threshold, "message": message, "profile": profile,
                         "rule": top[0].rule, "score": entry.score})
    return _one_per_rule_and_day(rows)


def _one_per_rule_and_day(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of the flags one rule raised on one day, the one of the highest score (the count said)."""
    kept: dict[tuple[Any, ...], dict[str, Any]] = {}
    counts: dict[tuple[Any, ...], int] = {}
    for row in rows:
        key = (row["athlete"], row["day"], row["kind"], row["rule"])
        counts[key] = counts.get(key, 0) + 1
        if key not in kept or row["score"] > kept[key]["score"]:
            kept[key] = row
    for key, row in kept.items():
        if counts[key] > 1:
            row["message"] = row["message"][:-1] + f" (the highest of {counts[key]} such scores that day)."
    return list(kept.values())


def _week_flags(pain: pd.DataFrame, config: Config) -> list[dict[str, Any]]:
    """The 7-day mean of each day's highest score against the 7 days before, once per rise."""
    rows: list[dict[str, Any]] = []
    for athlete, log in pain.groupby("athlete", sort=True):
        athlete = str(athlete)
        profile = config.get("pain_profile", athlete)
        rise_limit = config.get("pain_week_rise", athlete)
        min_mean = config.get("pain_week_min_mean", athlete)
        min_days = config.get("pain_week_min_days", athlete)
        worst = log.assign(day_=_day_of(log["date"])).groupby("day_")["score"].max()
        days = worst.index.to_numpy()
        values = worst.to_numpy(dtype="float64")
        means, rises = [], []
        for day in days:
            last = values[(days > day - 7) & (days <= day)]
            previous = values[(days > day - 14) & (days <= day - 7)]
            ok = len(last) >= min_days and len(previous) >= min_days
            means.append((last.mean(), previous.mean()) if ok else (np.nan, np.nan))
            rises.append(last.mean() - previous.mean() if ok else np.nan)
        rise = np.asarray(rises, dtype="float64")
        # One flag per rise: on the first day it holds after a day it did not. Days where the
        # two weeks cannot be compared (too few scores) change nothing; a gap of more than a
        # week between scores starts afresh.
        starts, holding, previous_day = [], False, None
        for i, day in enumerate(days):
            if previous_day is not None and day - previous_day > 7:
                holding = False
            previous_day = day
            if np.isnan(rise[i]):
                continue
            now_holds = bool(rise[i] >= rise_limit - 1e-9 and means[i][0] >= min_mean - 1e-9)
            if now_holds and not holding:
                starts.append(i)
            holding = now_holds
        label = PROFILES[profile][1]
        severity = "alert" if profile == "pfp" else "caution"
        colour = "red" if profile == "pfp" else "amber"
        for i in starts:
            now, before = means[i]
            rows.append({
                "athlete": athlete, "day": int(days[i]), "activity_id": None,
                "kind": "pain_red" if severity == "alert" else "pain_amber", "value": float(rise[i]),
                "threshold": rise_limit, "profile": profile,
                "message": (f"Your 7-day mean pain was {now:.1f}/10, {rise[i]:.1f} points above the 7 days "
                            f"before ({before:.1f}); {label} profile, {colour}: 7-day mean up {rise_limit:g} "
                            f"point or more week over week, to {min_mean:g} or more."),
            })
    return rows


def pain_flags(pain: pd.DataFrame, runs: pd.DataFrame, config: Config) -> pd.DataFrame:
    """``pain_amber`` and ``pain_red`` flags of ``pain`` (PAIN_COLUMNS); ``runs`` as ``prepare_runs`` gives.

    The source of each flag is its athlete's profile (``trek_pfp`` or ``silbernagel2007``).
    """
    if pain is None or not len(pain):
        return empty_flags()
    rows = _score_flags(pain, runs, config) + _week_flags(pain, config)
    frames = []
    for kind in ("pain_red", "pain_amber"):
        mine = [row for row in rows if row["kind"] == kind]
        if not mine:
            continue
        frame = flag_frame(kind, athlete=[r["athlete"] for r in mine], day=np.asarray([r["day"] for r in mine]),
                           activity_id=[r["activity_id"] for r in mine], value=[r["value"] for r in mine],
                           threshold=[r["threshold"] for r in mine], message=[r["message"] for r in mine])
        frame["source"] = [PROFILES[r["profile"]][0] for r in mine]
        frame["evidence"] = [SOURCES[PROFILES[r["profile"]][0]].evidence for r in mine]
        frames.append(frame)
    if not frames:
        return empty_flags()
    return pd.concat(frames, ignore_index=True)


def pain_signal(analysis: Analysis) -> pd.DataFrame:
    """The pain flags of an :class:`Analysis` made with a pain log (none without one).

    Only athletes with runs in the analysis are considered, and no score after ``until``.
    """
    pain = getattr(analysis, "pain", None)
    if pain is None or not len(pain):
        return empty_flags()
    pain = pain[pain["athlete"].isin(analysis.athletes)]
    until = getattr(analysis, "until", None)
    if until is not None and len(pain):
        pain = pain[_day_of(pain["date"]) <= until]
    return pain_flags(pain, analysis.sessions, analysis.config)


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    rx, ry = pd.Series(x).rank().to_numpy(), pd.Series(y).rank().to_numpy()
    if np.std(rx) == 0 or np.std(ry) == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def pain_vs_load(pain: pd.DataFrame, daily: pd.DataFrame, config: Config | None = None,
                 athlete: str | None = None) -> pd.DataFrame:
    """How next-morning pain moved with the previous day's distance and downhill distance.

    ``daily`` is the daily series (``analyze.daily_load``: ``athlete``, ``date``,
    ``distance_km``, ``downhill_km``; rest days are 0). For every next-morning score dated D
    (the day's highest, when there are several) whose athlete has a series on D − 1, the
    pair (load of D − 1, score) counts. One row per athlete and factor
    (:data:`PAIN_LOAD_COLUMNS`): ``days`` (mornings used), ``rho`` (Spearman rank
    correlation, NaN with fewer than ``pain_link_min_days`` mornings or no spread) and
    ``slope_per_unit`` (least-squares pain points per km), a plain ``message`` and the
    ``caveat``.
    """
    config = config or Config()
    rows: list[dict[str, Any]] = []
    if pain is None or not len(pain) or not len(daily):
        return pd.DataFrame(columns=PAIN_LOAD_COLUMNS)
    mornings = pain[pain["when"] == "next-morning"]
    if athlete is not None:
        mornings = mornings[mornings["athlete"] == athlete]
    series = daily.assign(day_=(pd.to_datetime(daily["date"]).to_numpy().astype("datetime64[D]") - EPOCH)
                          .astype("int64"))
    for name, log in mornings.groupby("athlete", sort=True):
        own = series[series["athlete"] == name].set_index("day_")
        worst = log.assign(day_=_day_of(log["date"])).groupby("day_")["score"].max()
        previous = worst.index.to_numpy() - 1
        known = np.isin(previous, own.index.to_numpy())
        score = worst.to_numpy(dtype="float64")[known]
        minimum = config.get("pain_link_min_days", str(name))
        for factor, column in (("distance", "distance_km"), ("downhill distance", "downhill_km")):
            load = np.nan_to_num(own.loc[previous[known], column].to_numpy(dtype="float64"))
            days = len(score)
            enough = days >= minimum
            rho = _spearman(load, score) if enough else float("nan")
            slope = float(np.polyfit(load, score, 1)[0]) if enough and np.ptp(load) > 0 else float("nan")
            if not enough:
                message = f"Only {days} next-morning scores with a day before on record; {minimum} needed."
            elif np.isnan(rho):
                message = f"Over {days} mornings, {factor} or pain did not vary, so nothing moved together."
            elif abs(rho) < 0.1:
                message = (f"Over {days} mornings, next-morning pain did not move with the previous day's "
                           f"{factor} (rank correlation {rho:+.2f}).")
            else:
                direction = "higher" if rho > 0 else "lower"
                message = (f"Over {days} mornings, next-morning pain tended to be {direction} after days with "
                           f"more {factor} (rank correlation {rho:+.2f}; {slope:+.2f} points per km).")
            rows.append({"athlete": str(name), "factor": factor, "unit": "km", "days": days, "rho": rho,
                         "slope_per_unit": slope, "message": message, "caveat": CAVEAT.format(days=days)})
    return pd.DataFrame(rows, columns=PAIN_LOAD_COLUMNS)
