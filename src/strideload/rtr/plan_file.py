"""Return-to-run plan files: the PT's plan kept beside the exports, read by ``strideload import``.

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

from ..config import Config
from ..errors import UsageError
from .plans import current_plan, day_iso, in_words, plans, same_start, source_words, start
from .progress import Decision, day_number
from .protocols import Protocol, ProtocolError, find_protocol, read_toml_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from ..store import Store

PLAN_FILE_SECTIONS = {"plan", "decisions"}
PLAN_KEYS = {"protocol", "start", "stage", "replace"}
DECISION_KEYS = {"date", "stage", "note"}


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
    same = [plan for plan in own if same_start(plan, found.protocol, found.start, found.stage)]
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
                         f"{latest.stage} recorded later {source_words(latest.source)} is in force")
    newest = current_plan(store, athlete)
    in_force = newest is not None and newest.id == plan.id
    if not in_force and newest is not None:
        notes.append(f"not in force: the plan {in_words(newest)} replaced it")
    return PlanFileImport(path=found.path, athlete=athlete, protocol=found.protocol.key,
                          start=found.start.isoformat(), plan_id=plan.id, started=not same,
                          added=added, known=len(found.decisions) - added, in_force=in_force, notes=tuple(notes))
