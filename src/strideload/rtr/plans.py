"""Return-to-run plans in a store: start one, record the PT's stage decisions, and read
where each stands. The store is passed in; every call here is one library call of a CLI
command (``rtr start``, ``rtr set``, ``rtr status``), or of ``strideload import`` for a
plan file.

A **plan file** is the PT's record kept beside the athlete's exports: a TOML file named
``rtr*.toml`` (``rtr-plan.toml``) in the athlete's folder, found by ``strideload import``
and ``strideload watch`` like a ``pain*.csv`` log and read for that folder's athlete::

    [plan]
    protocol = "crowell2023"      # a key (shipped or in your protocols folder), or a
                                  # path to a protocol .toml, relative to this file
    start = 2026-09-15            # the plan's first day (a TOML date)
    stage = 1                     # optional: the stage it starts at (default 1)

    [[decisions]]                 # the PT's stage decisions, in any order, one per date
    date = 2026-09-19             # from this day on (runs that day count at the new stage)
    stage = 2
    note = "two clean sessions"   # optional

Importing one (:func:`apply_plan_file`) starts the plan (nothing new when the same plan
was started before, by a file or by ``rtr start``) and records each decision the plan
does not already have with the same date and stage, so importing the file again adds
nothing. A decision removed from the file stays recorded; a date given a different stage
is recorded again, and the newer record wins for that date. A bad file raises
:class:`PlanFileError` naming the file and the key (``decisions[2].stage``) and writes
nothing; the import turns it into a failed outcome.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..analyze.pain import pain_flags
from ..analyze.runs import prepare_runs
from ..analyze.status import today
from ..config import Config
from ..errors import StoreError, UsageError
from .measure import Session, measure
from .progress import Decision, Evaluator, Plan, RtrStatus, day_number, plan_flags
from .protocols import Protocol, ProtocolError, find_protocol, parse_protocol, read_toml_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from ..store import Store

PLAN_FILE_SECTIONS = {"plan", "decisions"}
PLAN_KEYS = {"protocol", "start", "stage"}
DECISION_KEYS = {"date", "stage", "note"}


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
    if existing is not None and _same_start(existing, chosen, day, stage):
        return existing  # the same start again (a re-run script): nothing new to record
    if existing is not None and day_number(day) < existing.start:
        raise UsageError(f"{athlete} already has a plan from {day_iso(existing.start)}; a new one must start "
                         "on or after it")
    store.add_rtr_plan(athlete=athlete, protocol=chosen.key, protocol_toml=chosen.text, start_date=day.isoformat(),
                       stage=stage)
    plan = current_plan(store, athlete)
    assert plan is not None  # just written
    return plan


def _same_start(plan: Plan, protocol: Protocol, day: date, stage: int) -> bool:
    """Is ``plan`` the one started on ``day`` with ``protocol`` at ``stage``?"""
    return plan.start == day_number(day) and plan.protocol.key == protocol.key \
        and plan.protocol.text == protocol.text and plan.decisions[0].stage == stage


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


# -- plan files (see the module doc) ---------------------------------------------------------
class PlanFileError(ProtocolError):
    """A return-to-run plan file is missing or invalid. ``path`` names the file, ``key`` the
    offending entry (``plan.start``, ``decisions[2].stage``) and ``reason`` what is wrong."""

    def __init__(self, message: str, *, key: str | None = None, path: str | Path | None = None):
        self.reason = f"{key}: {message}" if key else message
        super().__init__(message, key=key, path=path)


@dataclass(frozen=True)
class PlanFile:
    """A validated plan file: the protocol, the start day and stage, and the PT's decisions
    (by date; ``Decision.day`` is days since the epoch)."""

    path: str
    protocol: Protocol
    start: date
    stage: int
    decisions: tuple[Decision, ...]


@dataclass(frozen=True)
class PlanFileImport:
    """What importing a plan file did: the plan (``plan_id``), whether it was ``started`` now,
    and its decisions ``added`` now and ``known`` (recorded before with the same date and stage)."""

    path: str
    athlete: str
    protocol: str
    start: str
    plan_id: int
    started: bool
    added: int
    known: int


def _plan_date(value: Any, key: str, path: str) -> date:
    if isinstance(value, datetime):
        raise PlanFileError(f"must be a date like 2026-09-15, not a date and time ({value.isoformat()})",
                            key=key, path=path)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PlanFileError(f"must be a date like 2026-09-15, got {value!r}", key=key, path=path)


def _plan_stage(value: Any, protocol: Protocol, key: str, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlanFileError(f"must be a whole number, got {value!r}", key=key, path=path)
    if not 1 <= value <= protocol.last:
        raise PlanFileError(f"{protocol.key} has {protocol.stage_name}s 1 to {protocol.last}, not {value}",
                            key=key, path=path)
    return value


def _unknown(table: dict[str, Any], known: set[str], prefix: str, path: str) -> None:
    extra = sorted(set(table) - known)
    if extra:
        raise PlanFileError(f"unknown entry (known: {', '.join(sorted(known))})", key=f"{prefix}{extra[0]}",
                            path=path)


def _plan_protocol(value: Any, path: Path) -> Protocol:
    shown = str(path)
    if not isinstance(value, str) or not value.strip():
        raise PlanFileError("give a protocol key (crowell2023) or a path to a protocol .toml file",
                            key="plan.protocol", path=shown)
    name = value.strip()
    if name.endswith(".toml") or "/" in name or "\\" in name:
        target = Path(name).expanduser()
        name = str(target if target.is_absolute() else path.parent / target)
    try:
        return find_protocol(name)
    except ProtocolError as exc:
        raise PlanFileError(str(exc), key="plan.protocol", path=shown) from exc


def parse_plan_file(text: str, path: str | Path) -> PlanFile:
    """Validate a plan file's TOML ``text`` (``path`` names it in errors and anchors a relative
    protocol path) into a :class:`PlanFile`; raises :class:`PlanFileError`."""
    path = Path(path)
    shown = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanFileError(f"not valid TOML: {exc}", path=shown) from exc
    if "plan" not in data and isinstance(data.get("protocol"), dict):
        raise PlanFileError("this is a protocol file, not a plan file: files named rtr*.toml are read as plan "
                            "files, so name it otherwise and refer to it from the plan's 'protocol'",
                            key="protocol", path=shown)
    unknown = sorted(set(data) - PLAN_FILE_SECTIONS)
    if unknown:
        raise PlanFileError("unknown section (expected [plan] and [[decisions]])", key=unknown[0], path=shown)
    head = data.get("plan")
    if not isinstance(head, dict):
        raise PlanFileError("missing the [plan] table (protocol, start)", key="plan", path=shown)
    _unknown(head, PLAN_KEYS, "plan.", shown)
    protocol = _plan_protocol(head.get("protocol"), path)
    if "start" not in head:
        raise PlanFileError("required: the plan's first day, like 2026-09-15", key="plan.start", path=shown)
    start = _plan_date(head["start"], "plan.start", shown)
    stage = _plan_stage(head.get("stage", 1), protocol, "plan.stage", shown)
    tables = data.get("decisions", [])
    if not isinstance(tables, list):
        raise PlanFileError("must be tables: one [[decisions]] per decision", key="decisions", path=shown)
    decisions: list[Decision] = []
    seen: dict[int, str] = {}
    for number, table in enumerate(tables, start=1):
        where = f"decisions[{number}]"
        if not isinstance(table, dict):
            raise PlanFileError("must be a table ([[decisions]])", key=where, path=shown)
        _unknown(table, DECISION_KEYS, f"{where}.", shown)
        for name in ("date", "stage"):
            if name not in table:
                raise PlanFileError("required", key=f"{where}.{name}", path=shown)
        day = _plan_date(table["date"], f"{where}.date", shown)
        if day < start:
            raise PlanFileError(f"{day.isoformat()} is before the plan's start ({start.isoformat()})",
                                key=f"{where}.date", path=shown)
        if day_number(day) in seen:
            raise PlanFileError(f"{day.isoformat()} already has a decision ({seen[day_number(day)]}); "
                                "give one per date", key=f"{where}.date", path=shown)
        seen[day_number(day)] = where
        chosen = _plan_stage(table["stage"], protocol, f"{where}.stage", shown)
        note = table.get("note")
        if note is not None and not isinstance(note, str):
            raise PlanFileError(f"must be text, got {note!r}", key=f"{where}.note", path=shown)
        decisions.append(Decision(day_number(day), chosen, (note.strip() or None) if note is not None else None))
    return PlanFile(path=shown, protocol=protocol, start=start, stage=stage,
                    decisions=tuple(sorted(decisions, key=lambda d: d.day)))


def read_plan_file(path: str | Path) -> PlanFile:
    """Read and validate one plan file (see the module doc)."""
    path = Path(path).expanduser()
    return parse_plan_file(read_toml_text(path, PlanFileError), path)


def apply_plan_file(store: Store, path: str | Path | PlanFile, athlete: str,
                    config: Config | None = None) -> PlanFileImport:
    """Start the plan of a plan file for ``athlete`` and record its decisions; idempotent.

    The plan is the athlete's plan with the file's start, protocol and first stage if there
    is one (started by this file or by ``rtr start``), else it is started now. Each decision
    is recorded unless the plan already has one with the same date and stage. Raises
    :class:`PlanFileError` for a bad file and :class:`UsageError` when the athlete already
    has a later plan; nothing is written then.
    """
    found = path if isinstance(path, PlanFile) else read_plan_file(path)
    same = [plan for plan in plans(store, athlete) if _same_start(plan, found.protocol, found.start, found.stage)]
    plan = same[-1] if same else start(store, athlete, found.protocol, on=found.start, stage=found.stage,
                                       config=config)
    known = {(d.day, d.stage) for d in plan.decisions}
    added = 0
    for decision in found.decisions:
        if (decision.day, decision.stage) in known:
            continue
        store.add_rtr_decision(plan.id, date=day_iso(decision.day), stage=decision.stage, note=decision.note)
        known.add((decision.day, decision.stage))
        added += 1
    return PlanFileImport(path=found.path, athlete=athlete, protocol=found.protocol.key,
                          start=found.start.isoformat(), plan_id=plan.id, started=not same,
                          added=added, known=len(found.decisions) - added)
