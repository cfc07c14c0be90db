"""Where a return-to-run plan stands on a day, and the flags it raises over time.

A plan starts at a stage on a date; each ``rtr set`` is the PT's decision that the plan is
at a stage from a date on (runs on or after that date count at the new stage). strideload
never moves a plan on by itself: it says whether the criteria to progress are met.

On a day A, at stage S (the latest decision on or before A), the sessions at S are the
runs from that decision's date to A. A session

* *completes* the prescription when its distance is at least (1 − ``rtr_distance_tolerance``)
  × the prescribed distance (always, when the stage gives none);
* is *without pain* when no ``pain_amber`` / ``pain_red`` flag is dated that day or the next
  morning (a session on A itself waits for the next morning);
* *counts* when both hold.

The criteria to progress: ``sessions_per_stage`` counted sessions at S; the latest
session's next morning known (a run on A waits for it); no pain flag since the latest
session (or, without one, since S began); a rest day kept before the latest
session (``rest_days_between_runs``); and fewer than ``max_stages_per_7_days`` advances in
the 7 days to A. All met: ready (``rtr_ready``, once per stage); a pain, rest or levels
criterion newly unmet: on hold (``rtr_hold``). Each session is also compared with its
prescription (``rtr_deviation``): longer than prescribed, hilly where the protocol asks
for level ground, running longer without a walk break than the run interval, a run
without the rest days before it, more runs in 7 days than allowed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..analyze.flags import SOURCES, empty_flags, flag_frame
from ..analyze.runs import EPOCH
from ..config import Config
from .measure import Session
from .protocols import Protocol, Stage, describe, distance_text

PAIN_KINDS = ("pain_amber", "pain_red")
HOLDS = ("pain", "rest", "levels")


def iso(day: int) -> str:
    return (EPOCH + day).item().isoformat()


def short(day: int) -> str:
    return pd.Timestamp((EPOCH + day).item()).strftime("%-d %b")


@dataclass(frozen=True)
class Decision:
    """The plan is at ``stage`` from ``day`` (days since the epoch) on."""

    day: int
    stage: int
    note: str | None = None


@dataclass(frozen=True)
class Plan:
    """A return-to-run plan: athlete, protocol, start and the PT's decisions (start first)."""

    id: int
    athlete: str
    protocol: Protocol
    start: int
    decisions: tuple[Decision, ...]

    def stage_on(self, day: int) -> Decision:
        """The decision in force on ``day`` (the start's before the plan began)."""
        current = self.decisions[0]
        for decision in self.decisions:
            if decision.day <= day:
                current = decision
        return current


@dataclass(frozen=True)
class Deviation:
    """One way a session differed from its prescription."""

    day: int
    activity_id: str
    what: str  # longer | hilly | intervals | back_to_back | runs_per_7_days
    value: float
    threshold: float
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"date": iso(self.day), "activity_id": self.activity_id, "what": self.what, "value": self.value,
                "threshold": self.threshold, "message": self.message}


@dataclass(frozen=True)
class Criterion:
    """One criterion to progress: ``name`` (sessions, pain, rest, levels), met, and why."""

    name: str
    met: bool
    detail: str


@dataclass
class RtrStatus:
    """Where a plan stands on ``as_of`` (see the module doc). ``as_dict()`` is JSON-ready."""

    athlete: str
    protocol: str
    protocol_name: str
    citation: str
    as_of: str
    plan_start: str
    stage: int
    stage_name: str
    stages: int
    stage_since: str
    prescription: str
    sessions: int
    sessions_counted: int
    sessions_needed: int
    ready: bool
    complete: bool
    criteria: list[Criterion]
    next_stage: int
    next_session: str
    next_date: str
    deviations: list[Deviation] = field(default_factory=list)
    session_log: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """Why not ready (empty when ready)."""
        return [c.detail for c in self.criteria if not c.met]

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["criteria"] = [asdict(c) for c in self.criteria]
        out["deviations"] = [d.as_dict() for d in self.deviations]
        out["reasons"] = self.reasons
        return out


