"""The columns people read in each listing: human headers, local dates and times, km or
miles, h:mm:ss, pace, whole steps/min. JSON and CSV keep the SI field names (see
:mod:`.render`); only these tables convert.

Each ``*_table(system)`` returns the :class:`~.render.Column` list of one command, for the
``units`` setting's ``system`` (``metric`` or ``imperial``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .. import units
from ..analyze.words import SEVERITY_WORDS, label, value_vs_threshold
from ..config import Config
from .render import Column, column, plain


def local_time(value: Any) -> str:
    """A UTC ISO timestamp as this machine's local ``YYYY-MM-DD HH:MM``."""
    if not value:
        return units.MISSING
    try:
        return datetime.fromisoformat(str(value)).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)


def _file_name(path: Any) -> str:
    return str(path or "").replace("\\", "/").rsplit("/", 1)[-1] or units.MISSING


def _start(value: Any) -> str:
    """Local start time ``HH:MM`` of an ISO start time with its offset."""
    text = str(value or "")
    return text[11:16] if len(text) >= 16 else units.MISSING


def _km_field(key: str, system: str) -> Column:
    """A column of kilometres (as the analysis gives them) shown in the chosen unit."""
    return column(key, f"{_header_word(key)} ({units.distance_unit(system)})",
                  lambda km: units.distance(None if km is None else km * 1000.0, system), right=True)


def _header_word(key: str) -> str:
    return {"distance_km": "Distance", "downhill_km": "Downhill ≤ −5 %", "acute_7d_km": "Last 7 days",
            "chronic_28d_km": "Last 28 days", "downhill_7d_km": "Downhill 7 days",
            "downhill_28d_km": "Downhill 28 days", "last_7d_km": "Last 7 days", "last_28d_km": "Last 28 days",
            "longest_30d_km": "Longest in 30 days", "spike_limit_km": "Next run spikes over",
            "running_km": "Running"}.get(key, key)


def _ratio(value: Any) -> str:
    return units.MISSING if units.missing(value) else f"{float(value):.2f}"


def activities_table(system: str) -> list[Column]:
    dist = units.distance_unit(system)
    return [
        column("id", "ID"),
        column("athlete", "Athlete"),
        column("local_date", "Date"),
        column("start_time", "Start", _start),
        column("name", "Name", lambda v: v or units.MISSING, wrap=True),
        Column("sport", "Sport", lambda row: (row.get("sport") or "unknown").replace("_", " ")
               + ("" if row.get("running") else " (not running load)")),
        column("surface", "Surface"),
        column("distance_m", f"Distance ({dist})", lambda v: units.distance(v, system), right=True),
        column("timer_s", "Time", units.duration, right=True),
        column("avg_speed_mps", f"Pace ({units.pace_unit(system)})", lambda v: units.pace(v, system), right=True),
        column("downhill_5pct_m", f"Downhill ≤ −5 % ({dist})", lambda v: units.distance(v, system, 2),
               right=True),
        column("cadence_spm", "Cadence (steps/min)", units.whole, right=True),
        column("source_path", "File", _file_name, wrap=True),
    ]


def failures_table() -> list[Column]:
    return [column("source_path", "File", wrap=True), column("athlete", "Athlete"),
            column("reason", "Why it failed", wrap=True),
            column("failed_at", "When", local_time)]


def athletes_table(system: str) -> list[Column]:
    return [column("athlete", "Athlete"), column("activities", "Activities", right=True),
            column("runs", "Runs", right=True), _km_field("running_km", system),
            column("first_date", "First"), column("last_date", "Last")]


def load_table(system: str) -> list[Column]:
    return [
        column("athlete", "Athlete"), column("date", "Date"), _km_field("distance_km", system),
        column("duration_min", "Time", lambda m: units.duration(None if m is None else m * 60.0), right=True),
        _km_field("downhill_km", system), column("descent_m", "Descent (m)", units.whole, right=True),
        _km_field("acute_7d_km", system), _km_field("chronic_28d_km", system),
        column("acwr_coupled", "Ratio coupled", _ratio, right=True),
        column("acwr_uncoupled", "Ratio uncoupled", _ratio, right=True),
        column("acwr_ewma", "Ratio EWMA", _ratio, right=True),
        Column("load", "Load (unit)", _load),
    ]


