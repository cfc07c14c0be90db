"""Cadence against the athlete's own normal (``low_cadence``) and the gentler ``cadence_hint``.

Cadence rises with speed, so a fixed threshold mislabels slow runners. Each run is judged
on its running part: its median cadence and its running-part speed (``run_speed_mps``:
walking breaks would drag an average speed down and put a run/walk session far off the
line; activities imported before that speed was recorded use their average speed).

* personal check: a straight line ``cadence = a + b · speed``, fitted by least squares to
  the athlete's **baseline** runs that started between ``cadence_fit_days`` (60) +
  ``cadence_fit_lag_days`` (14) and ``cadence_fit_lag_days`` days before the run, when
  there are at least ``cadence_fit_min_runs`` (5) of them (when they all had the same
  speed the line is flat at their mean cadence). ``cadence_drop_pct = 100 · (predicted −
  cadence) / predicted``; a run is low when it is at least ``low_cadence_drop_pct`` (5 %),
  compared at ``percent_decimals``.

  The line must not absorb what it should find. The window ends two weeks before the run,
  so a new low-cadence block is compared with the runner's earlier normal; and a run that
  its own line judged low, or ``cadence_outlier_pct`` (10 %) above, is left out of the
  baseline of later runs (robust to outliers and to a block longer than two weeks). Runs
  without a line yet are in the baseline. As each run's baseline holds only earlier runs,
  this is settled by repeating the fit until no run changes side (a handful of passes).
  When the runner's cadence changes for good, the old normal leaves the window after
  ``cadence_fit_days`` and the new one becomes the baseline.

  ``low_cadence`` (info) is raised once per stretch of low runs (a judged run on the line
  ends it unless the next low run follows within ``stretch_merge_days``), with the number
  of runs;
* absolute hint: a run is at **easy pace** when its speed is at or below the median speed
  of the athlete's runs in the ``cadence_fit_days`` up to and including it. Easy runs
  below ``cadence_hint_spm`` (166, per athlete) raise a ``cadence_hint`` (info) suggesting
  a 5–10 % increase, once per stretch of such runs (an easy run at or above the hint ends
  it unless the next one below follows within ``cadence_hint_repeat_days``), with the
  number of runs. No fixed target is ever suggested.

:func:`line_on` gives the line that judges a run on a given day, so the report draws the
line the flags use. Runs without cadence data take no part in either check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..config import Config
from .flags import flag_frame, pct, short_day, stretches
from .runs import EPOCH, RunWindows, per_row, range_sum, rounded

if TYPE_CHECKING:
    from .analysis import Analysis

#: Speeds varying less than this ((m/s)², variance) cannot support a slope.
_MIN_SPEED_VARIANCE = 1e-6
#: Most passes of the baseline fit (each settles at least the next two weeks of a block).
_MAX_PASSES = 12


def _fit(x: np.ndarray, y: np.ndarray, use: np.ndarray, bounds: tuple[np.ndarray, np.ndarray]
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per run, (intercept, slope, runs) of the least-squares line over the ``use`` runs in ``bounds``."""
    w = use.astype("int64")
    xs, ys = np.where(use, x, 0.0), np.where(use, y, 0.0)
    n = range_sum(w, *bounds)
    sx, sy = range_sum(xs, *bounds), range_sum(ys, *bounds)
    with np.errstate(divide="ignore", invalid="ignore"):
        sxx = range_sum(xs * xs, *bounds) - sx * sx / n
        sxy = range_sum(xs * ys, *bounds) - sx * sy / n
        slope = np.where(sxx / n > _MIN_SPEED_VARIANCE, sxy / sxx, 0.0)
        intercept = (sy - slope * sx) / n
    return intercept, slope, n


def cadence_columns(runs: pd.DataFrame, windows: RunWindows, config: Config) -> pd.DataFrame:
    """``cadence_predicted_spm``, ``cadence_drop_pct``, ``cadence_baseline`` and ``easy`` per run."""
    days = config.get("cadence_fit_days")
    bounds = windows.lagged(days, config.get("cadence_fit_lag_days"))
    speed = runs["run_speed_mps"].to_numpy()
    cadence = runs["cadence_spm"].to_numpy()
    usable = ~np.isnan(speed) & ~np.isnan(cadence) & (speed > 0)
    low, high = config.get("low_cadence_drop_pct"), config.get("cadence_outlier_pct")
    decimals = config.get("percent_decimals")
    baseline = usable
    for _ in range(_MAX_PASSES):
        intercept, slope, n = _fit(speed, cadence, baseline, bounds)
        enough = usable & (n >= config.get("cadence_fit_min_runs"))
        with np.errstate(divide="ignore", invalid="ignore"):
            predicted = np.where(enough, intercept + slope * speed, np.nan)
            drop = rounded(100.0 * (predicted - cadence) / predicted, decimals)
        outlier = (np.nan_to_num(drop, nan=-np.inf) >= low) | (np.nan_to_num(-drop, nan=-np.inf) >= high)
        settled = usable & ~outlier
        if np.array_equal(settled, baseline):
            break
        baseline = settled
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = 100.0 * (predicted - cadence) / predicted

    frame = pd.DataFrame({"code": runs["code"].to_numpy(), "instant": runs["instant"].to_numpy(),
                          "speed": np.where(speed > 0, speed, np.nan)})
    median_speed = (frame.groupby("code").rolling(f"{days}D", on="instant", closed="right")["speed"]
                    .median().to_numpy())
    return pd.DataFrame({
        "cadence_predicted_spm": predicted,
        "cadence_drop_pct": drop,
        "cadence_baseline": baseline,
        "easy": usable & (speed <= median_speed),
    }, index=runs.index)


