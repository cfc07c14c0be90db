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
    replace = true                # optional: replace a plan started elsewhere (rtr start,
                                  # another file); without it such a file is refused

    [[decisions]]                 # the PT's stage decisions, in any order, one per date
    date = 2026-09-19             # from this day on (runs that day count at the new stage)
    stage = 2
    note = "two clean sessions"   # optional

Importing one (:func:`apply_plan_file`) starts the plan (nothing new when the same plan
was started before, by a file or by ``rtr start``) and records each decision the plan
does not already have with the same date and stage, so importing the file again adds
nothing. A decision removed from the file stays recorded; a date given a different stage
is recorded again, and the newer record wins for that date. The file and the command line
never override each other unseen: every plan and decision records its source (``cli`` or
the file), a file whose plan differs from one started elsewhere is refused unless it says
``replace = true`` (an edited file replaces its own earlier plan), and the import result
notes which plan and decisions are in force when they are not the file's. A bad file raises
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
from .protocols import Protocol, ProtocolError, find_protocol, parse_protocol, read_toml_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from ..store import Store

PLAN_FILE_SECTIONS = {"plan", "decisions"}
PLAN_KEYS = {"protocol", "start", "stage", "replace"}
DECISION_KEYS = {"date", "stage", "note"}


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
    if existing is not None and _same_start(existing, chosen, day, stage):
        return existing  # the same start again (a re-run script): nothing new to record
    if existing is not None and not replace:
        raise UsageError(f"{athlete} already has a return-to-run plan ({in_words(existing)}); starting another "
                         "replaces it: add --replace (the current plan and its decisions stay in the history)")
    store.add_rtr_plan(athlete=athlete, protocol=chosen.key, protocol_toml=chosen.text, start_date=day.isoformat(),
                       stage=stage, source=source)
    plan = current_plan(store, athlete)
    assert plan is not None  # just written
    return plan


def _same_start(plan: Plan, protocol: Protocol, day: date, stage: int) -> bool:
    """Is ``plan`` the one started on ``day`` with ``protocol`` at ``stage``?"""
    return plan.start == day_number(day) and plan.protocol.key == protocol.key \
        and plan.protocol.text == protocol.text and plan.decisions[0].stage == stage


def day_iso(day: int) -> str:
    return (pd.Timestamp("1970-01-01") + pd.Timedelta(days=day)).date().isoformat()


def _source_words(source: str | None) -> str:
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
    notes = [f"it replaces {name} {d.stage} for {day_iso(d.day)}, recorded {_source_words(d.source)}"
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
    replace: bool = False


@dataclass(frozen=True)
class PlanFileImport:
    """What importing a plan file did: the plan (``plan_id``), whether it was ``started`` now,
    its decisions ``added`` now and ``known`` (recorded before with the same date and stage),
    whether the plan is ``in_force``, and ``notes`` on what overrides what (a plan it
    replaced, a plan or decision recorded elsewhere that is in force instead)."""

    path: str
    athlete: str
    protocol: str
    start: str
    plan_id: int
    started: bool
    added: int
    known: int
    in_force: bool = True
    notes: tuple[str, ...] = ()


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
    replace = head.get("replace", False)
    if not isinstance(replace, bool):
        raise PlanFileError(f"must be true or false, got {replace!r}", key="plan.replace", path=shown)
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
                    decisions=tuple(sorted(decisions, key=lambda d: d.day)), replace=replace)


def read_plan_file(path: str | Path) -> PlanFile:
    """Read and validate one plan file (see the module doc)."""
    path = Path(path).expanduser()
    return parse_plan_file(read_toml_text(path, PlanFileError), path)


def plan_file_source(path: str | Path) -> str:
    """How a plan file is named as the source of its plan and decisions: its absolute path."""
    return str(Path(path).expanduser().resolve())


def apply_plan_file(store: Store, path: str | Path | PlanFile, athlete: str,
                    config: Config | None = None) -> PlanFileImport:
    """Start the plan of a plan file for ``athlete`` and record its decisions; idempotent.

    The plan is the athlete's plan with the file's start, protocol and first stage if there
    is one (started by this file or by ``rtr start``), else it is started now: in place of
    the plan in force when that came from this same file (the PT edited it) or when the file
    says ``replace = true``; otherwise the file is refused, naming the plan in force. Each
    decision is recorded unless the plan already has one with the same date and stage.
    Nothing is overridden unseen: the result's ``notes`` name a plan replaced now, a later
    plan in force instead of this one, and a decision of the file that a newer one for the
    same date overrides. Raises :class:`PlanFileError` for a bad file and
    :class:`UsageError` when the file would replace another source's plan; nothing is
    written then.
    """
    found = path if isinstance(path, PlanFile) else read_plan_file(path)
    source = plan_file_source(found.path)
    own = plans(store, athlete)
    current = own[-1] if own else None
    same = [plan for plan in own if _same_start(plan, found.protocol, found.start, found.stage)]
    notes: list[str] = []
    if same:
        plan = same[-1]
    else:
        if current is not None and current.source != source and not found.replace:
            raise UsageError(f"{athlete} already has a return-to-run plan ({in_words(current)}); this file "
                             "would replace it: add 'replace = true' to its [plan], or keep one of the two")
        plan = start(store, athlete, found.protocol, on=found.start, stage=found.stage, config=config,
                     replace=True, source=source)
        if current is not None:
            notes.append(f"replaces the plan {in_words(current)}, which stays in the history")
    known = {(d.day, d.stage) for d in plan.decisions}
    added = 0
    for decision in found.decisions:
        if (decision.day, decision.stage) in known:
            continue
        store.add_rtr_decision(plan.id, date=day_iso(decision.day), stage=decision.stage, note=decision.note,
                               source=source)
        known.add((decision.day, decision.stage))
        added += 1
    plan = next(p for p in plans(store, athlete) if p.id == plan.id)
    name = plan.protocol.stage_name
    for decision in found.decisions:
        latest = [d for d in plan.decisions if d.day == decision.day][-1]
        if latest.stage != decision.stage:
            notes.append(f"{day_iso(decision.day)}: the file says {name} {decision.stage}, but {name} "
                         f"{latest.stage} recorded later {_source_words(latest.source)} is in force")
    newest = current_plan(store, athlete)
    in_force = newest is not None and newest.id == plan.id
    if not in_force and newest is not None:
        notes.append(f"not in force: the plan {in_words(newest)} replaced it")
    return PlanFileImport(path=found.path, athlete=athlete, protocol=found.protocol.key,
                          start=found.start.isoformat(), plan_id=plan.id, started=not same,
                          added=added, known=len(found.decisions) - added, in_force=in_force, notes=tuple(notes))
