"""Where a return-to-run plan stands on a day, and the flags it raises over time.

A plan starts at a stage on a date; each ``rtr set`` is the PT's decision that the plan is
at a stage from a date on (runs on or after that date count at the new stage). strideload
never moves a plan on by itself: it says whether the criteria to progress are met.

On a day A, at stage S (the latest decision on or before A), the sessions at S are the
runs from that decision's date to A. A session *counts* toward progressing only when all
of these hold:

* it was done **as prescribed**: not more than ``rtr_distance_tolerance`` shorter or longer
  than the stage's distance; at an interval stage, walk breaks were taken (no running
  stretch longer than the run interval, by time or by distance, by more than
  ``rtr_interval_tolerance``; and at least one walk); level where the protocol asks for
  level ground; after the rest days the protocol asks for; within its runs per 7 days.
  A session that deviates never counts, whatever the pain log says;
* it was **without pain**: no ``pain_amber`` / ``pain_red`` flag dated that day or the next
  morning;
* its **next-morning score** is in the pain log (a ``next-morning`` entry dated the day
  after). Until then it is "awaiting the next-morning score", never pain-free;
* no **red pain setback** came after it within the stage: a ``pain_red`` flag resets the
  count of clean sessions at S to zero.

The criteria to progress: ``sessions_per_stage`` counted sessions at S; the latest
session's next-morning score in; no pain flag since the latest session (or, without one,
since S began); a rest day kept before the latest session (``rest_days_between_runs``);
and fewer than ``max_stages_per_7_days`` advances in the 7 days to A. All met: ready
(``rtr_ready``, raised once per stage); a pain, rest or levels criterion newly unmet: on
hold (``rtr_hold``). Each way a session went beyond its prescription is an
``rtr_deviation``: longer than prescribed, hilly where the protocol asks for level ground,
running without the prescribed walk breaks, a run without the rest days before it, more
runs in 7 days than allowed. (A shorter session is not a deviation flag, but it does not
count either.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..analyze.flags import SOURCES, empty_flags, flag_frame
from ..analyze.runs import EPOCH
from ..config import Config
from .measure import Session
from .protocols import Stage, describe, distance_text
from .records import (
    AWAITING,
    HOLDS,
    NOT_COUNTED,
    NOT_COUNTED_WORDS,
    PAIN_KINDS,
    PAIN_WORDS,
    Criterion,
    Decision,
    Deviation,
    Plan,
    RtrStatus,
    day_number,
    iso,
    plural,
    short,
)

__all__ = ["Criterion", "Decision", "Deviation", "Evaluator", "Plan", "RtrStatus", "day_number", "iso",
           "morning_days", "plan_flags", "plan_on", "plan_windows", "short"]


def _pain_days(pain_flags: pd.DataFrame, athlete: str) -> list[tuple[int, str, str]]:
    """(day, kind, message) of the athlete's pain flags."""
    if pain_flags is None or not len(pain_flags):
        return []
    own = pain_flags[(pain_flags["athlete"] == athlete) & pain_flags["kind"].isin(PAIN_KINDS)]
    days = (own["date"].to_numpy().astype("datetime64[D]") - EPOCH).astype("int64")
    return [(int(d), str(k), str(m)) for d, k, m in zip(days, own["kind"], own["message"], strict=True)]


def morning_days(pain_log: pd.DataFrame | None, athlete: str) -> set[int]:
    """The days (since the epoch) ``athlete`` logged a next-morning score on (``pain_log``:
    ``strideload.pain.PAIN_COLUMNS``)."""
    if pain_log is None or not len(pain_log):
        return set()
    own = pain_log[(pain_log["athlete"] == athlete) & (pain_log["when"] == "next-morning")]
    return {day_number(str(value)) for value in own["date"]}


def _km(metres: float) -> str:
    return f"{metres / 1000:.2f} km"