def line_on(runs: pd.DataFrame, athlete: str, day: int, config: Config) -> dict[str, Any] | None:
    """The line that judges a run of ``athlete`` starting on ``day`` (days since the epoch), or None.

    ``runs`` is ``Analysis.runs``. Returns ``intercept`` (steps/min), ``slope`` (steps/min
    per m/s), ``runs`` (how many it rests on) and ``first``/``last`` (dates of the window).
    """
    days, lag = config.get("cadence_fit_days"), config.get("cadence_fit_lag_days")
    noon = (EPOCH + day).astype("datetime64[ns]") + np.timedelta64(12, "h")
    end = noon - np.timedelta64(lag, "D")
    start = end - np.timedelta64(days, "D")
    own = runs[(runs["athlete"] == athlete).to_numpy() & runs["cadence_baseline"].to_numpy()
               & (runs["instant"].to_numpy() >= start) & (runs["instant"].to_numpy() < end)]
    if len(own) < config.get("cadence_fit_min_runs"):
        return None
    x, y = own["run_speed_mps"].to_numpy(), own["cadence_spm"].to_numpy()
    everything = (np.zeros(1, dtype="int64"), np.full(1, len(own)))
    intercept, slope, n = _fit(x, y, np.ones(len(own), dtype=bool), everything)
    return {"intercept": float(intercept[0]), "slope": float(slope[0]), "runs": int(n[0]),
            "first": pd.Timestamp(start).date(), "last": pd.Timestamp(end).date()}


def pace(speed_mps: float) -> str:
    """Speed as a runner's pace: ``5:13 /km``."""
    seconds = round(1000.0 / speed_mps)
    return f"{seconds // 60}:{seconds % 60:02d} /km"


def _held(count: int, end_day: int, ongoing: bool, what: str) -> str:
    """`` It held on 13 runs, to 3 Sep.`` for a stretch of several runs, else nothing."""
    if count <= 1:
        return ""
    if ongoing:
        return f" It has held on {count} {what} so far (to {short_day(end_day)})."
    return f" It held on {count} {what}, to {short_day(end_day)}."


def _span(low: float, high: float) -> str:
    """``5–7`` (or ``7`` when both round alike)."""
    return f"{low:.0f}" if f"{low:.0f}" == f"{high:.0f}" else f"{low:.0f}–{high:.0f}"


def low_cadence(analysis: Analysis) -> pd.DataFrame:
    """``low_cadence`` (info): runs well below the athlete's own line; once per stretch, with its runs."""
    runs, config = analysis.runs, analysis.config
    threshold = config.get("low_cadence_drop_pct")
    drop = runs["cadence_drop_pct"].to_numpy()
    low = np.nan_to_num(rounded(drop, config.get("percent_decimals")), nan=-np.inf) >= threshold
    found = stretches(low, ~np.isnan(drop), runs["code"].to_numpy(), runs["day"].to_numpy(),
                      config.get("stretch_merge_days"))
    rows = runs.iloc[found.start]
    least, most = found.reduce(drop, np.minimum), found.reduce(drop, np.maximum)
    days, lag = config.get("cadence_fit_days"), config.get("cadence_fit_lag_days")
    messages = [
        f"Your cadence on this run was {c:.0f} steps/min, {pct(d)} below the {p:.0f} steps/min "
        f"that your own line (your runs of the {days} days to {lag} days before) predicts at this pace "
        f"({pace(s)})."
        + _held(n, end, ongoing, f"runs ({_span(lo, hi)} % below)")
        for c, d, p, s, n, end, ongoing, lo, hi in zip(
            rows["cadence_spm"], rows["cadence_drop_pct"], rows["cadence_predicted_spm"], rows["run_speed_mps"],
            found.count, found.end_day, found.ongoing, least, most, strict=True)
    ]
    return flag_frame("low_cadence", athlete=rows["athlete"], day=rows["day"].to_numpy(),
                      activity_id=rows["id"], value=rows["cadence_drop_pct"], threshold=threshold,
                      message=messages)


def cadence_hint(analysis: Analysis) -> pd.DataFrame:
    """``cadence_hint`` (info): easy runs below ``cadence_hint_spm``; once per stretch, with its runs.

    A gentle suggestion, not a warning: cadence near the hint would otherwise repeat it
    every other run.
    """
    runs, config = analysis.runs, analysis.config
    hint = np.broadcast_to(per_row(config, "cadence_hint_spm", runs["athlete"]), (len(runs),))
    judged = runs["easy"].to_numpy()
    below = judged & (runs["cadence_spm"].to_numpy() < hint)
    found = stretches(below, judged, runs["code"].to_numpy(), runs["day"].to_numpy(),
                      config.get("cadence_hint_repeat_days"))
    rows, limits = runs.iloc[found.start], hint[found.start]
    messages = [
        f"Your cadence on this easy run was {c:.0f} steps/min, below {h:.0f}. A step rate 5–10 % "
        f"higher at the same pace, for you about {c * 0.05:.0f}–{c * 0.10:.0f} more steps a minute, "
        f"lowers the load on the knee; change it gradually." + _held(n, end, ongoing, "easy runs")
        for c, h, n, end, ongoing in zip(rows["cadence_spm"], limits, found.count, found.end_day, found.ongoing,
                                         strict=True)
    ]
    return flag_frame("cadence_hint", athlete=rows["athlete"], day=rows["day"].to_numpy(),
                      activity_id=rows["id"], value=rows["cadence_spm"], threshold=limits,
                      message=messages)
