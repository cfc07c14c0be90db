"""A reader's samples onto a 1 s grid, in numpy: the per-second stream's columns.

Works on plain arrays, not frames: one activity takes a few dozen array operations, and on
a 1 h run each costs microseconds in numpy against tens of microseconds through pandas
(``benchmarks/bench_import.py`` measures the whole import). :func:`sample_arrays` takes the
columns out of a sample frame once; :func:`stream_arrays` gives the stream's columns
(``model.STREAM_COLUMNS``), time as int64 nanoseconds since the epoch (UTC).

Pauses longer than :data:`MAX_GAP_S` are left as gaps rather than filled; distance is the
device's where recorded, else from the coordinates, else integrated speed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..model import RAW_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

#: Gaps between samples longer than this (s) are pauses: not interpolated, not moving.
MAX_GAP_S = 60.0
#: Below this speed (m/s) the athlete is standing, not moving.
MOVING_SPEED_MPS = 0.5
EARTH_RADIUS_M = 6_371_008.8
#: The derived speed is the distance's gradient averaged over this many seconds, centred.
SMOOTHING_S = 5

Arrays = dict[str, np.ndarray]


def sample_arrays(samples: pd.DataFrame) -> Arrays:
    """The columns of a sample frame (``model.RAW_COLUMNS``) as float64 arrays; ``time`` as
    int64 nanoseconds since the epoch (UTC)."""
    arrays = {name: samples[name].to_numpy(dtype="float64") for name in RAW_COLUMNS if name != "time"}
    arrays["time"] = samples["time"].to_numpy(dtype="datetime64[ns]").view("int64")
    return arrays


def seconds_since_start(time_ns: np.ndarray) -> np.ndarray:
    """Seconds (float) of each timestamp (int64 ns) since the first."""
    return (time_ns - time_ns[0]) / 1e9


def haversine_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distances (m) between consecutive WGS84 points; first element 0, NaN-safe (NaN -> 0)."""
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    dlat, dlon = np.diff(lat_r), np.diff(lon_r)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat_r[:-1]) * np.cos(lat_r[1:]) * np.sin(dlon / 2) ** 2
    step = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return np.concatenate(([0.0], np.nan_to_num(step)))


def forward_filled(values: np.ndarray, first: float = 0.0) -> np.ndarray:
    """``values`` with each NaN replaced by the last finite value before it (``first`` before any)."""
    ok = np.isfinite(values)
    if ok.all():
        return values
    index = np.where(ok, np.arange(len(values)), 0)
    np.maximum.accumulate(index, out=index)
    filled = values[index]
    filled[~ok & (np.cumsum(ok) == 0)] = first
    return filled


def cumulative_distance(arrays: Arrays, seconds: np.ndarray) -> np.ndarray:
    """Device distance where recorded, else from coordinates, else integrated speed (m)."""
    dist = arrays["distance_m"]
    finite = np.isfinite(dist)
    if finite.sum() >= 2:
        # measured from the session's first sample: chained multisport files keep counting
        filled = forward_filled(dist - dist[finite][0])
        return np.maximum.accumulate(np.maximum(filled, 0.0))
    lat, lon = arrays["latitude_deg"], arrays["longitude_deg"]
    if np.isfinite(lat).sum() >= 2:
        ok = np.isfinite(lat) & np.isfinite(lon)
        cum = np.full(len(lat), np.nan)
        cum[ok] = np.cumsum(haversine_m(lat[ok], lon[ok]))
        return np.maximum.accumulate(forward_filled(cum))
    speed = np.nan_to_num(arrays["speed_mps"])
    dt = np.diff(seconds, prepend=seconds[0])
    dt[dt > MAX_GAP_S] = 0.0
    return np.cumsum(speed * dt)


def grid(seconds: np.ndarray) -> np.ndarray:
    """1 s grid covering the samples, skipping gaps longer than MAX_GAP_S."""
    starts = np.concatenate(([0], np.nonzero(np.diff(seconds) > MAX_GAP_S)[0] + 1))
    ends = np.concatenate((starts[1:] - 1, [len(seconds) - 1]))
    parts = [np.arange(np.floor(seconds[s]), np.floor(seconds[e]) + 1) for s, e in zip(starts, ends, strict=True)]
    return np.unique(np.concatenate(parts))


def interpolated(on: np.ndarray, seconds: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` (at ``seconds``) linearly interpolated onto ``on``; constant with one finite value."""
    ok = np.isfinite(values)
    count = int(ok.sum())
    if count == 0:
        return np.full(len(on), np.nan)
    if count == 1:
        return np.full(len(on), values[ok][0])
    if count == len(values):
        return np.interp(on, seconds, values)
    return np.interp(on, seconds[ok], values[ok])


def held_back(on: np.ndarray, seconds: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Step interpolation for channels that should not be averaged (cadence): each sample's
    value covers the seconds since the previous sample, as a device's own averages count it."""
    ok = np.isfinite(values)
    count = int(ok.sum())
    if not count:
        return np.full(len(on), np.nan)
    idx = np.searchsorted(seconds[ok], on, side="left")
    return np.where(idx < count, values[ok][np.clip(idx, None, count - 1)], np.nan)


def centred_mean(values: np.ndarray, width: int = SMOOTHING_S) -> np.ndarray:
    """Mean over a centred window of ``width`` rows (fewer at the ends); ``values`` finite."""
    half = width // 2
    total = np.concatenate(([0.0], np.cumsum(values)))
    rows = np.arange(len(values))
    lo, hi = np.clip(rows - half, 0, len(values)), np.clip(rows + half + 1, 0, len(values))
    return (total[hi] - total[lo]) / (hi - lo)


def stream_arrays(arrays: Arrays) -> Arrays:
    """The per-second stream's columns (``model.STREAM_COLUMNS``; ``time`` as int64 ns) from
    at least two samples' :func:`sample_arrays`, before GPS spikes are removed."""
    time_ns = arrays["time"]
    seconds = seconds_since_start(time_ns)
    distance = cumulative_distance(arrays, seconds)
    on = grid(seconds)
    dist = np.maximum.accumulate(np.interp(on, seconds, distance))
    device_speed = interpolated(on, seconds, arrays["speed_mps"])
    derived = centred_mean(np.gradient(dist, on)) if len(on) > 1 else np.zeros(len(on))
    speed = np.where(np.isfinite(device_speed), device_speed, derived)
    in_gap = np.zeros(len(on), dtype=bool)  # the last second before a pause
    in_gap[:-1] = np.diff(on) > 1
    nan = np.full(len(on), np.nan)
    return {
        "time": time_ns[0] + (on * 1e9).astype("int64"),
        "elapsed_s": on,
        "moving": (speed >= MOVING_SPEED_MPS) & ~in_gap,
        "distance_m": dist,
        "speed_mps": speed,
        "elevation_m": interpolated(on, seconds, arrays["elevation_m"]),
        "elevation_smooth_m": nan,
        "grade_pct": nan.copy(),
        "cadence_spm": held_back(on, seconds, arrays["cadence_spm"]),
        "heart_rate_bpm": interpolated(on, seconds, arrays["heart_rate_bpm"]),
        "latitude_deg": interpolated(on, seconds, arrays["latitude_deg"]),
        "longitude_deg": interpolated(on, seconds, arrays["longitude_deg"]),
    }
