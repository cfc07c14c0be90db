"""What one athlete's page shows, gathered once from the store and one analysis.

:func:`gather` reads the activity summaries (and the pain log and return-to-run plans when
the store has them), runs :func:`strideload.analyze.analyze` once over every athlete, and
cuts the results into one :class:`AthleteData` per athlete: the runs, days and flags of
the period shown, and the status on the athlete's "as of" day (by default the later of
their last activity and their last pain score, because an export is usually looked at
after the fact, and the next-morning score after the latest run is dated the day after it).
The team page looks at the current week instead: ``team_status`` is each athlete's status
on their local today (or the ``as_of`` given), which says when their data is stale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from .. import analyze
from ..analyze.cadence import line_on
from ..analyze.runs import EPOCH, date_to_day
from ..analyze.status import as_of_days, stale_note, status_frame
from ..config import Config
from ..errors import UsageError
from .assets import page_name

#: Spike tiers, from the largest down, with the setting holding each one's limit.
TIERS = (("large", "session_spike_large"), ("moderate", "session_spike_moderate"),
         ("small", "session_spike_small"))
#: ``when`` values of the pain log, in the order of a day.
PAIN_WHEN = ("during", "after", "next-morning", "daily")


@dataclass
class AthleteData:
    """Everything one athlete's page shows.

    ``runs``: the running sessions shown (columns of ``Analysis.runs`` plus ``date``,
    ``name`` and ``tier``: large / moderate / small / none / no history). ``daily``: the
    daily series shown (``Analysis.daily`` columns plus ``descent_28d_m`` and
    ``history_ok``: the athlete has ``acwr_min_history_days`` of series by then). ``flags``: the
    flags dated in the period shown. ``pain``: the pain log entries shown, or ``None``
    when this store has no pain log at all. ``rtr``: the return-to-run plan and sessions,
    or ``None``. ``team_status``: the status on the team page's day (the current week),
    ``set_aside``: the runs of the period left out as implausible (or by the runner), with
    ``quarantine_reason``; ``cadence_line``: the line that judges a run on the as-of day
    (``analyze.cadence.line_on``), or ``None``.
    """

    athlete: str
    page: str
    as_of: date
    start: date
    activities: pd.DataFrame
    runs: pd.DataFrame
    daily: pd.DataFrame
    flags: pd.DataFrame
    status: dict[str, Any]
    pain: pd.DataFrame | None = None
    rtr: RtrView | None = None
    recent_pain: dict[str, Any] | None = field(default=None)
    team_status: dict[str, Any] = field(default_factory=dict)
    set_aside: pd.DataFrame | None = None
    cadence_line: dict[str, Any] | None = None
    #: why the page is as of its day when no --as-of was given: "activity" or "pain" (the
    #: last pain score came after the last activity); ``last_activity`` is that day.
    as_of_from: str = "activity"
    last_activity: date | None = None
    #: the context period (injury, illness, holiday) on the team page's day: ``kind`` and ``words``
    context_now: dict[str, str] | None = None

    @property
    def pain_supported(self) -> bool:
        return self.pain is not None


def _plain(value: Any) -> Any:
    """NaN, NaT and numpy scalars as plain Python values (None for missing)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes, list, dict)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    return value


def _day(value: Any) -> date:
    return (EPOCH + date_to_day(value)).item()


def _last_days(frame: pd.DataFrame, column: str = "local_date") -> dict[str, int]:
    """Each athlete's last day in ``frame`` (activities of any sport: ``local_date``; the pain
    log: ``date``), days since the epoch."""
    if frame is None or not len(frame):
        return {}
    dates = pd.to_datetime(frame[column].astype(str).str[:10], format="%Y-%m-%d", errors="coerce")
    last = dates.groupby(frame["athlete"]).max()
    return {str(name): date_to_day(value) for name, value in last.items() if not pd.isna(value)}


