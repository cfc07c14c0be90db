"""What a return-to-run session actually was, from its watch data.

Each second of the stream is running, walking or stopped (:func:`strideload.gait.gait`:
moving, then speed and cadence together, with the ``gait_*`` settings of the athlete). Run
and walk minutes are those seconds counted. For the interval
pattern, stops are left out and stretches shorter than ``rtr_min_bout_s`` join their
neighbours, so a stumble or a cadence drop at a kerb does not make a new interval.
Hilly: the smoothed ascent per km above ``rtr_level_max_climb_m_per_km``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..analyze.runs import date_to_day
from ..config import Config
from ..gait import GaitRule, gait


@dataclass(frozen=True)
class Session:
    """One run after a plan's start, as measured. Times in s, distances in m; ``day`` is the
    local day (days since 1970-01-01). Interval fields are None without a stream."""

    athlete: str
    activity_id: str
    day: int
    distance_m: float
    run_s: float | None = None
    walk_s: float | None = None
    run_bouts: int | None = None
    walk_bouts: int | None = None
    longest_run_s: float | None = None
    median_run_s: float | None = None
    median_walk_s: float | None = None
    ascent_m: float | None = None
    downhill_5pct_m: float | None = None
    climb_m_per_km: float | None = None
    hilly: bool | None = None

    @property
    def date(self) -> str:
        return (np.datetime64("1970-01-01", "D") + self.day).item().isoformat()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: minutes and km for people."""
        def minutes(value: float | None) -> float | None:
            return None if value is None else round(value / 60.0, 2)

        return {"date": self.date, "activity_id": self.activity_id, "distance_km": round(self.distance_m / 1000, 3),
                "run_min": minutes(self.run_s), "walk_min": minutes(self.walk_s), "run_intervals": self.run_bouts,
                "walk_intervals": self.walk_bouts, "longest_run_min": minutes(self.longest_run_s),
                "ascent_m": None if self.ascent_m is None else round(self.ascent_m, 1),
                "climb_m_per_km": None if self.climb_m_per_km is None else round(self.climb_m_per_km, 1),
                "hilly": self.hilly}


def bouts(labels: np.ndarray, min_bout_s: int) -> list[tuple[str, int]]:
    """Walk and run stretches ``(label, seconds)`` of per-second ``labels``, stops left out,
    stretches shorter than ``min_bout_s`` joined to their neighbours (shortest first)."""
    moving = [label for label in labels if label != "stop"]
    stretches: list[list[Any]] = []
    for label in moving:
        if stretches and stretches[-1][0] == label:
            stretches[-1][1] += 1
        else:
            stretches.append([label, 1])
    while len(stretches) > 1:
        shortest = min(range(len(stretches)), key=lambda i: (stretches[i][1], i))
        if stretches[shortest][1] >= min_bout_s:
            break
        neighbour = shortest - 1 if shortest > 0 else shortest + 1
        stretches[neighbour][1] += stretches[shortest][1]
        del stretches[shortest]
        merged: list[list[Any]] = []
        for label, length in stretches:
            if merged and merged[-1][0] == label:
                merged[-1][1] += length
            else:
                merged.append([label, length])
        stretches = merged
    return [(str(label), int(length)) for label, length in stretches]


def _number(value: Any) -> float | None:
    number = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(number) else float(number)


def measure(summary: dict[Any, Any], stream: pd.DataFrame | None, config: Config) -> Session:
    """Measure one run from its summary (``SUMMARY_FIELDS``) and per-second stream."""
    athlete = str(summary["athlete"])
    distance = _number(summary.get("distance_m")) or 0.0
    ascent = _number(summary.get("ascent_m"))
    climb = ascent / (distance / 1000.0) if ascent is not None and distance > 0 else None
    limit = config.get("rtr_level_max_climb_m_per_km", athlete)
    fields: dict[str, Any] = {
        "athlete": athlete, "activity_id": str(summary["id"]), "day": date_to_day(str(summary["local_date"])),
        "distance_m": distance, "ascent_m": ascent, "downhill_5pct_m": _number(summary.get("downhill_5pct_m")),
        "climb_m_per_km": climb, "hilly": None if climb is None else bool(climb > limit),
    }
    if stream is not None and len(stream):
        labels = gait(stream, GaitRule.from_config(config, athlete))
        stretches = bouts(labels, config.get("rtr_min_bout_s"))
        runs = [length for label, length in stretches if label == "run"]
        walks = [length for label, length in stretches if label == "walk"]
        fields.update(
            run_s=float((labels == "run").sum()), walk_s=float((labels == "walk").sum()),
            run_bouts=len(runs), walk_bouts=len(walks), longest_run_s=float(max(runs)) if runs else 0.0,
            median_run_s=float(np.median(runs)) if runs else None,
            median_walk_s=float(np.median(walks)) if walks else None)
    else:
        timer = _number(summary.get("timer_s"))
        fields.update(run_s=timer)
    return Session(**fields)
