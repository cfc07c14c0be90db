"""Factories for activity-summary frames: small, readable histories built in code.

``runs("ana", [("2024-03-01", 10), ("2024-03-03", 12.5)])`` is two 10 and 12.5 km road
runs; ``every("ana", "2024-02-01", "2024-02-29", 5.0)`` a month of 5 km runs every third
day before them, so that their 30-day windows are on record. Each entry is ``(date, km)``
or ``(date, km, {field: value})`` for that run only; keyword overrides apply to every run.
Defaults: 3.0 m/s, 170 steps/min, flat, road, starting 07:00 local time (UTC+00:00); a
second run on one day starts an hour later.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pandas as pd

from strideload.model import SUMMARY_FIELDS


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def summary(athlete: str, day: date | str, km: float, index: int = 0, **fields: Any) -> dict[str, Any]:
    """One running summary with every SUMMARY_FIELDS key."""
    day = _day(day)
    speed = fields.get("avg_speed_mps", 3.0)
    row: dict[str, Any] = dict.fromkeys(SUMMARY_FIELDS)
    row.update(
        id=f"{athlete}-{day.isoformat()}-{index}", athlete=athlete, sport="running", sub_sport="generic",
        running=True, surface="road", surface_source="test", local_date=day.isoformat(),
        start_time=f"{day.isoformat()}T{7 + index:02d}:00:00+00:00", distance_m=km * 1000.0,
        timer_s=km * 1000.0 / speed if speed else float("nan"), elapsed_s=None, ascent_m=0.0,
        descent_m=0.0, downhill_5pct_m=0.0, downhill_10pct_m=0.0, cadence_spm=170.0,
        avg_speed_mps=speed, format="fit",
    )
    row.update(fields)
    return row


def runs(athlete: str, entries: list[tuple[Any, ...]], **overrides: Any) -> pd.DataFrame:
    """A summary frame of ``athlete``'s runs (see the module doc)."""
    per_day: Counter[date] = Counter()
    rows = []
    for entry in entries:
        day, km = _day(entry[0]), entry[1]
        own = entry[2] if len(entry) > 2 else {}
        rows.append(summary(athlete, day, km, per_day[day], **{**overrides, **own}))
        per_day[day] += 1
    extra = sorted({key for row in rows for key in row} - set(SUMMARY_FIELDS))  # e.g. the store's hr_histogram
    return pd.DataFrame(rows, columns=[*SUMMARY_FIELDS, *extra])


def daily_runs(athlete: str, start: date | str, kms: list[float], **overrides: Any) -> pd.DataFrame:
    """One entry per consecutive day from ``start``; 0 km means a rest day (no activity)."""
    first = _day(start)
    return runs(athlete, [(first + timedelta(days=i), km) for i, km in enumerate(kms) if km], **overrides)


def every(athlete: str, first: date | str, last: date | str, km: float, step: int = 3,
          **overrides: Any) -> pd.DataFrame:
    """Runs of ``km`` every ``step`` days from ``first`` up to ``last``: a history on record, so
    that the windows of the runs after it are covered (no gap, not the history start)."""
    start, end = _day(first), _day(last)
    return runs(athlete, [(start + timedelta(days=i), km) for i in range(0, (end - start).days + 1, step)],
                **overrides)


def frame(*parts: pd.DataFrame) -> pd.DataFrame:
    """Several factories' frames as one."""
    return pd.concat(parts, ignore_index=True)


def day(start: date | str, offset: int) -> str:
    """``start`` + ``offset`` days, ISO."""
    return (_day(start) + timedelta(days=offset)).isoformat()
