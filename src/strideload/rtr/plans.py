"""Return-to-run plans in a store: start one, record the PT's stage decisions, and read
where each stands. The store is passed in; every call here is one library call of a CLI
command (``rtr start``, ``rtr set``, ``rtr status``)."""

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
from .progress import Decision, Evaluator, Plan, RtrStatus, day_number, plan_flags
from .protocols import Protocol, find_protocol, parse_protocol

if TYPE_CHECKING:
    from ..store import Store


def _plan(row: dict[str, Any]) -> Plan:
    protocol = parse_protocol(row["protocol_toml"], f"plan {row['id']} ({row['protocol']})")
    decisions = tuple(Decision(day_number(d["date"]), int(d["stage"]), d.get("note")) for d in row["decisions"])
    return Plan(id=int(row["id"]), athlete=row["athlete"], protocol=protocol, start=day_number(row["start_date"]),
                decisions=decisions)


def plans(store: Store, athlete: str | None = None) -> list[Plan]:
    """Every plan in the store (of one athlete), oldest first."""
    return [_plan(row) for row in store.rtr_plans(athlete)]


def current_plan(store: Store, athlete: str) -> Plan | None:
    """The athlete's latest plan, if any."""
    found = plans(store, athlete)
    return found[-1] if found else None


def _check_stage(protocol: Protocol, stage: int) -> None:
    if not 1 <= stage <= protocol.last:
        raise UsageError(f"{protocol.key} has {protocol.stage_name}s 1 to {protocol.last}, not {stage}")


def start(store: Store, athlete: str, protocol: str | Protocol, *, on: date | None = None, stage: int = 1,
          config: Config | None = None) -> Plan:
    """Start a plan for ``athlete`` with ``protocol`` (key, path or :class:`Protocol`) at ``stage``
    on ``on`` (default: the athlete's local today). A later plan replaces an earlier one from
    its start on; starting the same plan again records nothing."""
    config = config or Config()
    chosen = protocol if isinstance(protocol, Protocol) else find_protocol(protocol)
    _check_stage(chosen, stage)
    day = on or today(config, athlete)
    existing = current_plan(store, athlete)
    if existing is not None and existing.start == day_number(day) and existing.protocol.key == chosen.key \
            and existing.protocol.text == chosen.text and existing.decisions[0].stage == stage:
        return existing  # the same start again (a re-run script): nothing new to record
    if existing is not None and day_number(day) < existing.start:
        raise UsageError(f"{athlete} already has a plan from {day_iso(existing.start)}; a new one must start "
                         "on or after it")
    store.add_rtr_plan(athlete=athlete, protocol=chosen.key, protocol_toml=chosen.text, start_date=day.isoformat(),
                       stage=stage)
    plan = current_plan(store, athlete)
    assert plan is not None  # just written
    return plan


def day_iso(day: int) -> str:
    return (pd.Timestamp("1970-01-01") + pd.Timedelta(days=day)).date().isoformat()


def set_stage(store: Store, athlete: str, stage: int, *, on: date | None = None, note: str | None = None,
              config: Config | None = None) -> Plan:
    """Record the PT's decision: ``athlete``'s plan is at ``stage`` from ``on`` (default today)."""
    config = config or Config()
    plan = current_plan(store, athlete)
    if plan is None:
        raise UsageError(f"no return-to-run plan for {athlete!r}: start one with 'strideload rtr start'")
    _check_stage(plan.protocol, stage)
    day = on or today(config, athlete)
    if day_number(day) < plan.start:
        raise UsageError(f"{day.isoformat()} is before the plan's start ({day_iso(plan.start)})")
    store.add_rtr_decision(plan.id, date=day.isoformat(), stage=stage, note=note)
    updated = current_plan(store, athlete)
    assert updated is not None
    return updated


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

    def flags(self, pain: pd.DataFrame, until: int | None, last_day: dict[str, int]) -> pd.DataFrame:
        return plan_flags(self.plans, pain, self.config, until, last_day)


def inputs(store: Store, config: Config | None = None, athlete: str | None = None) -> RtrInputs | None:
    """Return-to-run inputs for ``analyze.flags(..., rtr=...)``; None when there is no plan."""
    config = config or Config()
    found = plans(store, athlete)
    if not found:
        return None
    summaries = store.activities_frame(athlete)
    return RtrInputs([(plan, sessions(store, plan, config, summaries)) for plan in found], config)


def status(store: Store, athlete: str | None = None, *, config: Config | None = None,
           as_of: date | str | None = None) -> list[RtrStatus]:
    """Where each athlete's current plan stands on ``as_of`` (default: each one's local today).

    One :class:`RtrStatus` per athlete with a plan (of ``athlete`` only, when given).
    """
    config = config or Config()
    result = []
    latest: dict[str, Plan] = {}
    for plan in plans(store, athlete):
        latest[plan.athlete] = plan
    for name, plan in sorted(latest.items()):
        day = day_number(as_of) if as_of is not None else day_number(today(config, name))
        summaries = store.activities_frame(name)
        pain = pain_flags(store.pain_frame(name), prepare_runs(summaries), config)
        measured = sessions(store, plan, config, summaries, until=day)
        result.append(Evaluator(plan, measured, pain, config).status(max(day, plan.start)))
    return result
