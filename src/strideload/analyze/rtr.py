"""The return-to-run signal: ``rtr_ready``, ``rtr_hold`` and ``rtr_deviation`` beside the others.

The work is done by :mod:`strideload.rtr` (protocols, measured sessions, progression);
an :class:`~strideload.analyze.Analysis` made with ``rtr=strideload.rtr.inputs(store)``
carries those inputs, and this signal hands them the athlete's pain flags, the pain log
(a session counts only once its next-morning score is in) and the day each athlete's data
end (their last run or pain score). Without ``rtr`` it raises nothing; flags of runs set
aside (:mod:`.quality`) are dropped. Nothing is imported from ``strideload.rtr``
here, so the analysis layer keeps reading DataFrames only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .flags import empty_flags
from .pain import pain_signal

if TYPE_CHECKING:
    from .analysis import Analysis


def rtr_signal(analysis: Analysis) -> pd.DataFrame:
    """The return-to-run flags of the plans in ``analysis.rtr`` (none without them)."""
    inputs = getattr(analysis, "rtr", None)
    if inputs is None:
        return empty_flags()
    sessions = analysis.sessions
    last = sessions.groupby("athlete", observed=True)["day"].max() if len(sessions) else pd.Series(dtype="int64")
    last_day = {str(name): int(day) for name, day in last.items() if not np.isnan(day)}
    pain = getattr(analysis, "pain", None)
    if pain is not None and len(pain):
        days = (pd.to_datetime(pain["date"].astype(str).str[:10], format="%Y-%m-%d").to_numpy()
                .astype("datetime64[D]") - np.datetime64("1970-01-01", "D")).astype("int64")
        for name, day in pd.Series(days).groupby(pain["athlete"].to_numpy()).max().items():
            last_day[str(name)] = max(last_day.get(str(name), int(day)), int(day))
    found: pd.DataFrame = inputs.flags(pain_signal(analysis), analysis.until, last_day, pain)
    if not len(found):
        return found
    # A run set aside (quarantined) raises no flag here either.
    keep = found["athlete"].isin(analysis.athletes) & ~found["activity_id"].isin(analysis.set_aside.get("id", []))
    return found[keep].reset_index(drop=True)
