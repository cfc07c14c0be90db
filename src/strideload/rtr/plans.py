"""Return-to-run plans in a store: start one, record the PT's stage decisions, and read
where each stands. The store is passed in; every call here is one library call of a CLI
command (``rtr start``, ``rtr set``, ``rtr status``, ``rtr plans``). A plan file beside
the exports is read by :mod:`.plan_file`.

Every plan and decision records its source (``cli`` or a plan file's path). An athlete has
one plan in force: the latest recorded, from its start on; a plan it replaced stays in the
history with its decisions (:func:`history`), in force until the day before the new start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..analyze.pain import pain_flags
from ..analyze.runs import prepare_runs
from ..analyze.status import today
from ..config import Config
from ..errors import StoreError, UsageError
from .measure import Session, measure
from .progress import (
    Decision,
    Evaluator,
    Plan,
    RtrStatus,
    day_number,
    morning_days,
    plan_flags,
    plan_on,
    plan_windows,
)
from .protocols import Protocol, find_protocol, parse_protocol

if TYPE_CHECKING:
    from ..store import Store



def _plan(row: dict[str, Any]) -> Plan:
    protocol = parse_protocol(row["protocol_toml"], f"plan {row['id']} ({row['protocol']})")
    decisions = tuple(Decision(day_number(d["date"]), int(d["stage"]), d.get("note"), d.get("source"),
                               d.get("decided_at"), d.get("id")) for d in row["decisions"])
    return Plan(id=int(row["id"]), athlete=row["athlete"], protocol=protocol, start=day_number(row["start_date"]),
                decisions=decisions, source=row.get("source"), created=row.get("created_at"))


def plans(store: Store, athlete: str | None = None) -> list[Plan]:
    """Every plan in the store (of one athlete), in the order they were recorded: replaced
    plans stay, each with its decisions."""
    return [_plan(row) for row in store.rtr_plans(athlete)]


def current_plan(store: Store, athlete: str) -> Plan | None:
    """The athlete's plan in force: the latest recorded, if any."""
    found = plans(store, athlete)
    return found[-1] if found else None


def _check_stage(protocol: Protocol, stage: int) -> None:
    if not 1 <= stage <= protocol.last:
        raise UsageError(f"{protocol.key} has {protocol.stage_name}s 1 to {protocol.last}, not {stage}")


def in_words(plan: Plan) -> str:
    """``crowell2023 from 2026-09-15, started with 'strideload rtr start'``."""
    return f"{plan.protocol.key} from {day_iso(plan.start)}, {plan.source_words}"


def start(store: Store, athlete: str, protocol: str | Protocol, *, on: date | None = None, stage: int = 1,
          config: Config | None = None, replace: bool = False, source: str = "cli") -> Plan:
    """Start a plan for ``athlete`` with ``protocol`` (key, path or :class:`Protocol`) at ``stage``
    on ``on`` (default: the athlete's local today); ``source`` records who started it (``cli``
    or a plan file's path).

    Starting the same plan again records nothing. An athlete with another plan is refused
    (:class:`UsageError` naming the plan in force and where it came from) unless ``replace``:
    then the new plan is in force from its start, and the replaced one stays in the history
    with its decisions.
    """
    config = config or Config()
    chosen = protocol if isinstance(protocol, Protocol) else find_protocol(protocol)
    _check_stage(chosen, stage)
    day = on or today(config, athlete)
    existing = current_plan(store, athlete)
    if existing is not None and same_start(existing, chosen, day, stage):
        return existing  # the same start again (a re-run script): nothing new to record
    if existing is not None and not replace:
        raise UsageError(f"{athlete} already has a return-to-run plan ({in_words(existing)}); starting another "
                         "replaces it: add --replace (the current plan and its decisions stay in the history)")
    store.add_rtr_plan(athlete=athlete, protocol=chosen.key, protocol_toml=chosen.text, start_date=day.isoformat(),
                       stage=stage, source=source)
    plan = current_plan(store, athlete)
    assert plan is not None  # just written
    return plan


