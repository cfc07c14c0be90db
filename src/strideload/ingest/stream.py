"""Normalise a reader's :class:`RawActivity` into an :class:`Activity`.

The per-second stream (``model.STREAM_COLUMNS``) is the raw samples interpolated onto a
1 s grid; pauses longer than :data:`MAX_GAP_S` are left as gaps rather than filled.
Summary totals prefer the device's own session totals (distance, timer, elapsed), and
fall back to the stream. Elevation totals always come from the smoothed profile
(:mod:`.terrain`), after implausible samples are dropped, counted for the sensor the device
has (:mod:`.devices`). Cadence is the median over the running part (:mod:`strideload.gait`);
``device_cadence_spm`` is the device's own average beside it. Local times follow
:mod:`.localtime`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone, tzinfo

import numpy as np
import pandas as pd

from ..config import Config
from ..effort import device_rpe
from ..errors import NoActivityError
from ..gait import GaitRule, running_mask
from ..model import RUNNING_SPORTS, STREAM_COLUMNS, Activity, RawActivity, sport_key
from . import devices, localtime, speeds, terrain
from . import surface as surfaces

#: Gaps between samples longer than this (s) are pauses: not interpolated, not moving.
MAX_GAP_S = 60.0
#: Below this speed (m/s) the athlete is standing, not moving.
MOVING_SPEED_MPS = 0.5
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Hints:
    """What the surroundings of a file say about it (e.g. a Strava ``activities.csv`` row)."""

    name: str | None = None
    sport: str | None = None
    rpe: float | None = None  #: RPE 0-10 (Strava's Perceived Exertion)


def haversine_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distances (m) between consecutive WGS84 points; first element 0, NaN-safe (NaN -> 0)."""
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    dlat, dlon = np.diff(lat_r), np.diff(lon_r)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat_r[:-1]) * np.cos(lat_r[1:]) * np.sin(dlon / 2) ** 2
    step = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return np.concatenate(([0.0], np.nan_to_num(step)))


def _cumulative_distance(samples: pd.DataFrame, seconds: np.ndarray) -> np.ndarray:
    """Device distance where recorded, else from coordinates, else integrated speed (m)."""
    dist = samples["distance_m"].to_numpy()
    if np.isfinite(dist).sum() >= 2:
        # measured from the session's first sample: chained multisport files keep counting
        filled = pd.Series(dist - dist[np.isfinite(dist)][0]).ffill().fillna(0.0).to_numpy()
        return np.maximum.accumulate(np.maximum(filled, 0.0))
    lat, lon = samples["latitude_deg"].to_numpy(), samples["longitude_deg"].to_numpy()
    if np.isfinite(lat).sum() >= 2:
        ok = np.isfinite(lat) & np.isfinite(lon)
        cum = np.full(len(lat), np.nan)
        cum[ok] = np.cumsum(haversine_m(lat[ok], lon[ok]))
        return np.maximum.accumulate(pd.Series(cum).ffill().fillna(0.0).to_numpy())
    speed = np.nan_to_num(samples["speed_mps"].to_numpy())
    dt = np.diff(seconds, prepend=seconds[0])
    dt[dt > MAX_GAP_S] = 0.0
    return np.cumsum(speed * dt)


def _grid(seconds: np.ndarray) -> np.ndarray:
    """1 s grid covering the samples, skipping gaps longer than MAX_GAP_S."""
    starts = np.concatenate(([0], np.nonzero(np.diff(seconds) > MAX_GAP_S)[0] + 1))
    ends = np.concatenate((starts[1:] - 1, [len(seconds) - 1]))
    parts = [np.arange(np.floor(seconds[s]), np.floor(seconds[e]) + 1) for s, e in zip(starts, ends, strict=True)]
    return np.unique(np.concatenate(parts))


def _interp(grid: np.ndarray, seconds: np.ndarray, values: np.ndarray) -> np.ndarray:
    ok = np.isfinite(values)
    if ok.sum() == 0:
        return np.full(len(grid), np.nan)
    if ok.sum() == 1:
        return np.full(len(grid), values[ok][0])
    return np.interp(grid, seconds[ok], values[ok])


