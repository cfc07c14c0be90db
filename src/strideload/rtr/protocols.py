"""Return-to-run protocols: TOML files, shipped with strideload or written by a PT.

Shipped: ``crowell2023`` (6 phases) and ``delaware2018`` (8 levels), in
``strideload/protocols/``, transcribed from science.md and credited. A PT's own file uses
the same format and is named with ``--protocol path/to/file.toml``, or put in the
``protocols`` folder of strideload's config folder and named by its key::

    [protocol]
    key = "myclinic"                  # letters, digits, '-' and '_'
    name = "Clinic walk/run"          # required
    citation = "Our clinic, 2026"     # required: who to credit
    stage_name = "stage"              # optional: what a stage is called (phase, level ...)
    source = "crowell2023"            # optional: a science.md key the flags name
    credit = "..."                    # optional
    surface = "treadmill"             # optional: where to run

    [rules]                           # all optional
    sessions_per_stage = 2            # sessions done without pain before progressing (default 1)
    rest_days_between_runs = 1        # rest days between two runs (default 0)
    max_runs_per_7_days = 4           # runs in any 7 days
    max_stages_per_7_days = 2         # stage advances in any 7 days
    level_ground = true               # runs must not be hilly (default false)

    [[stages]]                        # one table per stage, in order
    walk_min = 2                      # walk/run intervals by time (walk_s, run_s also) ...
    run_min = 3
    distance_mi = 1.0                 # session total: distance_m, distance_km or distance_mi
    rpe = 3                           # optional, 0-10
    note = "..."                      # optional

    [[stages]]
    walk_mi = 0.1                     # ... or by distance (walk_m/_km/_mi, run_m/_km/_mi)
    run_mi = 0.1
    repeats = 10                      # optional; with distance intervals it gives the total

    [[stages]]
    continuous = true                 # no walk breaks
    distance_km = 3.2

Everything is SI once loaded (s, m). A bad file raises :class:`ProtocolError` naming the
file, the key (``stages[3].run_min``) and what is wrong.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..config import APP_NAME
from ..errors import StrideloadError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

MILE_M = 1609.344
DISTANCE_UNITS = {"m": 1.0, "km": 1000.0, "mi": MILE_M}
TIME_UNITS = {"s": 1.0, "min": 60.0}
SHIPPED = ("crowell2023", "delaware2018")
KEY = re.compile(r"^[A-Za-z0-9_-]{1,40}$")

PROTOCOL_KEYS = {"key", "name", "citation", "stage_name", "source", "credit", "surface"}
RULE_KEYS = {"sessions_per_stage", "rest_days_between_runs", "max_runs_per_7_days", "max_stages_per_7_days",
             "level_ground"}
STAGE_KEYS = ({f"{part}_{unit}" for part in ("walk", "run", "distance") for unit in DISTANCE_UNITS}
              | {f"{part}_{unit}" for part in ("walk", "run") for unit in TIME_UNITS}
              | {"repeats", "continuous", "rpe", "note"})


class ProtocolError(StrideloadError):
    """A protocol file is missing or invalid. ``key`` names the offending entry."""

    def __init__(self, message: str, *, key: str | None = None, path: str | Path | None = None):
        self.key = key
        self.path = str(path) if path is not None else None
        where = ": ".join(part for part in (self.path, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class Stage:
    """One stage's prescription, in SI. ``walk_*``/``run_*`` are the intervals (by time or by
    distance); ``distance_m`` the session total (None when the protocol gives none)."""

    number: int
    continuous: bool = False
    walk_s: float | None = None
    run_s: float | None = None
    walk_m: float | None = None
    run_m: float | None = None
    repeats: int | None = None
    distance_m: float | None = None
    rpe: int | None = None
    note: str | None = None
    unit: str = "km"  # how the protocol writes distances, for display


@dataclass(frozen=True)
class Rules:
    """The protocol's progression rules (see the module doc)."""

    sessions_per_stage: int = 1
    rest_days_between_runs: int = 0
    max_runs_per_7_days: int | None = None
    max_stages_per_7_days: int | None = None
    level_ground: bool = False


@dataclass(frozen=True)
class Protocol:
    """A loaded protocol; ``text`` is the TOML it came from (kept with a plan)."""

    key: str
    name: str
    citation: str
    stages: tuple[Stage, ...]
    rules: Rules = field(default_factory=Rules)
    stage_name: str = "stage"
    source: str | None = None
    credit: str | None = None
    surface: str | None = None
    text: str = ""
    path: str | None = None

    def stage(self, number: int) -> Stage:
        if not 1 <= number <= len(self.stages):
            raise ProtocolError(f"{self.key} has {self.stage_name}s 1 to {len(self.stages)}, not {number}")
        return self.stages[number - 1]

    @property
    def last(self) -> int:
        return len(self.stages)


def distance_text(metres: float, unit: str) -> str:
    """``1.5 mi (2.41 km)`` in the protocol's unit, with km beside miles."""
    if unit == "mi":
        return f"{metres / MILE_M:g} mi ({metres / 1000:.2f} km)"
    if unit == "m":
        return f"{metres:g} m"
    return f"{metres / 1000:g} km"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds % 60 == 0 else f"{seconds:g} s"


def describe(protocol: Protocol, stage: Stage) -> str:
    """The prescription as a sentence fragment: ``phase 2: walk 2 min / run 3 min, 1.5 mi …``."""
    parts: list[str] = []
    if stage.continuous:
        parts.append("continuous running")
    elif stage.walk_s is not None and stage.run_s is not None:
        parts.append(f"walk {_minutes(stage.walk_s)} / run {_minutes(stage.run_s)}")
    elif stage.walk_m is not None and stage.run_m is not None:
        walk, run = distance_text(stage.walk_m, stage.unit), distance_text(stage.run_m, stage.unit)
        parts.append(f"walk {walk.split(' (')[0]} / run {run.split(' (')[0]}"
                     + (f" × {stage.repeats}" if stage.repeats else ""))
    if stage.distance_m is not None:
        parts.append(f"{distance_text(stage.distance_m, stage.unit)} in all")
    if stage.rpe is not None:
        parts.append(f"RPE {stage.rpe}")
    if protocol.rules.level_ground:
        parts.append("on level ground")
    if protocol.surface:
        parts.append(f"on a {protocol.surface}")
    if stage.note:
        parts.append(stage.note)
    return f"{protocol.stage_name} {stage.number}: " + ", ".join(parts)


def _number(value: Any, where: str, path: str | None, *, integer: bool = False, minimum: float = 0,
            strict: bool = True) -> Any:
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok:
        kind = "a whole number" if integer else "a number"
        raise ProtocolError(f"must be {kind}, got {value!r}", key=where, path=path)
    if value < minimum or (strict and value == minimum):
        relation = "above" if strict else "at least"
        raise ProtocolError(f"must be {relation} {minimum:g}, got {value!r}", key=where, path=path)
    return value


def _interval(table: dict[str, Any], part: str, where: str, path: str | None) -> tuple[str | None, float | None]:
    """The one ``part_<unit>`` entry of a stage: ('time' | 'distance', SI value) or (None, None)."""
    found = [(name, unit) for name in table for unit in (*TIME_UNITS, *DISTANCE_UNITS) if name == f"{part}_{unit}"]
    if len(found) > 1:
        raise ProtocolError(f"give one of {', '.join(n for n, _ in found)}, not several", key=where, path=path)
    if not found:
        return None, None
    name, unit = found[0]
    value = _number(table[name], f"{where}.{name}", path)
    if unit in TIME_UNITS:
        return "time", float(value) * TIME_UNITS[unit]
    return "distance", float(value) * DISTANCE_UNITS[unit]


