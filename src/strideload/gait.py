"""Walking or running, second by second: one rule for ingest, analysis and return to run.

A moving second (``stream["moving"]``) is **running** when

* its cadence is at least :attr:`GaitRule.run_cadence_spm` (140 steps/min: walking rarely
  goes above ~135), or
* its speed is at least :attr:`GaitRule.run_speed_mps` (1.9 m/s, near the 1.9-2.1 m/s at
  which adults change from walking to running) and its cadence at least
  :attr:`GaitRule.min_run_cadence_spm` (115 steps/min: a slow runner's shuffle at 130
  steps/min and 2.2 m/s is running; a GPS speed spike during a 100 steps/min walk is not,
  since walking at 2 m/s takes about 125 steps/min or more);
* without cadence (none recorded, or 0 from a dropped sensor), speed alone decides.

Every other moving second is **walking**; seconds not moving are **stopped**. So the walk
breaks of a run/walk session are walking, and a slow, low-cadence run is still running.
The thresholds are settings (``gait_*``, see :mod:`strideload.config`); this module sits in
the bottom layer beside :mod:`strideload.model` so that ingest, analysis and return to run
share it without reaching into each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .config import SETTINGS, Config

if TYPE_CHECKING:  # the import path reads arrays only (running_flags): pandas where frames are asked for
    import pandas as pd


@dataclass(frozen=True)
class GaitRule:
    """The thresholds of the walking/running rule (steps/min and m/s)."""

    run_cadence_spm: float = SETTINGS["gait_run_cadence_spm"].default
    run_speed_mps: float = SETTINGS["gait_run_speed_mps"].default
    min_run_cadence_spm: float = SETTINGS["gait_min_run_cadence_spm"].default

    @classmethod
    def from_config(cls, config: Config | None, athlete: str | None = None) -> GaitRule:
        """The rule with ``config``'s values for ``athlete`` (defaults without a config)."""
        if config is None:
            return cls()
        return cls(run_cadence_spm=config.get("gait_run_cadence_spm", athlete),
                   run_speed_mps=config.get("gait_run_speed_mps", athlete),
                   min_run_cadence_spm=config.get("gait_min_run_cadence_spm", athlete))


def running_flags(cadence_spm: np.ndarray, speed_mps: np.ndarray, moving: np.ndarray,
                  rule: GaitRule | None = None) -> np.ndarray:
    """Per second, from a stream's columns as arrays (steps/min, m/s, bool): True where running
    (see the module doc)."""
    rule = rule or GaitRule()
    fast = speed_mps >= rule.run_speed_mps
    with np.errstate(invalid="ignore"):
        by_cadence = (cadence_spm >= rule.run_cadence_spm) | (fast & (cadence_spm >= rule.min_run_cadence_spm))
        has_cadence = np.isfinite(cadence_spm) & (cadence_spm > 0)
    return moving & np.where(has_cadence, by_cadence, fast)


def running_mask(stream: pd.DataFrame, rule: GaitRule | None = None) -> pd.Series:
    """Per second of a stream (``model.STREAM_COLUMNS``): True where running (see the module doc)."""
    import pandas as pd

    running = running_flags(stream["cadence_spm"].to_numpy(dtype=float), stream["speed_mps"].to_numpy(dtype=float),
                            stream["moving"].to_numpy(dtype=bool), rule)
    return pd.Series(running, index=stream.index)


def gait(stream: pd.DataFrame, rule: GaitRule | None = None) -> np.ndarray:
    """Per second: ``"run"`` (:func:`running_mask`), ``"walk"`` (moving, not running) or ``"stop"``."""
    if not len(stream):
        return np.zeros(0, dtype=object)
    run = running_mask(stream, rule).to_numpy(dtype=bool)
    moving = stream["moving"].to_numpy(dtype=bool)
    return np.where(run, "run", np.where(moving, "walk", "stop")).astype(object)


def walk_run_seconds(stream: pd.DataFrame, rule: GaitRule | None = None) -> tuple[float, float]:
    """Seconds running and seconds walking (each stream row is one second), by :func:`gait`."""
    labels = gait(stream, rule)
    return float((labels == "run").sum()), float((labels == "walk").sum())
