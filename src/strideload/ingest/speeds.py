"""GPS spikes out of the per-second stream, and the speeds a run is judged by.

A GPS fix that jumps a few hundred metres and back, or a device speed that reads 50 m/s
for three seconds, is a glitch inside a real run: it would add distance, grade and speed
that never happened. :func:`without_spikes` (on a stream's columns as arrays) finds each stretch of at most
:data:`SPIKE_MAX_S` seconds faster than :data:`SPIKE_SPEED_MPS` and than
:data:`SPIKE_RATIO` times the activity's median moving speed (by the speed channel, the
distance channel or the positions), and replaces it by what the seconds around it say:
speed and positions interpolated, and where the distance itself jumped, the straight line
from the position before the stretch to the one after it (an excursion out and back adds
nothing; a fix that settles somewhere new keeps its distance), else the interpolated
speed. How many were removed goes into the activity's summary. Longer fast stretches (a watch left on in a car) are not
glitches of a second or two: they stay, and the analysis judges the whole run
(``strideload.analyze.quality``).

:func:`speed_fields` gives the summary's ``run_speed_mps`` (median speed over the running
part, what the cadence line is fitted on), ``sustained_speed_mps`` (the fastest 60 s) and
``gps_spikes_removed``.

The limits are import-time constants, like the pause and walking limits of
:mod:`.stream` (the reader does not see the settings); their reasoning is in
``evidence/plausibility.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .resample import Arrays

#: Faster than the fastest human sprint (about 12.4 m/s at its peak), in m/s ...
SPIKE_SPEED_MPS = 12.0
#: ... and this many times the activity's median moving speed (a ride's 13 m/s is no spike).
SPIKE_RATIO = 3.0
#: A fast stretch of at most this many seconds is a spike; longer ones are kept.
SPIKE_MAX_S = 10
#: ``sustained_speed_mps`` is the best average over this many seconds.
SUSTAINED_S = 60
_EARTH_RADIUS_M = 6_371_008.8


def _step_speed(seconds: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per row, the change of a cumulative quantity since the previous row per second (0 for the first)."""
    dt = np.diff(seconds, prepend=seconds[:1])
    dv = np.diff(values, prepend=values[:1])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dt > 0, dv / dt, 0.0)


def _position_speed(seconds: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Per row, the straight-line speed (m/s) from the previous row's position; NaN-safe (0)."""
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    a = (np.sin(np.diff(lat_r, prepend=lat_r[:1]) / 2) ** 2
         + np.cos(lat_r) * np.cos(np.concatenate((lat_r[:1], lat_r[:-1])))
         * np.sin(np.diff(lon_r, prepend=lon_r[:1]) / 2) ** 2)
    step = 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(np.nan_to_num(a), 0, 1)))
    return _step_speed(seconds, np.cumsum(step))


def _stretches(flag: np.ndarray) -> list[tuple[int, int]]:
    """``(first, last)`` row of each run of consecutive True values."""
    edges = np.diff(np.concatenate(([0], flag.astype("int8"), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), (np.flatnonzero(edges == -1) - 1).tolist()))


def _fill(values: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """``values`` with the ``bad`` rows interpolated from the good finite ones around them."""
    good = ~bad & np.isfinite(values)
    if not good.any():
        return values
    rows = np.arange(len(values))
    out = values.copy()
    out[bad] = np.interp(rows[bad], rows[good], values[good])
    return out


def without_spikes(columns: Arrays) -> tuple[Arrays, int]:
    """Stream columns (``model.STREAM_COLUMNS`` as arrays, :mod:`.resample`) without their GPS
    spikes, and how many were removed. ``columns`` is not changed."""
    seconds, speed, distance = columns["elapsed_s"], columns["speed_mps"], columns["distance_m"]
    lat, lon = columns["latitude_deg"], columns["longitude_deg"]
    if len(seconds) < 3:
        return columns, 0
    moving = np.nan_to_num(speed)
    moving = moving[moving >= 0.5]
    limit = max(SPIKE_SPEED_MPS, SPIKE_RATIO * float(np.median(moving))) if len(moving) else SPIKE_SPEED_MPS
    jumped = _step_speed(seconds, distance) > limit
    fast = (np.nan_to_num(speed) > limit) | jumped | (_position_speed(seconds, lat, lon) > limit)
    spikes = [(a, b) for a, b in _stretches(fast) if seconds[b] - seconds[a] + 1 <= SPIKE_MAX_S]
    if not spikes:
        return columns, 0
    bad = np.zeros(len(seconds), dtype=bool)
    for a, b in spikes:
        bad[a:b + 1] = True
    speed = _fill(np.where(np.isfinite(speed), speed, 0.0), bad)
    step = np.diff(distance, prepend=distance[:1])
    dt = np.diff(seconds, prepend=seconds[:1])
    for a, b in spikes:
        if not jumped[a:b + 1].any():
            continue  # the distance did not move: only the speed or the positions were off
        if 0 < a and np.isfinite([lat[a - 1], lon[a - 1], lat[b], lon[b]]).all():
            # Where the runner was before and after: an excursion out and back adds nothing, a
            # position that settles somewhere new (a fix after the signal came back) keeps it.
            moved = _position_speed(np.array([0.0, 1.0]), lat[[a - 1, b]], lon[[a - 1, b]])[1]
            step[a:b + 1] = moved * dt[a:b + 1] / dt[a:b + 1].sum()
        else:
            step[a:b + 1] = np.minimum(speed[a:b + 1], limit) * dt[a:b + 1]
    cleaned = dict(columns)
    cleaned["speed_mps"] = speed
    cleaned["distance_m"] = distance[0] + np.cumsum(step)
    cleaned["latitude_deg"] = _fill(lat, bad)
    cleaned["longitude_deg"] = _fill(lon, bad)
    return cleaned, len(spikes)


def sustained_speed(elapsed_s: np.ndarray, distance_m: np.ndarray, seconds: int = SUSTAINED_S) -> float | None:
    """The best average speed (m/s) over ``seconds`` without a pause; ``None`` for shorter streams."""
    if len(elapsed_s) < 2:
        return None
    end = np.searchsorted(elapsed_s, elapsed_s + seconds, side="left")
    ok = end < len(elapsed_s)
    start = np.flatnonzero(ok)
    end = end[ok]
    ok = elapsed_s[end] - elapsed_s[start] == seconds  # a gap (pause) inside would make it longer
    if not ok.any():
        return None
    return float(np.nanmax(distance_m[end[ok]] - distance_m[start[ok]]) / seconds)


def speed_fields(columns: Arrays, running: np.ndarray, spikes_removed: int) -> dict[str, Any]:
    """``run_speed_mps``, ``sustained_speed_mps`` and ``gps_spikes_removed`` of a normalised
    stream's columns; ``running`` flags its running seconds (:func:`strideload.gait.running_flags`)."""
    if not len(columns["elapsed_s"]):
        return {"run_speed_mps": None, "sustained_speed_mps": None, "gps_spikes_removed": None}
    run_speed = columns["speed_mps"][running]
    run_speed = run_speed[~np.isnan(run_speed)]
    return {
        "run_speed_mps": float(np.median(run_speed)) if len(run_speed) else None,
        "sustained_speed_mps": sustained_speed(columns["elapsed_s"], columns["distance_m"]),
        "gps_spikes_removed": int(spikes_removed),
    }
