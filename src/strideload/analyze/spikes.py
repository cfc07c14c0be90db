"""Per-run spikes: a run much longer, or with much more downhill, than the previous 30 days'.

* ``session_ratio = distance / longest running session that started in the
  session_spike_window_days (30) before it`` (Frandsen 2025). Each session on its own: of
  two runs on one day, the later one is compared with the earlier. No earlier run in the
  window (or only runs without distance), or a window not covered enough (the history
  started, or a gap in the records fell, within it: :mod:`.coverage`): no ratio
  (insufficient history). Tiers, compared at ``ratio_decimals``: small > 1.10 (caution),
  moderate > 1.30 and large > 2.00 (alerts).
* ``downhill_ratio = downhill km (grade <= -5 %) / most downhill km of one run in the
  downhill_spike_window_days (30) before``; a ``downhill_spike`` (caution) when it exceeds
  ``downhill_spike_ratio`` (1.3) and the run had at least ``downhill_spike_min_km`` (1 km).
  After 30 days of flat runs (treadmill and indoor runs are flat: 0 m, known) the ratio is
  infinite and any run with 1 km downhill counts. Runs without elevation data neither flag
  nor count as a reference; the window must be covered enough, as above.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import Config
from .flags import flag_frame, km, pct
from .runs import RunWindows, range_max, rounded

if TYPE_CHECKING:
    from .analysis import Analysis


def spike_columns(runs: pd.DataFrame, windows: RunWindows, config: Config,
                  covered: Callable[[int], np.ndarray]) -> pd.DataFrame:
    """``previous_longest_km``, ``session_ratio``, ``previous_downhill_km``, ``downhill_ratio``.

    ``covered(days)`` says, per run, whether the ``days`` before its day are covered enough.
    """
    session_days = config.get("session_spike_window_days")
    downhill_days = config.get("downhill_spike_window_days")
    longest = range_max(runs["distance_km"].to_numpy(), *windows.before(session_days))
    longest = np.where((longest > 0) & covered(session_days), longest, np.nan)
    downhill = runs["downhill_km"].to_numpy()
    most_downhill = range_max(downhill, *windows.before(downhill_days))
    most_downhill = np.where(covered(downhill_days), most_downhill, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        session_ratio = runs["distance_km"].to_numpy() / longest
        downhill_ratio = downhill / most_downhill  # infinite after 30 flat days
    return pd.DataFrame({
        "previous_longest_km": longest,
        "session_ratio": session_ratio,
        "previous_downhill_km": most_downhill,
        "downhill_ratio": downhill_ratio,
    }, index=runs.index)


def session_spikes(analysis: Analysis) -> pd.DataFrame:
    """``session_spike``: alert for large and moderate spikes, caution for small ones."""
    runs, config = analysis.runs, analysis.config
    days = config.get("session_spike_window_days")
    ratio = np.nan_to_num(rounded(runs["session_ratio"].to_numpy(), config.get("ratio_decimals")))
    tiers = [(config.get("session_spike_large"), "alert"), (config.get("session_spike_moderate"), "alert"),
             (config.get("session_spike_small"), "caution")]
    threshold = np.select([ratio > limit for limit, _ in tiers], [limit for limit, _ in tiers], np.nan)
    severity = np.select([ratio > limit for limit, _ in tiers], [sev for _, sev in tiers], "")
    hit = ~np.isnan(threshold)
    rows = runs[hit]
    messages = [
        f"This {km(distance)} run was {pct(100 * (r - 1))} longer than your longest run in the "
        f"previous {days} days ({km(longest)})."
        for distance, r, longest in zip(rows["distance_km"], rows["session_ratio"], rows["previous_longest_km"],
                                        strict=True)
    ]
    return flag_frame("session_spike", athlete=rows["athlete"], day=rows["day"].to_numpy(),
                      activity_id=rows["id"], value=rows["session_ratio"], threshold=threshold[hit],
                      severity=severity[hit], message=messages)


def downhill_spikes(analysis: Analysis) -> pd.DataFrame:
    """``downhill_spike`` (caution): much more downhill than any run of the previous 30 days."""
    runs, config = analysis.runs, analysis.config
    days = config.get("downhill_spike_window_days")
    limit = config.get("downhill_spike_ratio")
    downhill = np.nan_to_num(runs["downhill_km"].to_numpy())
    before = runs["previous_downhill_km"].to_numpy()
    ratio = rounded(runs["downhill_ratio"].to_numpy(), config.get("ratio_decimals"))
    hit = (~np.isnan(before) & (np.where(before > 0, ratio, np.inf) > limit)
           & (downhill >= config.get("downhill_spike_min_km")))
    rows = runs[hit]
    messages = [
        f"This run had {km(d)} of downhill steeper than −5 %, "
        + (f"{r:.1f} times the most of any run in the previous {days} days ({km(b)})."
           if b > 0 else f"after {days} days in which no run had any.")
        for d, r, b in zip(rows["downhill_km"], rows["downhill_ratio"], rows["previous_downhill_km"], strict=True)
    ]
    values = np.where(np.isinf(rows["downhill_ratio"]), np.nan, rows["downhill_ratio"])
    return flag_frame("downhill_spike", athlete=rows["athlete"], day=rows["day"].to_numpy(),
                      activity_id=rows["id"], value=values, threshold=limit, message=messages)
