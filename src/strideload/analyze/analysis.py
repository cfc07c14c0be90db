"""One analysis of a set of activity summaries: runs, daily series and every signal's flags.

:class:`Analysis` prepares the inputs once: which runs are plausible (:mod:`.quality`),
the running sessions, the day grid and which days are covered (:mod:`.coverage`); the
daily and run columns and the flags are computed on first use (all vectorised) and read
many times. Every signal reads those shared facts rather than deriving its own.
:data:`SIGNALS` is the list of signal functions the flags come from; add a function to it
to add a kind of flag.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import pandas as pd

from ..config import Config
from . import acwr, cadence, load_units, monotony, pain, quality, rtr, spikes, surface, weekly
from .coverage import Coverage, coverage
from .daily import base_series, day_grid
from .flags import Signal, collect
from .runs import RunWindows, prepare_runs

#: Every signal, in the order its flags are computed. Each takes an :class:`Analysis`
#: and returns rows with the flag columns (see :mod:`strideload.analyze.flags`).
SIGNALS: list[Signal] = [
    spikes.session_spikes,
    acwr.acwr_high,
    weekly.weekly_increase,
    spikes.downhill_spikes,
    cadence.low_cadence,
    cadence.cadence_hint,
    surface.surface_change,
    monotony.monotony_high,
    pain.pain_signal,
    rtr.rtr_signal,
]


class Analysis:
    """Everything strideload derives from ``summaries`` with ``config``, computed on first use.

    ``until`` (days since the epoch) ends every athlete's series on that day: later runs
    are ignored and rest days are added up to it.

    Attributes: ``quality`` (per activity of ``summaries``: ``quarantined``,
    ``quarantine_reason``, ``data_quality``; see :mod:`.quality`), ``runs`` (one row per
    counted running session, see :func:`~strideload.analyze.runs.prepare_runs`, with the
    spike and cadence columns), ``grid`` (where each athlete's days sit), ``run_rows``
    (each run's row in ``daily``), ``coverage`` (which days are known, see
    :mod:`.coverage`), ``daily`` (the daily series with every windowed column) and
    ``flags``.

    ``pain`` is the pain log (``Store.pain_frame()``), for the pain flags; ``rtr`` the
    return-to-run inputs (``strideload.rtr.RtrInputs``), for the return-to-run flags.
    Without them those signals raise nothing. ``context`` (``Store.context_frame()``): the
    injury, illness and holiday periods, known gaps in :attr:`coverage`.
    """

    def __init__(self, summaries: pd.DataFrame, config: Config, until: int | None = None,
                 signals: list[Signal] | None = None, pain: pd.DataFrame | None = None,
                 rtr: Any = None, context: pd.DataFrame | None = None):
        self.config = config
        self.context = context
        self.until = until
        self.pain = pain
        self.rtr = rtr
        self.signals = SIGNALS if signals is None else signals
        self.summaries = summaries
        self.quality = quality.judge(summaries, config)
        self.sessions = prepare_runs(summaries[~self.quality["quarantined"].to_numpy()], until)
        self.grid = day_grid(self.sessions, until)
        self.run_rows = self.grid.rows(self.sessions["code"].to_numpy(), self.sessions["day"].to_numpy())

    @cached_property
    def coverage(self) -> Coverage:
        """Which days of the series are covered, from every activity of ``summaries``."""
        return coverage(self.summaries, self.grid, self.config, self.until, self.context)

    @cached_property
    def set_aside(self) -> pd.DataFrame:
        """The running activities set aside (quarantined), with ``quarantine_reason``."""
        frame = pd.concat([self.summaries, self.quality], axis=1)
        running = frame["running"].fillna(False).astype(bool) if "running" in frame else True
        return frame[frame["quarantined"] & running].reset_index(drop=True)

    @property
    def athletes(self) -> list[str]:
        return self.grid.athletes

    @cached_property
    def daily(self) -> pd.DataFrame:
        """The daily series: totals, window sums, ratios, weekly increase, monotony."""
        daily = base_series(self.sessions, self.grid, self.run_rows)
        daily["covered"] = self.coverage.covered
        daily["context"] = self.coverage.context
        daily = pd.concat([daily, load_units.unit_series(daily, self.run_units, self.grid, self.run_rows,
                                                         self.config)], axis=1)
        return pd.concat([daily, acwr.load_columns(daily, self.grid, self.config, self.coverage),
                          weekly.weekly_columns(daily, self.grid, self.config, self.coverage),
                          monotony.monotony_columns(daily, self.grid, self.config, self.coverage)], axis=1)

    @cached_property
    def _units(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return load_units.run_units(self.sessions, self.config)

    @property
    def run_units(self) -> pd.DataFrame:
        """Per running session: ``rpe``, ``rpe_load`` (RPE × min) and ``trimp`` (NaN where unknown)."""
        return self._units[0]

    @property
    def hr_reference(self) -> pd.DataFrame:
        """Per athlete: the resting and maximum heart rate TRIMP uses, and whether each was estimated."""
        return self._units[1]

    @cached_property
    def runs(self) -> pd.DataFrame:
        """The running sessions with their spike ratios and cadence predictions."""
        windows = RunWindows(self.sessions)

        def covered(days: int):
            return self.coverage.enough(days, lag=1)[self.run_rows]

        return pd.concat([self.sessions, self.run_units[["rpe_load", "trimp"]],
                          spikes.spike_columns(self.sessions, windows, self.config, covered),
                          cadence.cadence_columns(self.sessions, windows, self.config)], axis=1)

    @cached_property
    def flags(self) -> pd.DataFrame:
        """Every flag of every signal, by athlete, date and severity."""
        return collect(self, self.signals)