def _stage(table: Any, number: int, path: str | None) -> Stage:
    where = f"stages[{number}]"
    if not isinstance(table, dict):
        raise ProtocolError("must be a table ([[stages]])", key=where, path=path)
    unknown = sorted(set(table) - STAGE_KEYS)
    if unknown:
        raise ProtocolError(f"unknown entry {unknown[0]!r} (known: {', '.join(sorted(STAGE_KEYS))})",
                            key=f"{where}.{unknown[0]}", path=path)
    continuous = table.get("continuous", False)
    if not isinstance(continuous, bool):
        raise ProtocolError(f"must be true or false, got {continuous!r}", key=f"{where}.continuous", path=path)
    walk_kind, walk = _interval(table, "walk", where, path)
    run_kind, run = _interval(table, "run", where, path)
    total_kind, total = _interval(table, "distance", where, path)
    if continuous and (walk is not None or run is not None):
        raise ProtocolError("a continuous stage has no walk/run intervals", key=where, path=path)
    if not continuous and (walk is None or run is None):
        raise ProtocolError("give both a walk and a run interval (e.g. walk_min and run_min), "
                            "or continuous = true", key=where, path=path)
    if walk_kind != run_kind:
        raise ProtocolError("walk and run intervals must both be times or both distances", key=where, path=path)
    repeats = table.get("repeats")
    if repeats is not None:
        _number(repeats, f"{where}.repeats", path, integer=True)
    if total is None and repeats is not None and walk_kind == "distance" and walk is not None and run is not None:
        total = repeats * (walk + run)
    rpe = table.get("rpe")
    if rpe is not None:
        _number(rpe, f"{where}.rpe", path, integer=True, strict=False)
        if rpe > 10:
            raise ProtocolError(f"must be 0 to 10, got {rpe!r}", key=f"{where}.rpe", path=path)
    note = table.get("note")
    if note is not None and not isinstance(note, str):
        raise ProtocolError("must be text", key=f"{where}.note", path=path)
    names = [name for name in table if name.startswith(("distance_", "walk_", "run_"))]
    unit = next((name.rsplit("_", 1)[1] for name in names if name.rsplit("_", 1)[1] in DISTANCE_UNITS), "km")
    return Stage(number=number, continuous=continuous,
                 walk_s=walk if walk_kind == "time" else None, run_s=run if run_kind == "time" else None,
                 walk_m=walk if walk_kind == "distance" else None, run_m=run if run_kind == "distance" else None,
                 repeats=repeats, distance_m=total if total_kind in ("distance", None) else None, rpe=rpe,
                 note=note, unit=unit)


def _rules(table: Any, path: str | None) -> Rules:
    if not isinstance(table, dict):
        raise ProtocolError("must be a table", key="rules", path=path)
    unknown = sorted(set(table) - RULE_KEYS)
    if unknown:
        raise ProtocolError(f"unknown rule (known: {', '.join(sorted(RULE_KEYS))})", key=f"rules.{unknown[0]}",
                            path=path)
    values: dict[str, Any] = {}
    for name in ("sessions_per_stage", "max_runs_per_7_days", "max_stages_per_7_days"):
        if name in table:
            values[name] = _number(table[name], f"rules.{name}", path, integer=True)
    if "rest_days_between_runs" in table:
        values["rest_days_between_runs"] = _number(table["rest_days_between_runs"], "rules.rest_days_between_runs",
                                                   path, integer=True, strict=False)
        if values["rest_days_between_runs"] > 6:
            raise ProtocolError("must be at most 6", key="rules.rest_days_between_runs", path=path)
    if "level_ground" in table:
        if not isinstance(table["level_ground"], bool):
            raise ProtocolError("must be true or false", key="rules.level_ground", path=path)
        values["level_ground"] = table["level_ground"]
    return Rules(**values)


