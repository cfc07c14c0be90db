"""The records of return to run: a plan and the PT's decisions, and where a plan stands on
a day (:class:`RtrStatus`), with the small date helpers they share. :mod:`.progress` fills them in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..analyze.runs import EPOCH
from .protocols import Protocol

PAIN_KINDS = ("pain_amber", "pain_red")
#: Pain flag kinds in sentences.
PAIN_WORDS = {"pain_amber": "amber knee pain", "pain_red": "red knee pain"}
HOLDS = ("pain", "rest", "levels")
AWAITING = "awaiting the next-morning score"
#: Why a session did not count, in the order the status names them (each session once, by its first).
NOT_COUNTED = ("off_prescription", "pain", "reset", "awaiting_next_morning")
NOT_COUNTED_WORDS = {"off_prescription": "not as prescribed", "pain": "with knee pain",
                     "reset": "before a red pain setback", "awaiting_next_morning": AWAITING}


def iso(day: int) -> str:
    return (EPOCH + day).item().isoformat()


def short(day: int) -> str:
    return pd.Timestamp((EPOCH + day).item()).strftime("%-d %b")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Decision:
    """The plan is at ``stage`` from ``day`` (days since the epoch) on. ``source`` says who
    recorded it: ``cli`` (``rtr start``/``rtr set``) or the plan file's path."""

    day: int
    stage: int
    note: str | None = None
    source: str | None = None
    recorded: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Plan:
    """A return-to-run plan: athlete, protocol, start and the PT's decisions (start first).

    ``source``: ``cli`` or the plan file it came from; ``created``: when it was recorded.
    """

    id: int
    athlete: str
    protocol: Protocol
    start: int
    decisions: tuple[Decision, ...]
    source: str | None = None
    created: str | None = None

    def stage_on(self, day: int) -> Decision:
        """The decision in force on ``day`` (the start's before the plan began)."""
        current = self.decisions[0]
        for decision in self.decisions:
            if decision.day <= day:
                current = decision
        return current

    @property
    def source_words(self) -> str:
        """Where the plan came from, for people."""
        if not self.source or self.source == "cli":
            return "started with 'strideload rtr start'"
        return f"from the plan file {self.source}"


@dataclass(frozen=True)
class Deviation:
    """One way a session went beyond its prescription (an ``rtr_deviation`` flag).
    ``reason`` is the short form the status lists per session."""

    day: int
    activity_id: str
    what: str  # longer | hilly | intervals | back_to_back | runs_per_7_days
    value: float
    threshold: float
    message: str
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"date": iso(self.day), "activity_id": self.activity_id, "what": self.what, "value": self.value,
                "threshold": self.threshold, "message": self.message, "reason": self.reason}


@dataclass(frozen=True)
class Criterion:
    """One criterion to progress: ``name`` (sessions, next_morning, pain, rest, levels), met, and why."""

    name: str
    met: bool
    detail: str


@dataclass
class RtrStatus:
    """Where a plan stands on ``as_of`` (see the module doc). ``as_dict()`` is JSON-ready.

    ``sessions`` is every run at this stage, ``sessions_as_prescribed`` those without a
    deviation, ``sessions_counted`` those that count toward progressing; ``not_counted``
    says why the others do not (:data:`NOT_COUNTED`, each session once). Each
    ``session_log`` entry carries ``counts`` and ``why_not_counted``.
    """

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
    sessions_as_prescribed: int = 0
    not_counted: dict[str, int] = field(default_factory=dict)
    plan_id: int | None = None
    plan_source: str | None = None
    completed_on: str | None = None
    replaced: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """Why not ready (empty when ready)."""
        return [c.detail for c in self.criteria if not c.met]

    @property
    def verdict(self) -> str:
        """``complete``, ``ready`` or ``on hold`` / ``not yet`` in a word or two."""
        if self.complete:
            return "complete"
        if self.ready:
            return "ready"
        return "on hold" if any(not c.met and c.name in HOLDS for c in self.criteria) else "not yet"

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["criteria"] = [asdict(c) for c in self.criteria]
        out["deviations"] = [d.as_dict() for d in self.deviations]
        out["reasons"] = self.reasons
        out["verdict"] = self.verdict
        return out


def day_number(value: date | str) -> int:
    """A date as days since the epoch."""
    return int((np.datetime64(str(value)[:10], "D") - EPOCH).astype("int64"))
