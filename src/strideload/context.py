"""Context days: the injury, illness and holiday periods that explain a gap in the records.

A period is an athlete's ``kind`` (``injury``, ``illness``, ``holiday``) from one day to
another, both included, with a free-text note. In the coverage model
(:mod:`strideload.analyze.coverage`) its days are **known gaps**: never read as rest, even
before the 14th day without a run; the report shades them on its time axis, and the team
page says who is injured now. Source: strideload's own data-hygiene rule (``coverage``).

The CSV (:data:`CSV_COLUMNS`, header required, UTF-8, ``#`` comments) is what
``strideload context import`` reads, with the pain log's rules: any bad row imports
nothing and the error names its line and field::

    from,to,kind,note
    2026-03-02,2026-03-20,injury,"knee, physio said rest"
    2026-07-10,2026-07-24,holiday,

No SQL here: the store keeps periods keyed by (athlete, from, to, kind).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .effort import csv_rows, raise_first
from .errors import InputError

KINDS = ("injury", "illness", "holiday")
CSV_COLUMNS = ("from", "to", "kind", "note")
REQUIRED_COLUMNS = ("from", "to", "kind")
#: Columns of ``Store.context_frame()``.
CONTEXT_COLUMNS = ["id", "athlete", "start_date", "end_date", "kind", "note"]
#: The longest period accepted (days): a decade is a typo in a year.
MAX_DAYS = 3660


class ContextInputError(InputError):
    """A context period that cannot be accepted: ``field`` names the column, ``line`` the CSV line."""


@dataclass(frozen=True)
class ContextPeriod:
    """One validated period, ``start`` to ``end`` inclusive."""

    athlete: str
    start: date
    end: date
    kind: str
    note: str | None = None

    def key(self) -> tuple[str, str, str, str]:
        return (self.athlete, self.start.isoformat(), self.end.isoformat(), self.kind)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def make_period(athlete: str, *, start: Any, end: Any, kind: Any, note: str | None = None,
                line: int | None = None, path: str | Path | None = None) -> ContextPeriod:
    """A validated :class:`ContextPeriod`; a bad field raises :class:`ContextInputError` naming it."""
    from .pain import parse_date

    def field(name: str, raw: Any) -> date:
        if raw is None or str(raw).strip() == "":
            raise ContextInputError("missing (required)", field=name, line=line, path=path)
        try:
            return parse_date(raw)
        except ValueError as exc:
            raise ContextInputError(str(exc), field=name, line=line, path=path) from exc

    if not athlete or not str(athlete).strip():
        raise ContextInputError("an athlete name is needed", field="athlete", line=line, path=path)
    first, last = field("from", start), field("to", end)
    if last < first:
        raise ContextInputError(f"{last.isoformat()} is before the start {first.isoformat()}", field="to",
                                line=line, path=path)
    if (last - first).days >= MAX_DAYS:
        raise ContextInputError(f"a period of {(last - first).days + 1} days: check the years", field="to",
                                line=line, path=path)
    text = str(kind or "").strip().lower()
    if text not in KINDS:
        raise ContextInputError(f"{kind!r} is not one of {', '.join(KINDS)}" if text else "missing (required)",
                                field="kind", line=line, path=path)
    return ContextPeriod(str(athlete).strip(), first, last, text, (note or "").strip() or None)


def parse_csv(data: bytes | str, athlete: str, *, path: str | Path | None = None) -> list[ContextPeriod]:
    """Every period of a context CSV's content, or :class:`ContextInputError` for the first bad row."""
    rows = csv_rows(data, CSV_COLUMNS, REQUIRED_COLUMNS, path=path, error=ContextInputError)
    periods, errors, seen = [], [], {}
    for line, fields in rows:
        try:
            period = make_period(athlete, start=fields.get("from"), end=fields.get("to"), kind=fields.get("kind"),
                                 note=fields.get("note"), line=line, path=path)
        except ContextInputError as exc:
            errors.append(exc)
            continue
        if period.key() in seen:
            errors.append(ContextInputError(f"repeats line {seen[period.key()]}", field="kind", line=line, path=path))
            continue
        seen[period.key()] = line
        periods.append(period)
    raise_first(errors, ContextInputError, path)
    return periods


def read_csv(path: str | Path, athlete: str) -> list[ContextPeriod]:
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise ContextInputError(f"cannot read: {exc.strerror or exc}", field="file", path=path) from exc
    return parse_csv(data, athlete, path=path)