def _load(row: Mapping[str, Any]) -> str:
    """The day's load in its unit; '?' for a day whose load is unknown in it (a run without RPE/HR)."""
    unit, value = row.get("load_unit"), row.get("load")
    short = {"distance": "km", "duration": "min", "rpe": "AU", "trimp": "TRIMP"}.get(str(unit), "")
    if value is None or value != value:
        return f"? {short}"
    return f"{value:.1f} {short}" if unit == "distance" else f"{value:.0f} {short}"


def status_table(system: str) -> list[Column]:
    return [
        column("athlete", "Athlete"),
        Column("concern", "This week", lambda row: "no recent runs" if row.get("stale")  # not "clear": unknown
               else SEVERITY_WORDS.get(plain(row.get("concern")), "clear")),
        _km_field("last_7d_km", system), _km_field("last_28d_km", system),
        Column("acwr_ewma", "EWMA ratio (band)",
               lambda row: f"{_ratio(row.get('acwr_ewma'))} ({row.get('acwr_ewma_band') or units.MISSING})"),
        _km_field("longest_30d_km", system), _km_field("spike_limit_km", system),
        column("headline", "Most important", wrap=True),
    ]


def flags_table(system: str, runs: Mapping[str, Mapping[str, Any]], config: Config,
                athlete: bool = True) -> list[Column]:
    """``runs`` maps activity ids to their summaries, so spikes read in distance."""

    def versus(row: dict[str, Any]) -> str:
        return value_vs_threshold(str(row["kind"]), row.get("value"), row.get("threshold"),
                                  run=runs.get(str(row.get("activity_id"))), config=config, system=system)

    columns = [column("date", "Date"), column("athlete", "Athlete"),
               column("severity", "Severity", lambda v: SEVERITY_WORDS.get(v, v)),
               column("kind", "What", label, wrap=True), Column("value", "Value vs threshold", versus, wrap=True),
               column("message", "Observation", wrap=True), column("source", "Source"),
               column("evidence", "Evidence")]
    return columns if athlete else [c for c in columns if c.key not in ("athlete", "source", "evidence")]


def pain_table() -> list[Column]:
    return [column("id", "ID", right=True), column("date", "Date"), column("time", "Time"),
            column("athlete", "Athlete"), column("when", "When"),
            column("score", "Score (0–10)", lambda v: units.MISSING if v is None else f"{v:g}", right=True),
            column("side", "Side"), column("note", "Note", wrap=True), column("activity_id", "Run")]


def pain_vs_load_table() -> list[Column]:
    return [column("athlete", "Athlete"), column("factor", "Previous day's"), column("days", "Mornings", right=True),
            column("rho", "Rank correlation", lambda v: units.MISSING if v is None else f"{v:+.2f}", right=True),
            column("slope_per_unit", "Pain points per km", lambda v: units.MISSING if v is None else f"{v:+.2f}",
                   right=True),
            column("message", "What it shows", wrap=True)]


def config_table(path: Any = None) -> list[Column]:
    """The settings table; a value from the config file at ``path`` says only its section (the
    title names the file), so a long path never squeezes the descriptions."""

    def origin(row: dict[str, Any]) -> str:
        text = str(plain(row.get("origin")))
        return text.replace(f"{path} ", "config ", 1) if path is not None else text

    return [column("name", "Setting"), Column("value", "Value", lambda row: _setting_value(row.get("value"))),
            column("unit", "Unit"), column("description", "What it does", wrap=True),
            column("source", "Source"), Column("origin", "From", origin)]


def _setting_value(value: Any) -> str:
    value = plain(value)
    if value == "":
        return '""'
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def overview_table() -> list[Column]:
    """``status`` of one athlete: label and sentence, without headers."""
    return [column("item", ""), column("value", "", wrap=True)]


def week_flags_table() -> list[Column]:
    """The flags of ``status``'s last 7 days."""
    return [column("date", "Date"), column("severity", "Severity", lambda v: SEVERITY_WORDS.get(v, v)),
            column("kind", "What", label), column("message", "Observation", wrap=True)]


def history_table() -> list[Column]:
    return [column("id", "#", right=True), column("changed_at", "When", local_time), column("action", "What"),
            column("athlete", "Athlete"), column("summary", "Change", wrap=True)]


__all__ = ["activities_table", "athletes_table", "config_table", "failures_table", "flags_table", "history_table",
           "load_table", "local_time", "overview_table", "pain_table", "status_table", "week_flags_table"]