def data_ends(store: Any, athletes: list[str] | None = None) -> dict[str, int]:
    """Each athlete's last day with data: the later of their last activity and their last pain
    score (days since the epoch), for athletes with activities (of ``athletes`` only, when given)."""
    ends = _last_days(store.activities_frame())
    pain = store.pain_frame() if hasattr(store, "pain_frame") else None
    for name, day in _last_days(pain, "date").items():
        if name in ends:
            ends[name] = max(ends[name], day)
    return {name: day for name, day in ends.items() if not athletes or name in athletes}


def check_since(store: Any, since: Any, athletes: list[str] | None = None) -> None:
    """``since`` after the last data of ``athletes`` (default all) is a
    :class:`~strideload.errors.UsageError` saying the day the data end."""
    if since is None:
        return
    ends = data_ends(store, athletes)
    if ends and date_to_day(since) > max(ends.values()):
        last = (EPOCH + max(ends.values())).item()
        whose = f" of {', '.join(athletes)}" if athletes else ""
        raise UsageError(f"--since {since.isoformat()} is after the data{whose}, which ends on {last.isoformat()}")


def spike_tiers(ratio: pd.Series, config: Config) -> np.ndarray:
    """Tier of each session ratio: ``large``, ``moderate``, ``small``, ``none`` or ``no history``."""
    values = ratio.to_numpy(dtype="float64", na_value=np.nan)
    limits = [(name, config.get(setting)) for name, setting in TIERS]
    tiers = np.select([values > limit for _, limit in limits], [name for name, _ in limits], "none")
    return np.where(np.isnan(values), "no history", tiers).astype(object)


def _pain_frame(store: Any, athletes: list[str]) -> pd.DataFrame | None:
    """The pain log of ``athletes`` as dated rows, or ``None`` when the store has none."""
    if not hasattr(store, "pain_frame"):
        return None
    frame = store.pain_frame()
    if frame is None:
        return None
    frame = frame[frame["athlete"].isin(athletes)].copy()
    frame["date"] = pd.to_datetime(frame["date"].astype(str).str[:10], format="%Y-%m-%d", errors="coerce")
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    return frame.dropna(subset=["date", "score"]).sort_values(["athlete", "date"], kind="stable")


@dataclass
class RtrView:
    """A return-to-run plan as the report shows it.

    ``status``: the plan's :class:`~strideload.rtr.RtrStatus` on the athlete's as-of day.
    ``sessions``: one row per run since the plan's start (``date``, ``activity_id``,
    ``stage``, ``distance_km``, ``run_km``, ``walk_km`` (measured), ``longest_run_min``,
    ``longest_run_km`` (the longest running without a walk break), ``verdict`` (``counts``;
    ``off``: not as prescribed; ``pain``: as prescribed, but with knee pain or before a red
    pain setback; ``waiting``: for its next-morning score; ``after``: the plan was complete),
    ``why`` (text), ``pain_session`` (worst during/after that day), ``pain_next_morning``).
    ``stages``: the stage in force and its prescription on each day from the start to the
    as-of day, or to the day the plan was complete (``date``, ``stage``, ``prescribed_km``,
    ``prescribed_run_min``, ``prescribed_run_km``). ``labels``: stage number -> its
    prescription. ``completed_on``: the day the plan was complete, or None.
    """

    status: Any
    sessions: pd.DataFrame
    stages: pd.DataFrame
    labels: dict[int, str]
    citation: str
    protocol_name: str
    stage_name: str
    completed_on: date | None = None


def _verdict(entry: dict[str, Any] | None) -> tuple[str, str]:
    if entry is None:
        return "after", "after the plan was complete: ordinary training"
    if entry["counts"]:
        return "counts", "as prescribed, no pain, next-morning score in"
    why = "; ".join(entry["why_not_counted"])
    if not entry["as_prescribed"]:
        return "off", why
    return ("pain" if entry["pain"] or entry["reset_by_red_pain"] else "waiting"), why


