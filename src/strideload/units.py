"""Numbers as people read them: km or miles, h:mm:ss, pace per km or per mile.

Everything strideload stores and computes is SI (metres, seconds, m/s); these helpers
convert only for display, in the CLI tables and the reports. ``system`` is the ``units``
setting: ``metric`` (km, min/km) or ``imperial`` (mi, min/mi). Missing values (``None``,
NaN) show as an en dash. This module imports nothing else of strideload's.
"""

from __future__ import annotations

import math
from typing import Any

SYSTEMS = ("metric", "imperial")
M_PER_KM = 1000.0
M_PER_MI = 1609.344
MISSING = "–"


def missing(value: Any) -> bool:
    """``None``, NaN, pandas' NA/NaT, or anything that is not a number."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _metres_per(system: str) -> float:
    if system not in SYSTEMS:
        raise ValueError(f"unknown unit system {system!r} (expected one of {', '.join(SYSTEMS)})")
    return M_PER_KM if system == "metric" else M_PER_MI


def distance_unit(system: str = "metric") -> str:
    """``km`` or ``mi``."""
    return "km" if _metres_per(system) == M_PER_KM else "mi"


def pace_unit(system: str = "metric") -> str:
    """``min/km`` or ``min/mi``."""
    return f"min/{distance_unit(system)}"


def distance(metres: Any, system: str = "metric", decimals: int = 1) -> str:
    """A distance in metres as ``12.3`` (km or mi, without the unit); ``–`` when missing."""
    if missing(metres):
        return MISSING
    return f"{float(metres) / _metres_per(system):,.{decimals}f}"


def distance_with_unit(metres: Any, system: str = "metric", decimals: int = 1) -> str:
    """``12.3 km`` / ``7.6 mi``; ``–`` when missing."""
    text = distance(metres, system, decimals)
    return text if text == MISSING else f"{text} {distance_unit(system)}"


def duration(seconds: Any) -> str:
    """Seconds as ``h:mm:ss`` (``m:ss`` under an hour); ``–`` when missing."""
    if missing(seconds) or float(seconds) < 0 or math.isinf(float(seconds)):
        return MISSING
    total = int(round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def pace(speed_mps: Any, system: str = "metric") -> str:
    """A speed in m/s as minutes per km (or mile), ``5:12``; ``–`` when missing or not moving."""
    if missing(speed_mps) or float(speed_mps) <= 0 or math.isinf(float(speed_mps)):
        return MISSING
    seconds = _metres_per(system) / float(speed_mps)
    if seconds >= 100 * 60:  # slower than 100 min/km is standing, not a pace
        return MISSING
    return duration(seconds)


def pace_with_unit(speed_mps: Any, system: str = "metric") -> str:
    """``5:12 min/km``; ``–`` when missing."""
    text = pace(speed_mps, system)
    return text if text == MISSING else f"{text} {pace_unit(system)}"


def whole(value: Any) -> str:
    """A whole number (steps/min, metres of climb): ``172``; ``–`` when missing."""
    return MISSING if missing(value) else f"{float(value):,.0f}"