def _held_back(grid: np.ndarray, seconds: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Step interpolation for channels that should not be averaged (cadence): each sample's
    value covers the seconds since the previous sample, as a device's own averages count it."""
    ok = np.isfinite(values)
    if not ok.any():
        return np.full(len(grid), np.nan)
    idx = np.searchsorted(seconds[ok], grid, side="left")
    return np.where(idx < ok.sum(), values[ok][np.clip(idx, None, ok.sum() - 1)], np.nan)


def build_stream(samples: pd.DataFrame) -> pd.DataFrame:
    """Per-second stream (``model.STREAM_COLUMNS``) from a reader's sample frame."""
    t0 = samples["time"].iloc[0]
    seconds = (samples["time"] - t0).dt.total_seconds().to_numpy()
    distance = _cumulative_distance(samples, seconds)
    grid = _grid(seconds)
    dist = np.maximum.accumulate(np.interp(grid, seconds, distance))
    device_speed = _interp(grid, seconds, samples["speed_mps"].to_numpy())
    derived = pd.Series(np.gradient(dist, grid) if len(grid) > 1 else np.zeros(len(grid)))
    derived = derived.rolling(5, center=True, min_periods=1).mean().to_numpy()
    speed = np.where(np.isfinite(device_speed), device_speed, derived)
    in_gap = np.isin(grid, grid[np.nonzero(np.diff(grid) > 1)[0]])  # last second before a pause
    stream = pd.DataFrame({
        "time": t0 + pd.to_timedelta(grid, unit="s"),
        "elapsed_s": grid,
        "moving": (speed >= MOVING_SPEED_MPS) & ~in_gap,
        "distance_m": dist,
        "speed_mps": speed,
        "elevation_m": _interp(grid, seconds, samples["elevation_m"].to_numpy()),
        "elevation_smooth_m": np.nan,
        "grade_pct": np.nan,
        "cadence_spm": _held_back(grid, seconds, samples["cadence_spm"].to_numpy()),
        "heart_rate_bpm": _interp(grid, seconds, samples["heart_rate_bpm"].to_numpy()),
        "latitude_deg": _interp(grid, seconds, samples["latitude_deg"].to_numpy()),
        "longitude_deg": _interp(grid, seconds, samples["longitude_deg"].to_numpy()),
    })
    return speeds.remove_gps_spikes(stream)


def empty_stream() -> pd.DataFrame:
    """A stream with every column and no rows (an activity known only by its totals)."""
    frame = pd.DataFrame({name: pd.Series(dtype="float64") for name in STREAM_COLUMNS})
    frame["time"] = pd.Series(dtype="datetime64[ns, UTC]")
    frame["moving"] = pd.Series(dtype=bool)
    return frame


def is_running(sport: str | None, stream: pd.DataFrame) -> bool:
    """Running load? From the stated sport; when the file states none, from the stream."""
    if sport:
        return sport_key(sport) in RUNNING_SPORTS
    moving = stream[stream["moving"]]
    if len(moving) < 60:
        return False
    speed = float(moving["speed_mps"].median())
    cadence = moving["cadence_spm"]
    if cadence.notna().mean() > 0.5:
        return 140 <= float(cadence.median()) <= 220 and 1.6 <= speed <= 6.5
    return 1.9 <= speed <= 5.0


def gps_extent_m(stream: pd.DataFrame) -> float:
    """How far (m) the GPS positions get from the first one; 0 without positions."""
    lat, lon = stream["latitude_deg"].to_numpy(dtype=float), stream["longitude_deg"].to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if ok.sum() < 2:
        return 0.0
    lat_r, lon_r = np.radians(lat[ok]), np.radians(lon[ok])
    a = np.sin((lat_r - lat_r[0]) / 2) ** 2 + np.cos(lat_r[0]) * np.cos(lat_r) * np.sin((lon_r - lon_r[0]) / 2) ** 2
    return float(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1))).max())


def _first(*values: float | None) -> float | None:
    for value in values:
        if value is not None and np.isfinite(value):
            return float(value)
    return None


def plausible_samples(samples: pd.DataFrame, config: Config) -> pd.DataFrame:
    """``samples`` with elevations that cannot be terrain set to NaN (:func:`.terrain.plausible_elevation`)."""
    elevation = samples["elevation_m"].to_numpy(dtype=float)
    if not np.isfinite(elevation).any():
        return samples
    seconds = (samples["time"] - samples["time"].iloc[0]).dt.total_seconds().to_numpy()
    cleaned = terrain.plausible_elevation(seconds, elevation, lowest_m=config.get("elevation_min_m"),
                                          highest_m=config.get("elevation_max_m"),
                                          jump_m=config.get("elevation_jump_m"), within_s=MAX_GAP_S)
    return samples.assign(elevation_m=cleaned)


