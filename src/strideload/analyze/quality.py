"""Plausibility: which runs count as load, which are set aside (quarantined), and why.

A run is judged once, here, before any signal sees it. It is set aside when any of these
holds (each limit a setting; the reasoning is in ``evidence/plausibility.md``):

* average speed above ``plausible_max_speed_mps`` (7 m/s);
* its fastest minute (``sustained_speed_mps``, GPS spikes already removed at import)
  above ``plausible_max_1min_speed_mps`` (10 m/s);
* distance above ``plausible_max_distance_km`` (330 km);
* timer time above ``plausible_max_duration_h`` (48 h);
* ascent or descent above ``plausible_max_climb_m_per_km`` (600 m/km) over at least 1 km.

A value that is unknown is never a reason. The runner's own decision (the ``decision``
column, ``strideload activities include|exclude ID``) overrides the rule either way. A
run set aside stays in the store and in every listing, with its reason; it is left out of
load and of every signal. Other sports are never judged (they are not load anyway).

:func:`judge` returns one row per activity, aligned with the summaries' index:
``quarantined`` (bool), ``quarantine_reason`` (a sentence, or None) and ``data_quality``
(a note such as "2 GPS spikes removed", or None).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config

QUALITY_COLUMNS = ["quarantined", "quarantine_reason", "data_quality"]

#: Climb per km is judged only on runs at least this long (km): short ones are noise.
_CLIMB_MIN_KM = 1.0


def _numeric(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _reasons(frame: pd.DataFrame, config: Config) -> dict[int, list[str]]:
    """Row position -> the plausibility rules that activity breaks, in words (only those that break one)."""
    distance_km = _numeric(frame, "distance_m") / 1000.0
    timer_h = _numeric(frame, "timer_s") / 3600.0
    speed = _numeric(frame, "avg_speed_mps")
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = np.where(timer_h > 0, distance_km / timer_h / 3.6, np.nan)
    speed = np.where(np.isnan(speed), derived, speed)
    sustained = _numeric(frame, "sustained_speed_mps")
    with np.errstate(divide="ignore", invalid="ignore"):
        climb = np.where(distance_km >= _CLIMB_MIN_KM,
                         np.fmax(_numeric(frame, "ascent_m"), _numeric(frame, "descent_m")) / distance_km, np.nan)
    limits = [
        (speed, config.get("plausible_max_speed_mps"), "average speed {v:.1f} m/s is above {t:g} m/s"),
        (sustained, config.get("plausible_max_1min_speed_mps"),
         "fastest minute {v:.1f} m/s is above {t:g} m/s"),
        (distance_km, config.get("plausible_max_distance_km"), "{v:.1f} km is longer than {t:g} km"),
        (timer_h, config.get("plausible_max_duration_h"), "{v:.1f} h is longer than {t:g} h"),
        (climb, config.get("plausible_max_climb_m_per_km"), "{v:.0f} m of climb or descent per km is above {t:g}"),
    ]
    running = frame["running"].fillna(False).astype(bool).to_numpy() if "running" in frame \
        else np.ones(len(frame), dtype=bool)
    out: dict[int, list[str]] = {}
    for values, limit, text in limits:
        for i in np.flatnonzero(running & (np.nan_to_num(values, nan=-np.inf) > limit)).tolist():
            out.setdefault(i, []).append(text.format(v=values[i], t=limit))
    return out


def judge(summaries: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Per activity of ``summaries``: set aside or counted, why, and its data-quality note."""
    reasons = _reasons(summaries, config)
    n = len(summaries)
    decision = summaries["decision"].to_numpy(dtype=object) if "decision" in summaries \
        else np.full(n, None, dtype=object)
    quarantined = decision == "exclude"
    why = np.where(quarantined, "excluded by you", None).astype(object)
    for i, found in reasons.items():
        if decision[i] == "include":
            why[i] = "counted by your decision, although " + "; ".join(found)
        elif decision[i] != "exclude":
            quarantined[i] = True
            why[i] = "; ".join(found)
    spikes = _numeric(summaries, "gps_spikes_removed")
    notes = np.full(n, None, dtype=object)
    for i in np.flatnonzero(spikes > 0).tolist():
        notes[i] = f"{int(spikes[i])} GPS spike{'s' if spikes[i] != 1 else ''} removed"
    return pd.DataFrame({"quarantined": np.asarray(quarantined, dtype=bool), "quarantine_reason": why,
                         "data_quality": notes}, index=summaries.index)


def with_quality(summaries: pd.DataFrame, config: Config | None = None) -> pd.DataFrame:
    """``summaries`` with the :data:`QUALITY_COLUMNS` beside them (for listings)."""
    judged = judge(summaries, config or Config())
    frame = pd.concat([summaries.drop(columns=[c for c in QUALITY_COLUMNS if c in summaries]), judged], axis=1)
    for name in ("quarantine_reason", "data_quality"):
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame
