"""Cadence against the athlete's own normal (``low_cadence``) and the gentler ``cadence_hint``.

Cadence rises with speed, so a fixed threshold mislabels slow runners. For each run with a
cadence and a speed:

* personal check: a straight line ``cadence = a + b · speed`` is fitted by least squares to
  the athlete's runs that started in the ``cadence_fit_days`` (60) before it, when there are
  at least ``cadence_fit_min_runs`` (5) of them (when all of them had the same speed the
  line is flat at their mean cadence). ``cadence_drop_pct = 100 · (predicted − cadence) /
  predicted``; ``low_cadence`` (info) when it is at least ``low_cadence_drop_pct`` (5 %);
* absolute hint: a run is at **easy pace** when its speed is at or below the median speed
  of the athlete's runs in the ``cadence_fit_days`` up to and including it. An easy run
  whose cadence is below ``cadence_hint_spm`` (166, per athlete) raises a ``cadence_hint``
  (info) suggesting a 5–10 % increase, at most once every ``cadence_hint_repeat_days``
  (28). No fixed target is ever suggested.

Runs without cadence data take no part in either check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import Config
from .flags import flag_frame, pct
from .runs import RunWindows, per_row, range_sum

if TYPE_CHECKING:
    from .analysis import Analysis

#: Speeds varying less than this ((m/s)², variance) cannot support a slope.
_MIN_SPEED_VARIANCE = 1e-6


def cadence_columns(runs: pd.DataFrame, windows: RunWindows, config: Config) -> pd.DataFrame:
    """``cadence_predicted_spm``, ``cadence_drop_pct`` and ``easy`` per run."""
    days = config.get("cadence_fit_days")
    speed = runs["speed_mps"].to_numpy()
    cadence = runs["cadence_spm"].to_numpy()
    usable = ~np.isnan(speed) & ~np.isnan(cadence) & (speed > 0)
    x = np.where(usable, speed, 0.0)
    y = np.where(usable, cadence, 0.0)
    bounds = windows.before(days)
    n = range_sum(usable.astype("int64"), *bounds)
    sx, sy = range_sum(x, *bounds), range_sum(y, *bounds)
    with np.errstate(divide="ignore", invalid="ignore"):
        sxx = range_sum(x * x, *bounds) - sx * sx / n
        sxy = range_sum(x * y, *bounds) - sx * sy / n
        slope = np.where(sxx / n > _MIN_SPEED_VARIANCE, sxy / sxx, 0.0)
        predicted = (sy - slope * sx) / n + slope * speed
        predicted = np.where(usable & (n >= config.get("cadence_fit_min_runs")), predicted, np.nan)
        drop = 100.0 * (predicted - cadence) / predicted

    frame = pd.DataFrame({"code": runs["code"].to_numpy(), "instant": runs["instant"].to_numpy(),
                          "speed": np.where(speed > 0, speed, np.nan)})
    median_speed = (frame.groupby("code").rolling(f"{days}D", on="instant", closed="right")["speed"]
                    .median().to_numpy())
    return pd.DataFrame({
        "cadence_predicted_spm": predicted,
        "cadence_drop_pct": drop,
        "easy": usable & (speed <= median_speed),
    }, index=runs.index)


def pace(speed_mps: float) -> str:
    """Speed as a runner's pace: ``5:13 /km``."""
    seconds = round(1000.0 / speed_mps)
    return f"{seconds // 60}:{seconds % 60:02d} /km"


def low_cadence(analysis: Analysis) -> pd.DataFrame:
    """``low_cadence`` (info): a run's cadence well below what the athlete's own line predicts."""
    runs, config = analysis.runs, analysis.config
    threshold = config.get("low_cadence_drop_pct")
    hit = np.nan_to_num(runs["cadence_drop_pct"].to_numpy(), nan=-np.inf) >= threshold
    rows = runs[hit]
    days = config.get("cadence_fit_days")
    messages = [
        f"Your cadence on this run was {c:.0f} steps/min, {pct(d)} below the {p:.0f} steps/min "
        f"that your runs of the previous {days} days predict at this pace ({pace(s)})."
        for c, d, p, s in zip(rows["cadence_spm"], rows["cadence_drop_pct"], rows["cadence_predicted_spm"],
                              rows["speed_mps"], strict=True)
    ]
    return flag_frame("low_cadence", athlete=rows["athlete"], day=rows["day"].to_numpy(),
                      activity_id=rows["id"], value=rows["cadence_drop_pct"], threshold=threshold,
                      message=messages)


def cadence_hint(analysis: Analysis) -> pd.DataFrame:
    """``cadence_hint`` (info): an easy run below ``cadence_hint_spm``.

    A gentle suggestion, not a warning: at most one every ``cadence_hint_repeat_days`` per
    athlete (cadence near the hint would otherwise repeat it every other run).
    """
    runs, config = analysis.runs, analysis.config
    candidates = runs[runs["easy"].to_numpy()]
    hint = np.broadcast_to(per_row(config, "cadence_hint_spm", candidates["athlete"]), (len(candidates),))
    below = candidates["cadence_spm"].to_numpy() < hint
    candidates, hint = candidates[below], hint[below]
    repeat = config.get("cadence_hint_repeat_days")
    chosen, last_code, last_day = [], -1, 0
    for i, (code, day) in enumerate(zip(candidates["code"].tolist(), candidates["day"].tolist(), strict=True)):
        if code != last_code or day - last_day >= repeat:
            chosen.append(i)
            last_code, last_day = code, day
    rows, limits = candidates.iloc[chosen], hint[chosen]
    messages = [
        f"Your cadence on this easy run was {c:.0f} steps/min, below {h:.0f}. A step rate 5–10 % "
        f"higher at the same pace, for you about {c * 0.05:.0f}–{c * 0.10:.0f} more steps a minute, "
        f"lowers the load on the knee; change it gradually."
        for c, h in zip(rows["cadence_spm"], limits, strict=True)
    ]
    return flag_frame("cadence_hint", athlete=rows["athlete"], day=rows["day"].to_numpy(),
                      activity_id=rows["id"], value=rows["cadence_spm"], threshold=limits,
                      message=messages)
