"""A change of running surface: the ``surface_change`` flag (context, information only).

On each day, with R = ``surface_recent_days`` (7) and P = ``surface_previous_days`` (28):
a surface that had less than ``surface_previous_max_pct`` (10 %) of the distance in the P
days before the last R days, and more than ``surface_recent_min_pct`` (30 %) of the
distance in the last R days. Needs the R + P days covered enough (:mod:`.coverage`) and
running in both windows. Shares are compared at ``percent_decimals``. Surface ``unknown``
counts in the totals but is never flagged. Once per stretch of days, with its length.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..model import SURFACES
from .daily import QUANTUM, units
from .flags import day_stretches, empty_flags, flag_frame, km, lasted, pct
from .runs import rounded

if TYPE_CHECKING:
    from .analysis import Analysis


def surface_change(analysis: Analysis) -> pd.DataFrame:
    """``surface_change`` flags for every athlete and surface."""
    runs, grid, config = analysis.sessions, analysis.grid, analysis.config
    recent_days = config.get("surface_recent_days")
    previous_days = config.get("surface_previous_days")
    previous_max = config.get("surface_previous_max_pct")
    recent_min = config.get("surface_recent_min_pct")
    rows = analysis.run_rows
    distance = units(runs["distance_km"].to_numpy())
    total = grid.windows(grid.per_day(rows, distance))
    recent_total, previous_total = total(recent_days), total(previous_days, recent_days)
    defined = ((grid.day_index >= recent_days + previous_days - 1) & (recent_total > 0)
               & (previous_total > 0) & analysis.coverage.enough(recent_days + previous_days))
    decimals = config.get("percent_decimals")
    frames = []
    for surface in SURFACES:
        on_surface = runs["surface"].to_numpy() == surface
        if surface == "unknown" or not on_surface.any():
            continue
        window = grid.windows(grid.per_day(rows[on_surface], distance[on_surface]))
        recent, previous = window(recent_days), window(previous_days, recent_days)
        with np.errstate(divide="ignore", invalid="ignore"):
            recent_share = rounded(100.0 * recent / recent_total, decimals)
            previous_share = rounded(100.0 * previous / previous_total, decimals)
        condition = defined & (previous_share < previous_max) & (recent_share > recent_min)
        found = day_stretches(condition, grid, config.get("stretch_merge_days"))
        start = found.start
        if not len(start):
            continue
        share = 100.0 * recent[start] / recent_total[start]
        before = 100.0 * previous[start] / previous_total[start]
        messages = [
            f"{surface.capitalize()} made up {pct(s)} of your distance in the last {recent_days} days "
            f"({r / QUANTUM:.1f} of {km(t / QUANTUM)}), against {pct(b)} in the {previous_days} "
            f"days before.{lasted(length, end, ongoing, f'over {recent_min:g} %')} A new surface changes how "
            "the legs are loaded; give it time."
            for s, r, t, b, length, end, ongoing in zip(share, recent[start], recent_total[start], before, found.days,
                                                         found.end_day, found.ongoing, strict=True)
        ]
        frames.append(flag_frame("surface_change", athlete=np.asarray(grid.athletes)[grid.code[start]],
                                 day=grid.day[start], value=share, threshold=recent_min,
                                 message=messages))
    return pd.concat(frames, ignore_index=True) if frames else empty_flags()
