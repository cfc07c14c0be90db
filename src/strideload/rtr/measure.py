"""What a return-to-run session actually was, from its watch data.

Each second of the stream is running, walking or stopped (:func:`strideload.gait.gait`:
moving, then speed and cadence together, with the ``gait_*`` settings of the athlete). Run
and walk minutes are those seconds counted, run and walk
distance the metres covered in them. For the interval pattern, stops are left out and
stretches shorter than ``rtr_min_bout_s`` join their neighbours, so a stumble or a cadence
drop at a kerb does not make a new interval; each stretch keeps its seconds and metres, so
the longest running without a walk break is known by time (``walk_min``/``run_min``
protocols) and by distance (``walk_mi``/``run_mi`` protocols such as Delaware's).
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
    longest_run_m: float | None = None
    run_m: float | None = None
    walk_m: float | None = None
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
                "longest_run_km": None if self.longest_run_m is None else round(self.longest_run_m / 1000, 3),
                "ascent_m": None if self.ascent_m is None else round(self.ascent_m, 1),
                "climb_m_per_km": None if self.climb_m_per_km is None else round(self.climb_m_per_km, 1),
                "hilly": self.hilly}


def bouts(labels: np.ndarray, min_bout_s: int) -> list[tuple[str, int]]:
    """Walk and run stretches ``(label, seconds)`` of per-second ``labels``, stops left out,
    stretches shorter than ``min_bout_s`` joined to their neighbours (shortest first)."""
    return [(label, int(seconds)) for label, seconds, _ in stretches(labels, None, min_bout_s)]


def stretches(labels: np.ndarray, step_m: np.ndarray | None, min_bout_s: int) -> list[tuple[str, float, float]]:
    """Walk and run stretches ``(label, seconds, metres)`` of per-second ``labels`` (see
    :func:`bouts`); ``step_m`` is the distance covered in each second (0 without it)."""
    steps = np.zeros(len(labels)) if step_m is None else np.nan_to_num(np.asarray(step_m, dtype="float64"))
    found: list[list[Any]] = []
    for label, metres in zip(labels, steps):
        if label == "stop":
            continue
        if found and found[-1][0] == label:
            found[-1][1] += 1
            found[-1][2] += metres
        else:
            found.append([label, 1, float(metres)])
    while len(found) > 1:
        shortest = min(range(len(found)), key=lambda i: (found[i][1], i))
        if found[shortest][1] >= min_bout_s:
            break
        neighbour = shortest - 1 if shortest > 0 else shortest + 1
        found[neighbour][1] += found[shortest][1]
        found[neighbour][2] += found[shortest][2]
        del found[shortest]
        merged: list[list[Any]] = []
        for label, seconds, metres in found:
            if merged and merged[-1][0] == label:
                merged[-1][1] += seconds
                merged[-1][2] += metres
            else:
                merged.append([label, seconds, metres])
        found = merged
    return [(str(label), float(seconds), float(metres)) for label, seconds, metres in found]


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
        step = np.diff(stream["distance_m"].to_numpy(dtype="float64", na_value=np.nan), prepend=np.nan)
        step = np.clip(np.nan_to_num(step), 0.0, None)  # metres covered in each second
        found = stretches(labels, step, config.get("rtr_min_bout_s"))
        runs = [seconds for label, seconds, _ in found if label == "run"]
        walks = [seconds for label, seconds, _ in found if label == "walk"]
        run_metres = [metres for label, _, metres in found if label == "run"]
        fields.update(
            run_s=float((labels == "run").sum()), walk_s=float((labels == "walk").sum()),
            run_m=float(step[labels == "run"].sum()), walk_m=float(step[labels == "walk"].sum()),
            run_bouts=len(runs), walk_bouts=len(walks), longest_run_s=float(max(runs)) if runs else 0.0,
            longest_run_m=float(max(run_metres)) if run_metres else 0.0,
            median_run_s=float(np.median(runs)) if runs else None,
            median_walk_s=float(np.median(walks)) if walks else None)
    else:
        timer = _number(summary.get("timer_s"))
        fields.update(run_s=timer)
    return Session(**fields)
