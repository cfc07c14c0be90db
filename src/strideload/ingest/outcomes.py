"""What an import says it did: an :class:`Outcome` per file (or per activity of it), the
side files read on the way, progress reports, and the interruption that keeps what was done."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..rtr.plan_file import PlanFileImport

STATUSES = ("added", "non-running", "duplicate", "skipped", "deleted", "failed")


@dataclass
class Outcome:
    """What happened to one file (or, for added/non-running, to one activity of it)."""

    path: str
    athlete: str
    status: str
    reason: str | None = None
    activity_id: str | None = None
    distance_m: float | None = None
    local_date: str | None = None
    records: int = 0
    #: for a duplicate: the athlete the earlier copy belongs to, when that is someone else
    other_athlete: str | None = None


@dataclass
class PainImport:
    """A pain log imported on the way: its entries added, updated and already logged."""

    path: str
    athlete: str
    added: int
    updated: int
    unchanged: int
    #: ``pain`` log, ``rpe`` log or ``context`` periods
    kind: str = "pain"


@dataclass
class ImportResult:
    """The result of an import: every outcome, grouped by status, the pain logs read and the
    return-to-run plan files applied (:class:`~strideload.rtr.plan_file.PlanFileImport`)."""

    outcomes: list[Outcome] = field(default_factory=list)
    pain: list[PainImport] = field(default_factory=list)
    plans: list[PlanFileImport] = field(default_factory=list)

    def of(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def failed(self) -> list[Outcome]:
        return self.of("failed")

    def counts(self) -> dict[str, int]:
        return {status: len(self.of(status)) for status in STATUSES}


class ImportInterrupted(KeyboardInterrupt):
    """The import was stopped (Ctrl-C; still a ``KeyboardInterrupt``); ``result`` holds what
    was kept: every file it lists is written whole, and importing again finishes the job."""

    def __init__(self, result: ImportResult):
        self.result = result
        files = len({outcome.path for outcome in result.outcomes})
        super().__init__(f"stopped: {files} file{'s' if files != 1 else ''} imported, run again to finish")


@dataclass(frozen=True)
class Progress:
    """A progress report: ``done`` of ``total`` bytes handled, currently at ``path``."""

    path: str
    done: int
    total: int