def _min(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


class Evaluator:
    """Evaluates one plan against its measured sessions, the athlete's pain flags and the
    days with a next-morning score (``mornings``, days since the epoch)."""

    def __init__(self, plan: Plan, sessions: list[Session], pain_flags: pd.DataFrame, config: Config,
                 mornings: Iterable[int] = ()):
        self.plan = plan
        self.protocol = plan.protocol
        self.rules = plan.protocol.rules
        self.sessions = sorted(sessions, key=lambda s: (s.day, s.activity_id))
        self.pain = sorted(_pain_days(pain_flags, plan.athlete), key=lambda p: (p[0], p[1] == "pain_red"))
        self.mornings = set(mornings)
        self.config = config
        athlete = plan.athlete
        self.tolerance = config.get("rtr_distance_tolerance", athlete)
        self.interval_tolerance = config.get("rtr_interval_tolerance", athlete)
        self.climb_limit = config.get("rtr_level_max_climb_m_per_km", athlete)
        self._deviations: dict[tuple[int, str], list[Deviation]] = {}
        self._statuses: dict[int, RtrStatus] = {}

    # -- per session -------------------------------------------------------------------
    def stage_of(self, session: Session) -> Stage:
        return self.protocol.stage(self.plan.stage_on(session.day).stage)

    def completes(self, session: Session, stage: Stage) -> bool:
        return stage.distance_m is None or session.distance_m >= (1 - self.tolerance) * stage.distance_m

    def pain_after(self, session: Session, as_of: int) -> list[tuple[int, str, str]]:
        """Pain flags on the session's day and the next morning (known by ``as_of``)."""
        return [p for p in self.pain if session.day <= p[0] <= min(session.day + 1, as_of)]

    def morning_known(self, session: Session, as_of: int) -> bool:
        """Is the next-morning score of ``session`` in the log by ``as_of``?"""
        return session.day + 1 <= as_of and session.day + 1 in self.mornings

    def deviations(self, session: Session) -> list[Deviation]:
        """The ways ``session`` went beyond its stage's prescription (cached: they do not
        depend on the day looked from)."""
        key = (session.day, session.activity_id)
        if key not in self._deviations:
            self._deviations[key] = self._find_deviations(session)
        return self._deviations[key]

    def _find_deviations(self, session: Session) -> list[Deviation]:
        stage = self.stage_of(session)
        label = f"{self.protocol.stage_name} {stage.number}"
        found: list[Deviation] = []
        if stage.distance_m is not None and session.distance_m > (1 + self.tolerance) * stage.distance_m:
            prescribed = distance_text(stage.distance_m, stage.unit)
            found.append(Deviation(session.day, session.activity_id, "longer", session.distance_m / 1000,
                                   stage.distance_m / 1000,
                                   f"This {_km(session.distance_m)} run was longer than {label} prescribes: "
                                   f"{prescribed}.", f"{_km(session.distance_m)}, longer than the {prescribed} "
                                                     "prescribed"))
        if self.rules.level_ground and session.hilly:
            climb = session.climb_m_per_km or 0.0
            found.append(Deviation(session.day, session.activity_id, "hilly", climb, self.climb_limit,
                                   f"This run climbed {session.ascent_m or 0:.0f} m ({climb:.1f} m per km, level "
                                   f"ground is at most {self.climb_limit:g}); {self.protocol.name} asks for level "
                                   "ground.", f"hilly: {session.ascent_m or 0:.0f} m up ({climb:.1f} m per km; "
                                              f"level ground is at most {self.climb_limit:g})"))
        found.extend(self._walk_breaks(session, stage, label))
        earlier = [s for s in self.sessions[:self.sessions.index(session)] if s.day >= self.plan.start]
        rest = self.rules.rest_days_between_runs
        if earlier and rest and session.day - earlier[-1].day - 1 < rest:
            gap = max(session.day - earlier[-1].day - 1, 0)
            after = ("on the same day as another run" if session.day == earlier[-1].day else
                     f"{plural(gap, 'rest day')} after the one on {short(earlier[-1].day)}")
            found.append(Deviation(session.day, session.activity_id, "back_to_back", gap, rest,
                                   f"This run came {after}; {self.protocol.name} asks for at least "
                                   f"{plural(rest, 'rest day')} between runs.",
                                   "on the same day as another run" if session.day == earlier[-1].day else
                                   f"{plural(gap, 'rest day')} before it ({rest} asked)"))
        limit = self.rules.max_runs_per_7_days
        if limit:
            window = [s for s in self.sessions if session.day - 7 < s.day <= session.day
                      and (s.day, s.activity_id) <= (session.day, session.activity_id)]
            if len(window) > limit:
                found.append(Deviation(session.day, session.activity_id, "runs_per_7_days", len(window), limit,
                                       f"This was run {len(window)} in 7 days; {self.protocol.name} allows "
                                       f"at most {limit}.", f"run {len(window)} in 7 days (at most {limit})"))
        return found

    def _walk_breaks(self, session: Session, stage: Stage, label: str) -> list[Deviation]:
        """Running without the prescribed walk breaks, by time or by distance."""
        if stage.continuous or session.walk_bouts is None:
            return []
        pattern = describe(self.protocol, stage).split(": ", 1)[1].split(", ")[0]
        over = 1 + self.interval_tolerance
        if stage.run_s is not None and session.longest_run_s is not None and session.longest_run_s > over * stage.run_s:
            return [Deviation(session.day, session.activity_id, "intervals", session.longest_run_s / 60,
                              stage.run_s / 60,
                              f"This run had {_min(session.longest_run_s)} of running without a walk break; "
                              f"{label} prescribes {stage.run_s / 60:g}-min run intervals.",
                              f"{_min(session.longest_run_s)} of running without a walk break "
                              f"({stage.run_s / 60:g}-min run intervals prescribed)")]
        if stage.run_m is not None and session.longest_run_m is not None and session.longest_run_m > over * stage.run_m:
            interval = distance_text(stage.run_m, stage.unit)
            return [Deviation(session.day, session.activity_id, "intervals", session.longest_run_m / 1000,
                              stage.run_m / 1000,
                              f"This run had {_km(session.longest_run_m)} of running without a walk break; "
                              f"{label} prescribes {interval} run intervals.",
                              f"{_km(session.longest_run_m)} of running without a walk break ({interval} run "
                              "intervals prescribed)")]
        if session.walk_bouts == 0 and (session.run_bouts or 0) > 0:
            return [Deviation(session.day, session.activity_id, "intervals", 0.0, 1.0,
                              f"This run had no walk breaks; {label} prescribes {pattern}.",
                              f"no walk breaks ({pattern} prescribed)")]
        return []

    def off_prescription(self, session: Session, stage: Stage) -> list[tuple[str, str]]:
        """How ``session`` was not done as prescribed, ``(what, reason)`` (empty when it was):
        the deviations, ``shorter`` and ``unchecked`` (no per-second data for the walk breaks)."""
        reasons = [(d.what, d.reason) for d in self.deviations(session)]
        if not self.completes(session, stage):
            assert stage.distance_m is not None
            reasons.insert(0, ("shorter", f"{_km(session.distance_m)}, shorter than the "
                                          f"{distance_text(stage.distance_m, stage.unit)} prescribed"))
        if not stage.continuous and session.walk_bouts is None:
            reasons.append(("unchecked", "no per-second data to check the walk breaks"))
        return reasons

    # -- on a day ----------------------------------------------------------------------
    def completed_on(self, as_of: int) -> int | None:
        """The first day, up to ``as_of``, the stage in force on ``as_of`` was the last and done."""
        decision = self.plan.stage_on(as_of)
        if decision.stage != self.protocol.last:
            return None
        at_stage = [s.day for s in self.sessions if decision.day <= s.day <= as_of]
        for day in sorted({d + 1 for d in at_stage} | {d for d in at_stage}):
            if day <= as_of and self._status(day).complete:
                return day
        return None

    def status(self, as_of: int) -> RtrStatus:
        """Where the plan stands on ``as_of``. Once the last stage is done without pain the plan
        is complete: later runs are ordinary training, not compared with the protocol."""
        done_on = self.completed_on(as_of)
        if done_on is None or done_on == as_of:
            status = self._status(as_of)
            if done_on is not None:
                status.completed_on = iso(done_on)
            return status
        status = self._copy(self._status(done_on))
        status.as_of = iso(as_of)
        status.completed_on = iso(done_on)
        status.next_session = (f"{self.protocol.name} was complete on {iso(done_on)}; runs since are not compared "
                               "with it. What comes next is the PT's decision.")
        return status

    @staticmethod
    def _copy(status: RtrStatus) -> RtrStatus:
        return RtrStatus(**{name: getattr(status, name) for name in status.__dataclass_fields__})

    def _log(self, at_stage: list[Session], stage: Stage, as_of: int, reset_day: int | None
             ) -> tuple[list[dict[str, Any]], dict[str, int], int]:
        """One entry per session at the stage, why each does not count, and how many were as prescribed."""
        log: list[dict[str, Any]] = []
        why_not = dict.fromkeys(NOT_COUNTED, 0)
        as_prescribed = 0
        for session in at_stage:
            off = self.off_prescription(session, stage)
            pains = self.pain_after(session, as_of)
            awaiting = not self.morning_known(session, as_of)
            reset = reset_day is not None and session.day < reset_day and not pains
            reasons = [reason for _, reason in off]
            reasons += [f"{PAIN_WORDS[kind]} on {short(day)}" for day, kind, _ in pains]
            if reset:
                reasons.append(f"before the red knee pain on {short(reset_day or 0)}, which starts the count afresh")
            if awaiting:
                reasons.append(f"{AWAITING} of {short(session.day + 1)}")
            flags = {"off_prescription": bool(off), "pain": bool(pains), "reset": reset,
                     "awaiting_next_morning": awaiting}
            first = next((name for name in NOT_COUNTED if flags[name]), None)
            if first is not None:
                why_not[first] += 1
            as_prescribed += not off
            log.append({**session.as_dict(), "stage": stage.number, "as_prescribed": not off,
                        "off_prescription": [reason for _, reason in off], "off_kinds": [what for what, _ in off],
                        "completes": self.completes(session, stage),
                        "pain": [m for _, _, m in pains], "awaiting_next_morning": awaiting,
                        "reset_by_red_pain": iso(reset_day) if reset and reset_day is not None else None,
                        "counts": first is None, "why_not_counted": reasons})
        return log, {k: v for k, v in why_not.items() if v}, as_prescribed

    def _sessions_detail(self, counted: int, needed: int, label: str, why_not: dict[str, int],
                         reset_day: int | None) -> str:
        detail = (f"{plural(counted, label + ' session')} done as prescribed without pain, with the next-morning "
                  f"score in ({needed} needed)")
        if why_not:
            parts = [f"{n} {NOT_COUNTED_WORDS[name]}" + (f" (on {short(reset_day)})" if name == "reset" and
                                                          reset_day is not None else "")
                     for name, n in why_not.items()]
            detail += "; not counted: " + ", ".join(parts)
        return detail

    def _status(self, as_of: int) -> RtrStatus:
        if as_of in self._statuses:
            return self._statuses[as_of]
        plan, protocol, rules = self.plan, self.protocol, self.rules
        decision = plan.stage_on(as_of)
        stage = protocol.stage(decision.stage)
        label = f"{protocol.stage_name} {stage.number}"
        done = [s for s in self.sessions if plan.start <= s.day <= as_of]
        at_stage = [s for s in done if s.day >= decision.day]
        needed = rules.sessions_per_stage
        reds = [p[0] for p in self.pain if p[1] == "pain_red" and decision.day <= p[0] <= as_of]
        reset_day = reds[-1] if reds else None
        log, why_not, as_prescribed = self._log(at_stage, stage, as_of, reset_day)
        counted = sum(entry["counts"] for entry in log)
        criteria = [Criterion("sessions", counted >= needed,
                              self._sessions_detail(counted, needed, label, why_not, reset_day))]
        if at_stage and not self.morning_known(at_stage[-1], as_of):
            latest = at_stage[-1].day
            criteria.append(Criterion("next_morning", False, f"the run on {short(latest)} is {AWAITING} "
                                                             f"({short(latest + 1)})"))
        since = at_stage[-1].day if at_stage else decision.day
        pains = [p for p in self.pain if since <= p[0] <= as_of]
        if pains:
            day, kind, message = pains[-1]
            more = f" (and {plural(len(pains) - 1, 'more pain flag')} since {short(since)})" \
                if len(pains) > 1 else ""
            criteria.append(Criterion("pain", False, f"{PAIN_WORDS[kind]} on {short(day)}: {message.rstrip('.')}"
                                                     f"{more}"))
        else:
            criteria.append(Criterion("pain", True, "no pain flag since the latest session"))

        rest = rules.rest_days_between_runs
        if rest:
            if len(done) >= 2 and done[-1].day - done[-2].day - 1 < rest and done[-1].day >= decision.day:
                criteria.append(Criterion("rest", False, f"no rest day between the runs on {short(done[-2].day)} "
                                                         f"and {short(done[-1].day)} (at least {rest} asked)"))
            else:
                criteria.append(Criterion("rest", True, f"at least {plural(rest, 'rest day')} before the latest run"))
        limit = rules.max_stages_per_7_days
        if limit:
            ups = [d for prev, d in zip(plan.decisions[:-1], plan.decisions[1:], strict=True) if d.stage > prev.stage
                   and as_of - 7 < d.day <= as_of]
            if len(ups) >= limit:
                free = ups[-limit].day + 7
                criteria.append(Criterion("levels", False, f"already {len(ups)} {protocol.stage_name}s up in the last "
                                                           f"7 days (at most {limit}); the next from {iso(free)}"))
            else:
                criteria.append(Criterion("levels", True, f"{len(ups)} {protocol.stage_name}s up in the last 7 days "
                                                           f"(at most {limit})"))
        ready = all(c.met for c in criteria)
        complete = ready and stage.number == protocol.last

        earliest = as_of
        if done:
            earliest = max(earliest, done[-1].day + rest + 1)
        runs_limit = rules.max_runs_per_7_days
        if runs_limit:
            recent = [s.day for s in done if s.day > earliest - 7]
            while len(recent) >= runs_limit:
                earliest = recent[-runs_limit] + 7
                recent = [d for d in recent if d > earliest - 7]
        next_stage = stage.number + 1 if ready and not complete else stage.number
        if complete:
            next_session = (f"{protocol.name} is complete: the last {protocol.stage_name} is done without pain. "
                            "What comes next is the PT's decision.")
        elif ready:
            next_session = (f"{describe(protocol, protocol.stage(next_stage))}, once the PT records it "
                            f"(strideload rtr set --stage {next_stage}); until then {label} again.")
        elif any(c.name == "pain" and not c.met for c in criteria):
            next_session = f"{describe(protocol, stage)}, once the pain has settled; stay at {label}."
        else:
            next_session = describe(protocol, stage)
        deviations = [d for s in at_stage for d in self.deviations(s)]
        status = RtrStatus(
            athlete=plan.athlete, protocol=protocol.key, protocol_name=protocol.name, citation=protocol.citation,
            as_of=iso(as_of), plan_start=iso(plan.start), stage=stage.number, stage_name=protocol.stage_name,
            stages=protocol.last, stage_since=iso(decision.day), prescription=describe(protocol, stage),
            sessions=len(at_stage), sessions_counted=counted, sessions_needed=needed, ready=ready,
            complete=complete, criteria=criteria, next_stage=next_stage, next_session=next_session,
            next_date=iso(earliest), deviations=deviations, session_log=log,
            decisions=[{"date": iso(d.day), "stage": d.stage, "note": d.note, "source": d.source}
                       for d in plan.decisions],
            sessions_as_prescribed=as_prescribed, not_counted=why_not, plan_id=plan.id, plan_source=plan.source)
        self._statuses[as_of] = status
        return status

    # -- over time ---------------------------------------------------------------------
    def verdicts(self, until: int) -> list[dict[str, Any]]:
        """Every session from the plan's start to ``until`` as its stage judged it: the
        ``session_log`` entry of the status on the last day of that stage (or ``until``).
        Sessions after the plan was complete are left out (they are ordinary training)."""
        done_on = self.completed_on(until)
        end = done_on if done_on is not None else until
        found: list[dict[str, Any]] = []
        starts = sorted({d.day for d in self.plan.decisions if self.plan.start <= d.day <= end}
                        | {self.plan.start})
        for index, first in enumerate(starts):
            last = starts[index + 1] - 1 if index + 1 < len(starts) else end
            if last < first:
                continue
            found.extend(entry for entry in self._status(last).session_log if first <= day_number(entry["date"]))
        return found

    def events(self, until: int) -> list[dict[str, Any]]:
        """Flag rows (``kind``, ``day``, ``activity_id``, ``value``, ``threshold``, ``message``)
        from the plan's start to ``until``: every deviation, the first day each stage is ready
        (once per stage), and each day a hold begins within a stage."""
        rows: list[dict[str, Any]] = []
        done_on = self.completed_on(until)
        if done_on is not None:
            until = done_on
        for session in self.sessions:
            if self.plan.start <= session.day <= until:
                rows.extend({"kind": "rtr_deviation", "day": d.day, "activity_id": d.activity_id, "value": d.value,
                             "threshold": d.threshold, "message": d.message} for d in self.deviations(session))
        readied: set[tuple[int, str]] = set()
        period = None
        held: set[str] = set()
        for day in range(self.plan.start, until + 1):
            status = self._status(day)
            current = (status.stage, status.stage_since)
            if current != period:
                held, period = set(), current  # a new stage starts afresh
            latest = status.session_log[-1]["activity_id"] if status.session_log else None
            label = f"{status.stage_name} {status.stage}"
            if status.ready and current not in readied:
                readied.add(current)
                if status.complete:
                    message = f"{label.capitalize()}, the last, done without pain: {self.protocol.name} is complete."
                else:
                    message = (f"Criteria to move from {label} to {status.stage_name} {status.stage + 1} are met: "
                               f"{status.criteria[0].detail}. The PT decides (strideload rtr set).")
                rows.append({"kind": "rtr_ready", "day": day, "activity_id": latest,
                             "value": float(status.sessions_counted), "threshold": float(status.sessions_needed),
                             "message": message})
            unmet = {c.name: c.detail for c in status.criteria if not c.met and c.name in HOLDS}
            for name, detail in unmet.items():
                if name not in held:
                    rows.append({"kind": "rtr_hold", "day": day, "activity_id": latest, "value": np.nan,
                                 "threshold": np.nan, "message": f"{label.capitalize()} on hold: {detail}."})
            held = set(unmet)
        return rows


def plan_windows(plans: list[Plan]) -> dict[int, tuple[int, int | None]]:
    """Each plan's days in force, ``id -> (first, last)`` (``last`` None: open-ended).

    ``plans`` in the order they were recorded: a later plan of the same athlete replaces an
    earlier one from its start on, so a plan replaced from before its own start has no days
    (``first > last``); it stays in the history all the same.
    """
    windows: dict[int, tuple[int, int | None]] = {}
    for index, plan in enumerate(plans):
        later = [p.start for p in plans[index + 1:] if p.athlete == plan.athlete]
        windows[plan.id] = (plan.start, min(later) - 1 if later else None)
    return windows


def plan_on(plans: list[Plan], athlete: str, day: int) -> Plan | None:
    """The athlete's plan in force on ``day`` (see :func:`plan_windows`), if any."""
    own = [p for p in plans if p.athlete == athlete]
    windows = plan_windows(own)
    for plan in reversed(own):
        first, last = windows[plan.id]
        if first <= day and (last is None or day <= last):
            return plan
    return None


def plan_flags(plans: list[tuple[Plan, list[Session]]], pain_flags: pd.DataFrame, config: Config,
               until: int | None, last_day: dict[str, int], pain_log: pd.DataFrame | None = None) -> pd.DataFrame:
    """``rtr_ready``, ``rtr_hold`` and ``rtr_deviation`` flags of every plan.

    Each plan runs while it is in force (:func:`plan_windows`), up to ``until``, else to the
    athlete's ``last_day`` (last run or pain score). ``pain_log`` gives the next-morning
    scores a session needs to count.
    """
    frames = []
    windows = plan_windows([plan for plan, _ in plans])
    for plan, sessions in plans:
        end = until if until is not None else last_day.get(plan.athlete, plan.start)
        last = windows[plan.id][1]
        if last is not None:
            end = min(end, last)
        if end < plan.start:
            continue
        rows = Evaluator(plan, sessions, pain_flags, config, morning_days(pain_log, plan.athlete)).events(end)
        source = plan.protocol.source or plan.protocol.key
        evidence = SOURCES[source].evidence if source in SOURCES else "weak"
        for kind in ("rtr_ready", "rtr_hold", "rtr_deviation"):
            mine = [r for r in rows if r["kind"] == kind]
            if not mine:
                continue
            frame = flag_frame(kind, athlete=[plan.athlete] * len(mine), day=np.asarray([r["day"] for r in mine]),
                               activity_id=[r["activity_id"] for r in mine], value=[r["value"] for r in mine],
                               threshold=[r["threshold"] for r in mine], message=[r["message"] for r in mine])
            frame["source"] = source
            frame["evidence"] = evidence
            frames.append(frame)
    if not frames:
        return empty_flags()
    return pd.concat(frames, ignore_index=True)
