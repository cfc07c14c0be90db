"""How flags read for people: a plain name for each kind, and its value against its threshold
with units ("21.2 km vs 15.4 km allowed"), for the CLI tables and the reports alike.

The flag frame keeps its numbers as the analysis computed them (ratios, percentages,
points: see :data:`~strideload.analyze.flags.KINDS`); these functions only word them.
Distances follow the ``units`` setting (``metric`` or ``imperial``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import units
from ..config import Config

#: Flag kind -> its name for people. A kind without one reads as its key in words.
KIND_LABELS = {
    "session_spike": "Session distance spike",
    "acwr_high": "High acute:chronic ratio",
    "weekly_increase": "Weekly increase",
    "downhill_spike": "Downhill spike",
    "low_cadence": "Low cadence for your pace",
    "cadence_hint": "Cadence hint",
    "surface_change": "Surface change",
    "monotony_high": "Monotonous week",
    "pain_amber": "Knee pain: amber",
    "pain_red": "Knee pain: red",
    "rtr_ready": "Return to run: ready to progress",
    "rtr_hold": "Return to run: on hold",
    "rtr_deviation": "Return to run: off the prescription",
}

#: Severity -> the word people read.
SEVERITY_WORDS = {"alert": "alert", "caution": "caution", "info": "note"}


def label(kind: str) -> str:
    """``session_spike`` -> ``Session distance spike`` (any new kind: its key in words)."""
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def _number(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}"


def value_vs_threshold(kind: str, value: Any, threshold: Any, *, run: Mapping[str, Any] | None = None,
                       config: Config | None = None, system: str = "metric") -> str:
    """The flag's value against its threshold, with units; ``–`` when it has neither.

    ``run`` is the flagged activity's summary (``distance_m``, ``downhill_5pct_m``), when the
    flag belongs to one: spikes then read in distance ("21.2 km vs 15.4 km allowed", the
    allowance being the longest earlier run times the smallest spike ratio), not as ratios.
    """
    config = config or Config()
    has_value, has_threshold = not units.missing(value), not units.missing(threshold)
    if not has_value and not has_threshold:
        return units.MISSING
    v = float(value) if has_value else float("nan")
    t = float(threshold) if has_threshold else float("nan")
    dist = (lambda metres: units.distance_with_unit(metres, system))  # noqa: E731 - a local shorthand
    if kind == "session_spike" and run is not None and has_value and not units.missing(run.get("distance_m")):
        metres = float(run["distance_m"])
        allowed = metres / v * config.get("session_spike_small")
        return f"{dist(metres)} vs {dist(allowed)} allowed"
    if kind == "downhill_spike" and run is not None and not units.missing(run.get("downhill_5pct_m")):
        metres = float(run["downhill_5pct_m"])
        if not has_value:
            return f"{dist(metres)} downhill, after none in the window"
        allowed = max(metres / v * t, config.get("downhill_spike_min_km") * 1000.0)
        return f"{dist(metres)} downhill vs {dist(allowed)} allowed"
    if not has_value:
        return f"threshold {_number(t)}"
    if kind in ("session_spike", "downhill_spike"):
        return f"{v:.2f} × vs {t:.2f} × allowed"
    if kind == "acwr_high":
        return f"EWMA ratio {v:.2f} vs {t:.2f}"
    if kind == "weekly_increase":
        return f"+{v:.0f} % vs +{t:.0f} % allowed"
    if kind == "low_cadence":
        return f"{v:.1f} % below your line vs {t:.0f} %"
    if kind == "cadence_hint":
        return f"{v:.0f} vs {t:.0f} steps/min"
    if kind == "surface_change":
        return f"{v:.0f} % of the distance vs {t:.0f} %"
    if kind == "monotony_high":
        return f"monotony {v:.2f} vs {t:.2f}"
    if kind in ("pain_amber", "pain_red"):
        return f"{v:g} vs {t:g} pain points"
    if kind == "rtr_ready":
        return f"{v:.0f} clean session{'s' if v != 1 else ''}, {t:.0f} needed"
    if kind == "rtr_deviation":
        return f"{_number(v)} done vs {_number(t)} prescribed" if has_threshold else f"{_number(v)} done"
    from .flags import KINDS  # the flag machinery (pandas) only for a kind without its own words

    unit = KINDS[kind].unit if kind in KINDS else ""
    text = f"{_number(v)} vs {_number(t)}" if has_threshold else _number(v)
    return f"{text} ({unit})" if unit else text
