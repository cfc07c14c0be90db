"""What matters for a knee, from activity summaries: daily load, ratios, spikes and flags.

Library calls for notebooks and the CLI alike. Each takes a DataFrame with the
:data:`~strideload.model.SUMMARY_FIELDS` columns (one row per activity, any number of
athletes; ``Store.activities_frame()`` gives one) and a :class:`~strideload.config.Config`
(defaults when omitted), and returns a DataFrame::

    from strideload.analyze import daily_load, flags, status
    days = daily_load(summaries)                 # one row per athlete and local day
    found = flags(summaries, since="2025-01-01")  # one row per flag
    today = status(summaries, as_of="2025-03-10") # one row per athlete

``analyze()`` returns the :class:`Analysis` behind them (runs with their per-run ratios,
the daily series, the flags) to compute once and read many times. The signals, their
formulas, thresholds and sources are those of ``science.md``; each module documents its
own. This package reads DataFrames only: it imports nothing from ingest, store, report or
the CLI.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..errors import UsageError

if TYPE_CHECKING:  # the same names, eagerly, for type checkers
    import pandas as pd

    from .analysis import SIGNALS, Analysis
    from .flags import FLAG_COLUMNS, KINDS, SEVERITIES, SOURCES, Flag, Kind, Source
    from .status import STATUS_COLUMNS

#: Names of the submodules, loaded on first use (PEP 562): the signal modules need numpy and
#: pandas, which the CLI's light commands (``status`` from its snapshot, the tables' words
#: from :mod:`.words`) never load.
_LAZY = {
    "SIGNALS": ".analysis", "Analysis": ".analysis",
    "FLAG_COLUMNS": ".flags", "KINDS": ".flags", "SEVERITIES": ".flags", "SOURCES": ".flags",
    "Flag": ".flags", "Kind": ".flags", "Source": ".flags",
    "STATUS_COLUMNS": ".status", "as_of_days": ".status", "status_frame": ".status",
    "EPOCH": ".runs", "date_to_day": ".runs", "UNITS": ".load_units",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


class _Package(ModuleType):
    """This package, whose functions :func:`flags` and :func:`status` share their names with
    submodules. Importing a submodule sets it as an attribute of its package; loaded lazily,
    that would replace the function. The functions stay the public names (as they were when
    the submodules loaded first); the submodules are in ``sys.modules`` as usual."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("flags", "status") and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

#: Columns of :func:`daily_load`, in order (the issue's list first, then the extras).
LOAD_COLUMNS = [
    "athlete", "date", "distance_km", "duration_min", "downhill_km", "descent_m",
    "acute_7d_km", "chronic_28d_km", "acwr_coupled", "acwr_uncoupled", "acwr_ewma",
    "downhill_7d_km", "downhill_28d_km", "downhill_acwr", "covered",
    "load_unit", "load", "acute_7d_load", "chronic_28d_load", "rpe_load", "rpe_missing_runs", "trimp",
    "hr_missing_runs", "descent_per_km_7d", "descent_per_km_28d", "descent_acwr", "downhill_share_7d",
    "downhill_share_28d", "downhill_share_acwr", "context",
]
DAILY_COLUMNS = LOAD_COLUMNS + ["runs", "usual_7d_km", "weekly_increase_pct", "usual_7d_load", "weekly_change_pct",
                                "monotony", "strain"]

__all__ = [
    "DAILY_COLUMNS", "FLAG_COLUMNS", "KINDS", "LOAD_COLUMNS", "SEVERITIES", "SIGNALS", "SOURCES",
    "STATUS_COLUMNS", "UNITS", "Analysis", "Flag", "Kind", "Source", "analyze", "daily_load", "flags", "status",
    "with_unit",
]


def analyze(summaries: pd.DataFrame, config: Config | None = None, until: Any = None,
            pain: pd.DataFrame | None = None, rtr: Any = None, context: pd.DataFrame | None = None) -> Analysis:
    """The full :class:`Analysis` of ``summaries``; ``until`` (a date) ends every series there.

    ``pain`` (``Store.pain_frame()``) and ``rtr`` (``strideload.rtr.inputs(store)``) add the
    pain and return-to-run flags; ``context`` (``Store.context_frame()``) the injury, illness
    and holiday periods, known gaps; here and in :func:`flags` and :func:`status`.
    """
    from .analysis import Analysis
    from .runs import date_to_day

    return Analysis(summaries, config or Config(), None if until is None else date_to_day(until),
                    pain=pain, rtr=rtr, context=context)