def rtr_view(store: Any, config: Config, athlete: str, as_of: date, summaries: pd.DataFrame,
             pain: pd.DataFrame | None) -> RtrView | None:
    """The athlete's return-to-run plan in force on ``as_of``, or ``None``.

    ``None`` as well when this strideload has no return-to-run support.
    """
    if not hasattr(store, "rtr_plans"):
        return None
    from .. import rtr

    found = rtr.view(store, athlete, config=config, as_of=as_of)
    if found is None:
        return None
    plan, protocol = found.plan, found.plan.protocol
    judged = {entry["activity_id"]: entry for entry in found.verdicts}
    rows = []
    for session in found.sessions:
        stage = protocol.stage(plan.stage_on(session.day).stage)
        verdict, why = _verdict(judged.get(session.activity_id))
        rows.append({"date": (EPOCH + session.day).astype("datetime64[ns]"), "activity_id": session.activity_id,
                     "stage": stage.number, "distance_km": session.distance_m / 1000.0,
                     "run_km": None if session.run_m is None else session.run_m / 1000.0,
                     "walk_km": None if session.walk_m is None else session.walk_m / 1000.0,
                     "longest_run_min": None if session.longest_run_s is None else session.longest_run_s / 60.0,
                     "longest_run_km": None if session.longest_run_m is None else session.longest_run_m / 1000.0,
                     "verdict": verdict, "why": why})
    sessions = pd.DataFrame(rows, columns=["date", "activity_id", "stage", "distance_km", "run_km", "walk_km",
                                           "longest_run_min", "longest_run_km", "verdict", "why"])
    sessions["pain_session"] = np.nan
    sessions["pain_next_morning"] = np.nan
    if pain is not None and len(pain) and len(sessions):
        own = pain[pain["athlete"] == athlete] if "athlete" in pain else pain
        on_day = own[own["when"].isin(["during", "after"])].groupby("date")["score"].max()
        mornings = own[own["when"] == "next-morning"].groupby("date")["score"].max()
        sessions["pain_session"] = sessions["date"].map(on_day).astype("float64")
        sessions["pain_next_morning"] = (sessions["date"] + pd.Timedelta(days=1)).map(mornings).astype("float64")
    last = found.completed_on if found.completed_on is not None else date_to_day(as_of)
    days = np.arange(plan.start, max(last, plan.start) + 1)
    in_force = [protocol.stage(plan.stage_on(int(d)).stage) for d in days]

    def per_day(values: list[float | None], scale: float) -> list[float]:
        return [np.nan if value is None else value / scale for value in values]

    stages = pd.DataFrame({"date": (EPOCH + days).astype("datetime64[ns]"), "stage": [s.number for s in in_force],
                           "prescribed_km": per_day([s.distance_m for s in in_force], 1000.0),
                           "prescribed_run_min": per_day([None if s.continuous else s.run_s for s in in_force], 60.0),
                           "prescribed_run_km": per_day([None if s.continuous else s.run_m for s in in_force],
                                                        1000.0)})
    from ..rtr.protocols import describe

    return RtrView(status=found.status, sessions=sessions, stages=stages,
                   labels={stage.number: describe(protocol, stage) for stage in protocol.stages},
                   citation=protocol.citation, protocol_name=protocol.name, stage_name=protocol.stage_name,
                   completed_on=None if found.completed_on is None else (EPOCH + found.completed_on).item())


def recent_pain(pain: pd.DataFrame | None, as_of: date, days: int = 7) -> dict[str, Any] | None:
    """The latest entry and the worst score of the ``days`` up to ``as_of``, or ``None``."""
    if pain is None or not len(pain):
        return None
    upto = pain[pain["date"] <= pd.Timestamp(as_of)]
    if not len(upto):
        return None
    latest = upto.iloc[-1]
    window = upto[upto["date"] > pd.Timestamp(as_of) - pd.Timedelta(days=days)]
    return {
        "date": latest["date"].date(), "score": float(latest["score"]), "when": latest.get("when"),
        "worst_7d": float(window["score"].max()) if len(window) else None,
    }