def _pain_days(pain_flags: pd.DataFrame, athlete: str) -> list[tuple[int, str, str]]:
    """(day, kind, message) of the athlete's pain flags."""
    if pain_flags is None or not len(pain_flags):
        return []
    own = pain_flags[(pain_flags["athlete"] == athlete) & pain_flags["kind"].isin(PAIN_KINDS)]
    days = (own["date"].to_numpy().astype("datetime64[D]") - EPOCH).astype("int64")
    return [(int(d), str(k), str(m)) for d, k, m in zip(days, own["kind"], own["message"], strict=True)]


def _km(metres: float) -> str:
    return f"{metres / 1000:.2f} km"


def _min(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


class Evaluator:
    """Evaluates one plan against its measured sessions and the athlete's pain flags."""

    def __init__(self, plan: Plan, sessions: list[Session], pain_flags: pd.DataFrame, config: Config):
        self.plan = plan
        self.protocol = plan.protocol
        self.rules = plan.protocol.rules
        self.sessions = sorted(sessions, key=lambda s: (s.day, s.activity_id))
        self.pain = sorted(_pain_days(pain_flags, plan.athlete), key=lambda p: (p[0], p[1] == "pain_red"))
        self.config = config
        athlete = plan.athlete
        self.tolerance = config.get("rtr_distance_tolerance", athlete)
        self.interval_tolerance = config.get("rtr_interval_tolerance", athlete)
        self.climb_limit = config.get("rtr_level_max_climb_m_per_km", athlete)

    # -- per session -------------------------------------------------------------------
    def stage_of(self, session: Session) -> Stage:
        return self.protocol.stage(self.plan.stage_on(session.day).stage)

    def completes(self, session: Session, stage: Stage) -> bool:
        return stage.distance_m is None or session.distance_m >= (1 - self.tolerance) * stage.distance_m

    def pain_after(self, session: Session, as_of: int) -> list[tuple[int, str, str]]:
        """Pain flags on the session's day and the next morning (known by ``as_of``)."""
        return [p for p in self.pain if session.day <= p[0] <= min(session.day + 1, as_of)]

    def deviations(self, session: Session) -> list[Deviation]:
        stage = self.stage_of(session)
        label = f"{self.protocol.stage_name} {stage.number}"
        found: list[Deviation] = []
        if stage.distance_m is not None and session.distance_m > (1 + self.tolerance) * stage.distance_m:
            found.append(Deviation(session.day, session.activity_id, "longer", session.distance_m / 1000,
                                   stage.distance_m / 1000,
                                   f"This {_km(session.distance_m)} run was longer than {label} prescribes: "
                                   f"{distance_text(stage.distance_m, stage.unit)}."))
        if self.rules.level_ground and session.hilly:
            climb = session.climb_m_per_km or 0.0
            found.append(Deviation(session.day, session.activity_id, "hilly", climb, self.climb_limit,
                                   f"This run climbed {session.ascent_m or 0:.0f} m ({climb:.1f} m per km, level "
                                   f"ground is at most {self.climb_limit:g}); {self.protocol.name} asks for level "
                                   "ground."))
        if (not stage.continuous and stage.run_s is not None and session.longest_run_s is not None
                and session.longest_run_s > (1 + self.interval_tolerance) * stage.run_s):
            found.append(Deviation(session.day, session.activity_id, "intervals", session.longest_run_s / 60,
                                   stage.run_s / 60,
                                   f"This run had {_min(session.longest_run_s)} of running without a walk break; "
                                   f"{label} prescribes {stage.run_s / 60:g}-min run intervals."))
        earlier = [s for s in self.sessions[:self.sessions.index(session)] if s.day >= self.plan.start]
        rest = self.rules.rest_days_between_runs
        if earlier and rest and session.day - earlier[-1].day - 1 < rest:
            gap = max(session.day - earlier[-1].day - 1, 0)
            after = ("on the same day as another run" if session.day == earlier[-1].day else
                     f"{gap} rest day{'s' if gap != 1 else ''} after the one on {short(earlier[-1].day)}")
            found.append(Deviation(session.day, session.activity_id, "back_to_back", gap, rest,
                                   f"This run came {after}; {self.protocol.name} asks for at least {rest} "
                                   f"rest day{'s' if rest != 1 else ''} between runs."))
        limit = self.rules.max_runs_per_7_days
        if limit:
            window = [s for s in self.sessions if session.day - 7 < s.day <= session.day
                      and (s.day, s.activity_id) <= (session.day, session.activity_id)]
            if len(window) > limit:
                found.append(Deviation(session.day, session.activity_id, "runs_per_7_days", len(window), limit,
                                       f"This was run {len(window)} in 7 days; {self.protocol.name} allows "
                                       f"at most {limit}."))
        return found

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
            return self._status(as_of)
        status = self._status(done_on)
        status.as_of = iso(as_of)
        status.next_session = (f"{self.protocol.name} was complete on {iso(done_on)}; runs since are not compared "
                               "with it. What comes next is the PT's decision.")
        return status

    def _status(self, as_of: int) -> RtrStatus:
        plan, protocol, rules = self.plan, self.protocol, self.rules
        decision = plan.stage_on(as_of)
        stage = protocol.stage(decision.stage)
        label = f"{protocol.stage_name} {stage.number}"
        done = [s for s in self.sessions if plan.start <= s.day <= as_of]
        at_stage = [s for s in done if s.day >= decision.day]
        needed = rules.sessions_per_stage
        log, counted = [], 0
        for session in at_stage:
            complete = self.completes(session, stage)
            pains = self.pain_after(session, as_of)
            waiting = session.day + 1 > as_of
            counts = complete and not pains and not waiting
            counted += counts
            log.append({**session.as_dict(), "stage": stage.number, "completes": complete,
                        "pain": [m for _, _, m in pains], "waiting_for_next_morning": waiting and not pains,
                        "counts": counts})
        criteria: list[Criterion] = []
        short_label = f"{label} session{'s' if needed != 1 else ''}"
        detail = f"{counted} of {needed} {short_label} done as prescribed without pain"
        incomplete = [entry for entry in log if not entry["completes"]]
        if incomplete and stage.distance_m is not None:
            detail += (f"; {len(incomplete)} shorter than the prescribed "
                       f"{distance_text(stage.distance_m, stage.unit)}")
        criteria.append(Criterion("sessions", counted >= needed, detail))

        if at_stage and at_stage[-1].day + 1 > as_of:
            criteria.append(Criterion("next_morning", False, f"the run on {short(at_stage[-1].day)} waits for the "
                                                             "next morning's pain score"))
        since = at_stage[-1].day if at_stage else decision.day
        pains = [p for p in self.pain if since <= p[0] <= as_of]
        if pains:
            day, kind, message = pains[-1]
            more = f" (and {len(pains) - 1} more pain flag{'s' if len(pains) > 2 else ''} since {short(since)})" \
                if len(pains) > 1 else ""
            criteria.append(Criterion("pain", False, f"{kind} on {short(day)}: {message.rstrip('.')}{more}"))
        else:
            criteria.append(Criterion("pain", True, "no pain flag since the latest session"))

        rest = rules.rest_days_between_runs
        if rest:
            if len(done) >= 2 and done[-1].day - done[-2].day - 1 < rest and done[-1].day >= decision.day:
                criteria.append(Criterion("rest", False, f"no rest day between the runs on {short(done[-2].day)} "
                                                         f"and {short(done[-1].day)} (at least {rest} asked)"))
            else:
                criteria.append(Criterion("rest", True, f"at least {rest} rest day{'s' if rest != 1 else ''} "
                                                        "before the latest run"))
        limit = rules.max_stages_per_7_days
        if limit:
            ups = [d for prev, d in zip(plan.decisions[:-1], plan.decisions[1:], strict=True) if d.stage > prev.stage
                   and as_of - 7 < d.day <= as_of]
            if len(ups) >= limit:
                free = ups[-limit].day + 7
                criteria.append(Criterion("levels", False, f"already {len(ups)} {protocol.stage_name}s up in the last "
                                                           f"7 days (at most {limit}); the next from {iso(free)}"))
            else:
                criteria.append(Criterion("levels", True, f"{len(ups)} of at most {limit} {protocol.stage_name}s up "
                                                           "in the last 7 days"))
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
        return RtrStatus(
            athlete=plan.athlete, protocol=protocol.key, protocol_name=protocol.name, citation=protocol.citation,
            as_of=iso(as_of), plan_start=iso(plan.start), stage=stage.number, stage_name=protocol.stage_name,
            stages=protocol.last, stage_since=iso(decision.day), prescription=describe(protocol, stage),
            sessions=len(at_stage), sessions_counted=counted, sessions_needed=needed, ready=ready,
            complete=complete, criteria=criteria, next_stage=next_stage, next_session=next_session,
            next_date=iso(earliest), deviations=deviations, session_log=log,
            decisions=[{"date": iso(d.day), "stage": d.stage, "note": d.note} for d in plan.decisions])

    # -- over time ---------------------------------------------------------------------
    def events(self, until: int) -> list[dict[str, Any]]:
        """Flag rows (``kind``, ``day``, ``activity_id``, ``value``, ``threshold``, ``message``)
        from the plan's start to ``until``: every deviation, and each day ready or on hold
        begins within a stage."""
        rows: list[dict[str, Any]] = []
        done_on = self.completed_on(until)
        if done_on is not None:
            until = done_on
        for session in self.sessions:
            if self.plan.start <= session.day <= until:
                rows.extend({"kind": "rtr_deviation", "day": d.day, "activity_id": d.activity_id, "value": d.value,
                             "threshold": d.threshold, "message": d.message} for d in self.deviations(session))
        was_ready, period = False, None
        held: set[str] = set()
        for day in range(self.plan.start, until + 1):
            status = self.status(day)
            current = (status.stage, status.stage_since)
            if current != period:
                was_ready, held, period = False, set(), current  # a new stage starts afresh
            latest = status.session_log[-1]["activity_id"] if status.session_log else None
            label = f"{status.stage_name} {status.stage}"
            if status.ready and not was_ready:
                if status.complete:
                    message = f"{label.capitalize()}, the last, done without pain: {self.protocol.name} is complete."
                else:
                    message = (f"Criteria to move from {label} to {status.stage_name} {status.stage + 1} are met: "
                               f"{status.criteria[0].detail}. The PT decides (strideload rtr set).")
                rows.append({"kind": "rtr_ready", "day": day, "activity_id": latest,
                             "value": float(status.sessions_counted), "threshold": float(status.sessions_needed),
                             "message": message})
            was_ready = status.ready
            unmet = {c.name: c.detail for c in status.criteria if not c.met and c.name in HOLDS}
            for name, detail in unmet.items():
                if name not in held:
                    rows.append({"kind": "rtr_hold", "day": day, "activity_id": latest, "value": np.nan,
                                 "threshold": np.nan, "message": f"{label.capitalize()} on hold: {detail}."})
            held = set(unmet)
        return rows


def plan_flags(plans: list[tuple[Plan, list[Session]]], pain_flags: pd.DataFrame, config: Config,
               until: int | None, last_day: dict[str, int]) -> pd.DataFrame:
    """``rtr_ready``, ``rtr_hold`` and ``rtr_deviation`` flags of every plan.

    Each plan runs to the start of the athlete's next plan, else to ``until``, else to the
    athlete's ``last_day`` (last run or pain score).
    """
    frames = []
    for index, (plan, sessions) in enumerate(plans):
        later = [p.start for p, _ in plans[index + 1:] if p.athlete == plan.athlete]
        end = until if until is not None else last_day.get(plan.athlete, plan.start)
        if later:
            end = min(end, later[0] - 1)
        if end < plan.start:
            continue
        rows = Evaluator(plan, sessions, pain_flags, config).events(end)
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


def day_number(value: date | str) -> int:
    """A date as days since the epoch."""
    return int((np.datetime64(str(value)[:10], "D") - EPOCH).astype("int64"))
