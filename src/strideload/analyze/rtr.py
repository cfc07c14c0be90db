"""The return-to-run signal: ``rtr_ready``, ``rtr_hold`` and ``rtr_deviation`` beside the others.

The work is done by :mod:`strideload.rtr` (protocols, measured sessions, progression);
an :class:`~strideload.analyze.Analysis` made with ``rtr=strideload.rtr.inputs(store)``
carries those inputs, and this signal hands them the athlete's pain flags and the day the
series end. Without ``rtr`` it raises nothing; flags of runs set aside (:mod:`.quality`) are
dropped. Nothing is imported from ``strideload.rtr``
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
    found: pd.DataFrame = inputs.flags(pain_signal(analysis), analysis.until, last_day)
    if not len(found):
        return found
    # A run set aside (quarantined) raises no flag here either.
    keep = found["athlete"].isin(analysis.athletes) & ~found["activity_id"].isin(analysis.set_aside.get("id", []))
    return found[keep].reset_index(drop=True)