def parse_protocol(text: str, path: str | Path | None = None) -> Protocol:
    """Validate a protocol's TOML text into a :class:`Protocol` (see the module doc)."""
    where = str(path) if path is not None else None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(f"not valid TOML: {exc}", path=where) from exc
    unknown = sorted(set(data) - {"protocol", "rules", "stages"})
    if unknown:
        raise ProtocolError("unknown section (expected [protocol], [rules], [[stages]])", key=unknown[0], path=where)
    head = data.get("protocol")
    if not isinstance(head, dict):
        raise ProtocolError("missing the [protocol] table", key="protocol", path=where)
    extra = sorted(set(head) - PROTOCOL_KEYS)
    if extra:
        raise ProtocolError(f"unknown entry (known: {', '.join(sorted(PROTOCOL_KEYS))})", key=f"protocol.{extra[0]}",
                            path=where)
    for name in ("key", "name", "citation"):
        if not isinstance(head.get(name), str) or not head[name].strip():
            raise ProtocolError("required text is missing", key=f"protocol.{name}", path=where)
    for name in PROTOCOL_KEYS - {"key", "name", "citation"}:
        if name in head and not isinstance(head[name], str):
            raise ProtocolError("must be text", key=f"protocol.{name}", path=where)
    if not KEY.match(head["key"]):
        raise ProtocolError(f"{head['key']!r}: use letters, digits, '-' and '_' only", key="protocol.key", path=where)
    stages = data.get("stages")
    if not isinstance(stages, list) or not stages:
        raise ProtocolError("no stages: add one [[stages]] table per stage", key="stages", path=where)
    return Protocol(
        key=head["key"], name=head["name"].strip(), citation=head["citation"].strip(),
        stages=tuple(_stage(table, number, where) for number, table in enumerate(stages, start=1)),
        rules=_rules(data.get("rules", {}), where), stage_name=head.get("stage_name", "stage"),
        source=head.get("source"), credit=head.get("credit"), surface=head.get("surface"), text=text, path=where)


def read_toml_text(path: Path, error: type[ProtocolError] = ProtocolError) -> str:
    """The UTF-8 text of a protocol or plan file; unreadable files raise ``error`` naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise error(f"cannot read: {reason}", path=path) from exc


def load_protocol_file(path: str | Path) -> Protocol:
    """Read and validate one protocol file."""
    path = Path(path).expanduser()
    return parse_protocol(read_toml_text(path), path)


def user_protocol_dir() -> Path:
    """Where a PT's own protocol files are found by key: ``<config folder>/protocols``."""
    import platformdirs  # only for the default path: not worth its import elsewhere

    return Path(platformdirs.user_config_dir(APP_NAME)) / "protocols"


def shipped_protocol(key: str) -> Protocol:
    """One of the protocols shipped with strideload (:data:`SHIPPED`)."""
    text = resources.files("strideload").joinpath("protocols", f"{key}.toml").read_text(encoding="utf-8")
    return parse_protocol(text, f"strideload/protocols/{key}.toml")


def available_protocols(folder: Path | None = None) -> list[Protocol]:
    """The shipped protocols, then the valid ones in ``folder`` (default :func:`user_protocol_dir`)."""
    found = [shipped_protocol(key) for key in SHIPPED]
    folder = folder or user_protocol_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            try:
                found.append(load_protocol_file(path))
            except ProtocolError:
                continue
    return found


def find_protocol(name: str, folder: Path | None = None) -> Protocol:
    """A protocol by key (shipped, else in the user's protocol folder) or by path to a file."""
    if name.endswith(".toml") or "/" in name or "\\" in name:
        return load_protocol_file(name)
    if name in SHIPPED:
        return shipped_protocol(name)
    folder = folder or user_protocol_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            protocol = load_protocol_file(path)  # a broken file in the folder is reported, not skipped
            if protocol.key == name:
                return protocol
    known = ", ".join(p.key for p in available_protocols(folder))
    raise ProtocolError(f"unknown protocol {name!r} (known: {known}; or give a path to a .toml file)")