def same_start(plan: Plan, protocol: Protocol, day: date, stage: int) -> bool:
    """Is ``plan`` the one started on ``day`` with ``protocol`` at ``stage``?"""
    return plan.start == day_number(day) and plan.protocol.key == protocol.key \
        and plan.protocol.text == protocol.text and plan.decisions[0].stage == stage


def day_iso(day: int) -> str:
    return (pd.Timestamp("1970-01-01") + pd.Timedelta(days=day)).date().isoformat()


def source_words(source: str | None) -> str:
    if not source or source == "cli":
        return "with 'strideload rtr set'" if source else "(source not recorded)"
    return f"from the plan file {source}"


def set_stage(store: Store, athlete: str, stage: int, *, on: date | None = None, note: str | None = None,
              config: Config | None = None, source: str = "cli") -> Plan:
    """Record the PT's decision: ``athlete``'s plan is at ``stage`` from ``on`` (default today).
    :func:`decision_notes` says what it overrides."""
    config = config or Config()
    plan = current_plan(store, athlete)
    if plan is None:
        raise UsageError(f"no return-to-run plan for {athlete!r}: start one with 'strideload rtr start'")
    _check_stage(plan.protocol, stage)
    day = on or today(config, athlete)
    if day_number(day) < plan.start:
        raise UsageError(f"{day.isoformat()} is before the plan's start ({day_iso(plan.start)})")
    store.add_rtr_decision(plan.id, date=day.isoformat(), stage=stage, note=note, source=source)
    updated = current_plan(store, athlete)
    assert updated is not None
    return updated


def decision_notes(plan: Plan) -> list[str]:
    """What the plan's latest recorded decision overrides, in words: an earlier decision for
    the same date from another source, and a plan kept in a plan file that lacks it."""
    latest = max(plan.decisions, key=lambda d: d.id or 0)
    name = plan.protocol.stage_name
    notes = [f"it replaces {name} {d.stage} for {day_iso(d.day)}, recorded {source_words(d.source)}"
             for d in plan.decisions if d is not latest and d.day == latest.day and d.stage != latest.stage]
    if plan.source and plan.source != "cli" and latest.source != plan.source:
        notes.append(f"the plan comes from the plan file {plan.source}, which does not have this decision: "
                     "add it there too, or the file and the store tell different stories")
    return notes


def sessions(store: Store, plan: Plan, config: Config, summaries: pd.DataFrame | None = None,
             until: int | None = None) -> list[Session]:
    """The plan's runs (from its start, up to ``until``), measured from their streams."""
    frame = store.activities_frame(plan.athlete) if summaries is None else summaries
    frame = frame[(frame["athlete"] == plan.athlete) & frame["running"].astype(bool)]
    days = frame["local_date"].map(lambda value: day_number(str(value)) if isinstance(value, str) else None)
    keep = days.notna() & (days >= plan.start)
    if until is not None:
        keep &= days <= until
    found = []
    for summary in frame[keep].to_dict("records"):
        try:
            stream = store.stream(str(summary["id"]))
        except StoreError:
            stream = None
        found.append(measure(summary, stream, config))
    return found


@dataclass
class RtrInputs:
    """What the analysis needs for the return-to-run flags: each plan with its sessions."""

    plans: list[tuple[Plan, list[Session]]]
    config: Config

    def flags(self, pain: pd.DataFrame, until: int | None, last_day: dict[str, int],
              pain_log: pd.DataFrame | None = None) -> pd.DataFrame:
        """The plans' flags, given the pain flags and the pain log (for the next-morning scores)."""
        return plan_flags(self.plans, pain, self.config, until, last_day, pain_log)


def inputs(store: Store, config: Config | None = None, athlete: str | None = None) -> RtrInputs | None:
    """Return-to-run inputs for ``analyze.flags(..., rtr=...)``; None when there is no plan."""
    config = config or Config()
    found = plans(store, athlete)
    if not found:
        return None
    summaries = store.activities_frame(athlete)
    return RtrInputs([(plan, sessions(store, plan, config, summaries)) for plan in found], config)