def _rtr_inputs(store: Any, config: Config) -> Any:
    """Return-to-run plans for the analysis' flags, when the store keeps any."""
    if not hasattr(store, "rtr_plans"):
        return None
    from .. import rtr

    return rtr.inputs(store, config)


def check_athletes(known: list[str], athletes: list[str] | None) -> None:
    """Unknown athlete names are a :class:`~strideload.errors.UsageError` listing the known ones."""
    unknown = [name for name in athletes or () if name not in known]
    if unknown:
        listed = ", ".join(known) if known else "none yet: run 'strideload import' first"
        raise UsageError(f"unknown athlete {unknown[0]!r} (known: {listed})")


def gather(store: Any, config: Config, athletes: list[str] | None = None, since: Any = None,
           as_of: Any = None) -> list[AthleteData]:
    """One :class:`AthleteData` per athlete (all athletes of the store by default).

    ``since`` (a date) is the first day shown; the analysis still uses all earlier history.
    ``as_of`` (a date) is the status day of every athlete; by default each athlete's last
    activity or pain score, whichever is later. Unknown athlete names are a
    :class:`~strideload.errors.UsageError`.
    """
    frame = store.activities_frame()
    if athletes:
        check_athletes(sorted(str(name) for name in frame["athlete"].dropna().unique()), athletes)
        frame = frame[frame["athlete"].isin(athletes)].reset_index(drop=True)
    if not len(frame):
        return []
    raw_pain = store.pain_frame() if hasattr(store, "pain_frame") else None
    activity_ends = _last_days(frame)
    pain_ends = _last_days(raw_pain, "date")
    ends = {name: max(day, pain_ends.get(name, day)) for name, day in activity_ends.items()}
    if as_of is not None:
        ends = dict.fromkeys(ends, date_to_day(as_of))
    team_days = as_of_days(list(ends), config, as_of)
    stale_after = config.get("stale_after_days")
    # The series reach a week past the last activity at most: an athlete whose today lies
    # further out is stale, and the team page shows their last week on record.
    until = max(max(ends.values()), min(max(team_days.values()), max(ends.values()) + stale_after))
    context = store.context_frame() if hasattr(store, "context_frame") else None
    analysis = analyze.analyze(frame, config, until=(EPOCH + until).item(), pain=raw_pain,
                               rtr=_rtr_inputs(store, config), context=context)

    def statuses(days: dict[str, int]) -> dict[str, dict[str, Any]]:
        if not days:
            return {}
        return {str(row["athlete"]): {str(k): _plain(v) for k, v in row.items()}
                for row in status_frame(analysis, days).to_dict("records")}

    status = statuses(ends)
    team_status = status if team_days == ends else statuses({name: day for name, day in team_days.items()
                                                             if day <= until})
    for name, day in team_days.items():
        if name not in team_status:
            last = status[name].get("last_run")
            note = stale_note(day, None if last is None else date_to_day(last), stale_after)
            team_status[name] = {**status[name], "as_of": (EPOCH + day).item(), "stale": note is not None,
                                 "data_note": note}
    set_aside = analysis.set_aside
    aside_days = pd.to_datetime(set_aside["local_date"].astype(str).str[:10], format="%Y-%m-%d", errors="coerce")
    names = dict(zip(frame["id"], frame["name"], strict=True)) if "name" in frame else {}
    pain = _pain_frame(store, list(ends))

    runs = analysis.runs.assign(date=(EPOCH + analysis.runs["day"].to_numpy()).astype("datetime64[ns]"))
    runs["name"] = runs["id"].map(names)
    runs["tier"] = spike_tiers(runs["session_ratio"], config)
    daily = analysis.daily
    chronic = config.get("acwr_chronic_days")
    history = config.get("acwr_min_history_days")
    by_athlete_runs = dict(tuple(runs.groupby("athlete", observed=True, sort=False)))
    by_athlete_days = dict(tuple(daily.groupby("athlete", observed=True, sort=False)))
    flags = analysis.flags
    by_athlete_flags = dict(tuple(flags.groupby("athlete", sort=False))) if len(flags) else {}
    by_athlete_pain = dict(tuple(pain.groupby("athlete", sort=False))) if pain is not None and len(pain) else {}
    activity_groups = dict(tuple(frame.groupby("athlete", sort=False)))
    activity_days = pd.to_datetime(frame["local_date"].astype(str).str[:10], format="%Y-%m-%d", errors="coerce")

    result = []
    for name in sorted(ends):
        end = ends[name]
        last = (EPOCH + end).astype("datetime64[ns]")
        activities = activity_groups[name]
        activities = activities[activity_days[activities.index] <= last]
        first = activity_days[activities.index].min()
        first_day = date_to_day(first) if not pd.isna(first) else end
        start = max(first_day, date_to_day(since)) if since is not None else first_day
        start = min(start, end)
        begin = (EPOCH + start).astype("datetime64[ns]")

        days = by_athlete_days.get(name, daily.iloc[:0])
        days = days[days["date"] <= last].copy()
        days["descent_28d_m"] = days["descent_m"].rolling(chronic, min_periods=1).sum()
        days["history_ok"] = np.arange(len(days)) >= history
        days = days[days["date"] >= begin]

        athlete_runs = by_athlete_runs.get(name, runs.iloc[:0])
        athlete_runs = athlete_runs[(athlete_runs["date"] <= last) & (athlete_runs["date"] >= begin)]
        athlete_flags = by_athlete_flags.get(name, flags.iloc[:0])
        athlete_flags = athlete_flags[(athlete_flags["date"] <= last) & (athlete_flags["date"] >= begin)]

        athlete_pain = None
        if pain is not None:
            athlete_pain = by_athlete_pain.get(name, pain.iloc[:0])
            athlete_pain = athlete_pain[athlete_pain["date"] <= last]

        as_of_date = (EPOCH + end).item()
        own_aside = set_aside[(set_aside["athlete"] == name).to_numpy() & (aside_days <= last).to_numpy()
                              & (aside_days >= begin).to_numpy()].reset_index(drop=True)
        last_activity = activity_ends[name]
        result.append(AthleteData(
            athlete=name, page=page_name(name), as_of=as_of_date, start=(EPOCH + start).item(),
            activities=activities, runs=athlete_runs.reset_index(drop=True),
            daily=days.reset_index(drop=True), flags=athlete_flags.reset_index(drop=True),
            status=status[name],
            pain=None if athlete_pain is None else athlete_pain[athlete_pain["date"] >= begin]
            .reset_index(drop=True),
            recent_pain=recent_pain(athlete_pain, as_of_date),
            rtr=rtr_view(store, config, name, as_of_date, activity_groups[name], athlete_pain),
            team_status=team_status.get(name, status[name]), set_aside=own_aside,
            cadence_line=line_on(analysis.runs, name, end, config),
            as_of_from="pain" if as_of is None and end > last_activity else "activity",
            last_activity=(EPOCH + last_activity).item(),
            context_now=context_on(context, name, (EPOCH + team_days[name]).item()),
        ))
    return result


def context_on(context: pd.DataFrame | None, athlete: str, day: date) -> dict[str, str] | None:
    """The athlete's context period holding ``day`` (the latest started, injury first), in words."""
    if context is None or not len(context):
        return None
    text = day.isoformat()
    mine = context[(context["athlete"] == athlete) & (context["start_date"] <= text) & (context["end_date"] >= text)]
    if not len(mine):
        return None
    order = mine.assign(_rank=mine["kind"].map({"injury": 0, "illness": 1}).fillna(2))
    row = order.sort_values(["_rank", "start_date"], ascending=[True, False]).iloc[0]
    label = {"injury": "injured", "illness": "ill", "holiday": "on holiday"}.get(row["kind"], row["kind"])
    words = f"{label} since {_day(row['start_date']):%-d %b} (to {_day(row['end_date']):%-d %b %Y})"
    return {"kind": str(row["kind"]), "words": words + (f": {row['note']}" if row["note"] else "")}