def with_unit(config: Config, unit: str | None) -> Config:
    """``config`` with every athlete's ``load_unit`` set to ``unit`` (unchanged for None)."""
    from .load_units import UNITS

    if unit is None:
        return config
    if unit not in UNITS:
        raise UsageError(f"unknown load unit {unit!r}: one of {', '.join(UNITS)}")
    athletes = {name: {k: v for k, v in table.items() if k != "load_unit"} for name, table in config.athletes.items()}
    return replace(config, values={**config.values, "load_unit": unit}, athletes=athletes)


def daily_load(summaries: pd.DataFrame, config: Config | None = None, until: Any = None, *,
               unit: str | None = None, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """The continuous daily series (:data:`DAILY_COLUMNS`) of every athlete.

    Distances in km, duration in min, descent in m; ``acute_7d_km`` and ``chronic_28d_km``
    are the totals of the 7 and 28 days ending on the date (of ``acwr_acute_days`` and
    ``acwr_chronic_days``), ratios are NaN where hidden. ``load`` is the day's load in
    ``load_unit`` (each athlete's setting, or ``unit`` for all: ``distance``, ``duration``,
    ``rpe``, ``trimp``), NaN where unknown; the ratios, monotony and ``weekly_change_pct``
    are on it. ``until`` extends (or ends) every series at that date.
    """
    return analyze(summaries, with_unit(config or Config(), unit), until, context=context).daily[DAILY_COLUMNS]


def _athletes(summaries: pd.DataFrame) -> list[str]:
    import pandas as pd

    if "athlete" not in summaries:
        return []
    return sorted(str(name) for name in pd.unique(summaries["athlete"].dropna()))


def _ends(summaries: pd.DataFrame, config: Config, when: Any) -> dict[str, int]:
    """Each athlete's last day: ``when`` (a date) for all, or each one's local today."""
    from .status import as_of_days

    return as_of_days(_athletes(summaries), config, None if when == "today" else when)


def flags(summaries: pd.DataFrame, config: Config | None = None, *, since: Any = None,
          until: Any = None, kinds: list[str] | None = None, pain: pd.DataFrame | None = None,
          rtr: Any = None, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every flag (:data:`FLAG_COLUMNS`), optionally of ``kinds`` and dated ``since``..``until``.

    ``until`` is where the daily series end: by default each athlete's last run; a date
    (runs after it are ignored), or ``"today"`` for each athlete's local today. A day-level
    flag (``weekly_increase``, ``acwr_high``, ...) can first hold on a rest day after the
    last run, so only an ``until`` beyond the last run shows it.
    """
    import numpy as np

    from .analysis import Analysis
    from .runs import EPOCH, date_to_day

    config = config or Config()
    ends = _ends(summaries, config, until) if until is not None else {}
    found = Analysis(summaries, config, until=max(ends.values()) if ends else None, pain=pain, rtr=rtr,
                     context=context).flags
    days = (found["date"].to_numpy().astype("datetime64[D]") - EPOCH).astype("int64")
    keep = np.ones(len(found), dtype=bool)
    if since is not None:
        keep &= days >= date_to_day(since)
    if ends:
        keep &= days <= found["athlete"].map(ends).to_numpy(dtype="int64")
    if kinds:
        keep &= found["kind"].isin(kinds).to_numpy()
    return found[keep].reset_index(drop=True)


def status(summaries: pd.DataFrame, config: Config | None = None, as_of: Any = None,
           pain: pd.DataFrame | None = None, rtr: Any = None, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per athlete (:data:`STATUS_COLUMNS`) on ``as_of``, most concerning first.

    ``as_of`` defaults to each athlete's local today (their ``timezone`` setting). Runs
    after it are ignored.
    """
    from .analysis import Analysis
    from .status import status_frame

    config = config or Config()
    days = _ends(summaries, config, as_of or "today")
    analysis = Analysis(summaries, config, until=max(days.values()) if days else None, pain=pain, rtr=rtr,
                        context=context)
    return status_frame(analysis, days)