def normalise(raw: RawActivity, *, athlete: str, sha256: str, source_path: str,
              zone: tzinfo | None = None, hints: Hints | None = None, config: Config | None = None) -> Activity:
    """Turn one reader session into an :class:`Activity` (summary + per-second stream).

    ``zone`` is the athlete's configured zone (None: ``config``'s for ``athlete``, else none);
    :mod:`.localtime` decides which zone the run's local times are in.
    """
    hints = hints or Hints()
    config = config or Config()
    if zone is None:
        zone = config.timezone(athlete)
    samples = plausible_samples(raw.samples, config) if len(raw.samples) else raw.samples
    if len(samples) >= 2:
        stream = build_stream(samples)
    elif raw.totals.distance_m is not None or raw.totals.timer_s is not None:
        stream = empty_stream()
    else:
        raise NoActivityError("no samples and no session totals: nothing to import", path=source_path)
    start = raw.start_time or (samples["time"].iloc[0].to_pydatetime() if len(samples) else None)
    if start is None:
        raise NoActivityError("no start time: cannot count as dated training", path=source_path)
    configured = getattr(zone, "key", None) or (str(zone) if zone is not None else None)
    local_zone = localtime.decide(raw.utc_offset_s, *localtime.first_fix(samples), configured)
    local = local_zone.localise(start.astimezone(timezone.utc))
    sport = hints.sport or raw.sport
    name = hints.name or raw.name

    prof = terrain.profile(stream["distance_m"].to_numpy(float), stream["elevation_m"].to_numpy(float),
                           devices.elevation_sensor(raw.device)) if len(stream) else None
    if prof is not None:
        stream["elevation_smooth_m"] = np.interp(stream["distance_m"], prof.distance_m, prof.elevation_m)
        stream["grade_pct"] = np.interp(stream["distance_m"], prof.distance_m, prof.grade_pct)

    running = is_running(sport, stream)
    run_part = stream[running_mask(stream, GaitRule.from_config(config, athlete))] if len(stream) else stream
    cadence = run_part["cadence_spm"] if len(run_part) else pd.Series(dtype=float)
    cadence = cadence[cadence > 0]
    moving_s = float(stream["moving"].sum()) if len(stream) else None
    distance = _first(raw.totals.distance_m, stream["distance_m"].iloc[-1] if len(stream) else None)
    timer = _first(raw.totals.timer_s, moving_s)
    has_gps = bool(len(stream)) and bool(stream["latitude_deg"].notna().any())
    surface, surface_source = surfaces.classify(
        sub_sport=raw.sub_sport, sport=sport, name=name, has_gps=has_gps, has_distance=bool(distance),
        gps_moved=has_gps and gps_extent_m(stream) >= config.get("surface_gps_min_extent_m"))
    summary = {
        "id": sha256[:16] + (f".{raw.session_index}" if raw.session_index else ""),
        "athlete": athlete,
        "sport": sport.lower() if sport else None,
        "sub_sport": raw.sub_sport.lower() if raw.sub_sport else None,
        "running": running,
        "surface": surface if running else "unknown",
        "surface_source": surface_source if running else "not a run",
        "start_time": local.isoformat(),
        "local_date": local.date().isoformat(),
        "timezone": local_zone.name,
        "timezone_source": local_zone.source,
        "distance_m": distance or 0.0,
        "timer_s": timer,
        "elapsed_s": _first(raw.totals.elapsed_s, stream["elapsed_s"].iloc[-1] if len(stream) else None),
        "ascent_m": prof.ascent_m if prof else None,
        "descent_m": prof.descent_m if prof else None,
        "elevation_source": prof.sensor if prof else "none",
        "downhill_5pct_m": prof.downhill_5pct_m if prof else None,
        "downhill_10pct_m": prof.downhill_10pct_m if prof else None,
        "cadence_spm": float(cadence.median()) if len(cadence) else None,
        "device_cadence_spm": _first(raw.totals.cadence_spm),
        "avg_speed_mps": distance / timer if distance and timer else None,
        **speeds.speed_fields(stream, run_part),
        "device": raw.device,
        "samples": len(raw.samples),
        "format": raw.format,
        "source_path": source_path,
        "sha256": sha256,
        "name": name,
        "rpe": device_rpe(hints.rpe) or device_rpe(raw.totals.rpe),
    }
    return Activity(summary=summary, stream=stream)