def replaced_plans(found: list[Plan], plan: Plan) -> list[dict[str, Any]]:
    """The athlete's other plans, as the history shows them: protocol, start, where each came
    from, its decisions and the days it was in force (none when replaced before its start)."""
    windows = plan_windows(found)
    rows = []
    for other in found:
        if other.id == plan.id or other.athlete != plan.athlete:
            continue
        first, last = windows[other.id]
        rows.append({"plan_id": other.id, "protocol": other.protocol.key, "start": day_iso(other.start),
                     "source": other.source, "recorded": other.created, "decisions": len(other.decisions),
                     "in_force_until": None if last is None else day_iso(last) if last >= first else "never"})
    return rows


def history(store: Store, athlete: str | None = None) -> list[dict[str, Any]]:
    """Every plan recorded (of ``athlete``), replaced ones too: one row per decision, the
    plan's start first, with where it came from (``cli`` or a plan file) and whether the plan
    is in force (``in force``, ``until YYYY-MM-DD`` or ``never``: replaced before its start)."""
    found = plans(store, athlete)
    windows = plan_windows(found)
    rows = []
    for plan in found:
        first, last = windows[plan.id]
        state = "in force" if last is None else f"until {day_iso(last)}" if last >= first else "never"
        for index, decision in enumerate(plan.decisions):
            rows.append({"athlete": plan.athlete, "plan": plan.id, "protocol": plan.protocol.key,
                         "start": day_iso(plan.start), "in_force": state, "date": day_iso(decision.day),
                         "stage": decision.stage, "note": decision.note,
                         "source": ("rtr start" if index == 0 else "rtr set") if decision.source == "cli"
                         else decision.source, "recorded": decision.recorded})
    return rows


def status(store: Store, athlete: str | None = None, *, config: Config | None = None,
           as_of: date | str | None = None) -> list[RtrStatus]:
    """Where each athlete's plan stands on ``as_of`` (default: each one's local today).

    One :class:`RtrStatus` per athlete with a plan (of ``athlete`` only, when given): the
    plan in force that day (the latest recorded one before its start, if none was then).
    ``replaced`` lists the athlete's other plans, kept in the history.
    """
    config = config or Config()
    result = []
    found = plans(store, athlete)
    for name in sorted({plan.athlete for plan in found}):
        own = [plan for plan in found if plan.athlete == name]
        day = day_number(as_of) if as_of is not None else day_number(today(config, name))
        plan = plan_on(own, name, day) or own[-1]
        summaries = store.activities_frame(name)
        log = store.pain_frame(name)
        pain = pain_flags(log, prepare_runs(summaries), config)
        measured = sessions(store, plan, config, summaries, until=day)
        now = Evaluator(plan, measured, pain, config, morning_days(log, name)).status(max(day, plan.start))
        now.replaced = replaced_plans(own, plan)
        result.append(now)
    return result


@dataclass
class PlanView:
    """A plan as a report draws it, on ``as_of``: its ``status``, every session since its
    start judged at its own stage (``verdicts``: ``session_log`` entries, sessions after the
    plan was complete left out), ``completed_on`` (days since the epoch, or None) and the
    other ``sessions`` measured since the start (all of them, for the chart)."""

    plan: Plan
    status: RtrStatus
    verdicts: list[dict[str, Any]]
    sessions: list[Session]
    completed_on: int | None


def view(store: Store, athlete: str, *, config: Config | None = None, as_of: date | str) -> PlanView | None:
    """The athlete's plan in force on ``as_of`` (None when no plan had started by then)."""
    config = config or Config()
    day = day_number(as_of)
    own = plans(store, athlete)
    plan = plan_on(own, athlete, day)
    if plan is None:
        return None
    summaries = store.activities_frame(athlete)
    log = store.pain_frame(athlete)
    measured = sessions(store, plan, config, summaries, until=day)
    evaluator = Evaluator(plan, measured, pain_flags(log, prepare_runs(summaries), config), config,
                          morning_days(log, athlete))
    now = evaluator.status(day)
    now.replaced = replaced_plans(own, plan)
    return PlanView(plan, now, evaluator.verdicts(day), measured, evaluator.completed_on(day))
