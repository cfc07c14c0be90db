"""Normalise a reader's :class:`RawActivity` into an :class:`Activity`.

The per-second stream (``model.STREAM_COLUMNS``) is the raw samples interpolated onto a
1 s grid; pauses longer than :data:`MAX_GAP_S` are left as gaps rather than filled.
The work is done on the columns as numpy arrays (:mod:`.resample`), and the stream frame built
once at the end. Summary totals prefer the device's own session totals (distance, timer, elapsed), and
fall back to the stream. Elevation totals always come from the smoothed profile
(:mod:`.terrain`), after implausible samples are dropped, counted for the sensor the device
has (:mod:`.devices`). Cadence is the median over the running part (:mod:`strideload.gait`);
``device_cadence_spm`` is the device's own average beside it. Local times follow
:mod:`.localtime`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone, tzinfo
from typing import TYPE_CHECKING

import numpy as np

from ..config import Config
from ..effort import device_rpe
from ..errors import NoActivityError
from ..gait import GaitRule, running_flags
from ..model import RUNNING_SPORTS, Activity, RawActivity, empty_stream_columns, sport_key, stream_frame
from . import devices, localtime, resample, speeds, terrain
from . import surface as surfaces
from .resample import EARTH_RADIUS_M, MAX_GAP_S, MOVING_SPEED_MPS, Arrays, haversine_m

if TYPE_CHECKING:  # pandas only where a frame is asked for: an import worker never loads it
    import pandas as pd

__all__ = ["EARTH_RADIUS_M", "MAX_GAP_S", "MOVING_SPEED_MPS", "Hints", "build_stream",
           "gps_extent_m", "haversine_m", "is_running", "normalise", "plausible_samples"]

#: A stream as a frame, or its columns as arrays: what the checks below read alike.
StreamLike = "pd.DataFrame | Arrays"


@dataclass(frozen=True)
class Hints:
    """What the surroundings of a file say about it (e.g. a Strava ``activities.csv`` row)."""

    name: str | None = None
    sport: str | None = None
    rpe: float | None = None  #: RPE 0-10 (Strava's Perceived Exertion)


def build_stream(samples: pd.DataFrame) -> pd.DataFrame:
    """Per-second stream (``model.STREAM_COLUMNS``) from a reader's sample frame (two samples
    or more), GPS spikes removed (their count in ``attrs["gps_spikes_removed"]``)."""
    columns, removed = speeds.without_spikes(resample.stream_arrays(resample.sample_arrays(samples)))
    stream = stream_frame(columns)
    stream.attrs["gps_spikes_removed"] = removed
    return stream


def is_running(sport: str | None, stream: StreamLike) -> bool:
    """Running load? From the stated sport; when the file states none, from the stream (a frame
    or its columns as arrays)."""
    if sport:
        return sport_key(sport) in RUNNING_SPORTS
    moving = np.asarray(stream["moving"], dtype=bool)
    if moving.sum() < 60:
        return False
    speeds_mps = np.asarray(stream["speed_mps"], dtype=float)[moving]
    speeds_mps = speeds_mps[~np.isnan(speeds_mps)]
    speed = float(np.median(speeds_mps)) if len(speeds_mps) else float("nan")
    cadence = np.asarray(stream["cadence_spm"], dtype=float)[moving]
    recorded = cadence[~np.isnan(cadence)]
    if len(recorded) > 0.5 * len(cadence):
        return 140 <= float(np.median(recorded)) <= 220 and 1.6 <= speed <= 6.5
    return 1.9 <= speed <= 5.0


def gps_extent_m(stream: StreamLike) -> float:
    """How far (m) the GPS positions get from the first one; 0 without positions."""
    lat, lon = np.asarray(stream["latitude_deg"], dtype=float), np.asarray(stream["longitude_deg"], dtype=float)
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


def plausible_samples(samples: Arrays, config: Config) -> Arrays:
    """``samples`` (:func:`.resample.sample_arrays`) with elevations that cannot be terrain set
    to NaN (:func:`.terrain.plausible_elevation`)."""
    elevation = samples["elevation_m"]
    if not np.isfinite(elevation).any():
        return samples
    cleaned = terrain.plausible_elevation(resample.seconds_since_start(samples["time"]), elevation,
                                          lowest_m=config.get("elevation_min_m"),
                                          highest_m=config.get("elevation_max_m"),
                                          jump_m=config.get("elevation_jump_m"), within_s=MAX_GAP_S)
    return {**samples, "elevation_m": cleaned}


def _stream_columns(raw: RawActivity, config: Config, source_path: str) -> tuple[Arrays, int]:
    """The stream's columns (empty for a file known by its totals) and the GPS spikes removed."""
    if raw.sample_count >= 2:
        samples = plausible_samples(raw.columns, config)
        return speeds.without_spikes(resample.stream_arrays(samples))
    if raw.totals.distance_m is not None or raw.totals.timer_s is not None:
        return empty_stream_columns(), 0
    raise NoActivityError("no samples and no session totals: nothing to import", path=source_path)


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
    columns, spikes_removed = _stream_columns(raw, config, source_path)
    start = raw.start_time or raw.first_time()
    if start is None:
        raise NoActivityError("no start time: cannot count as dated training", path=source_path)
    configured = getattr(zone, "key", None) or (str(zone) if zone is not None else None)
    local_zone = localtime.decide(raw.utc_offset_s, *localtime.first_fix(raw.columns), configured)
    local = local_zone.localise(start.astimezone(timezone.utc))
    sport = hints.sport or raw.sport
    name = hints.name or raw.name

    rows = len(columns["elapsed_s"])
    distance_m = columns["distance_m"]
    prof = terrain.profile(distance_m, columns["elevation_m"], devices.elevation_sensor(raw.device)) if rows else None
    if prof is not None:
        columns["elevation_smooth_m"] = np.interp(distance_m, prof.distance_m, prof.elevation_m)
        columns["grade_pct"] = np.interp(distance_m, prof.distance_m, prof.grade_pct)

    running = is_running(sport, columns)
    run_seconds = running_flags(columns["cadence_spm"], columns["speed_mps"], columns["moving"],
                                GaitRule.from_config(config, athlete))
    cadence = columns["cadence_spm"][run_seconds]
    cadence = cadence[cadence > 0]
    moving_s = float(columns["moving"].sum()) if rows else None
    distance = _first(raw.totals.distance_m, distance_m[-1] if rows else None)
    timer = _first(raw.totals.timer_s, moving_s)
    has_gps = bool(rows) and bool((~np.isnan(columns["latitude_deg"])).any())
    surface, surface_source = surfaces.classify(
        sub_sport=raw.sub_sport, sport=sport, name=name, has_gps=has_gps, has_distance=bool(distance),
        gps_moved=has_gps and gps_extent_m(columns) >= config.get("surface_gps_min_extent_m"))
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
        "elapsed_s": _first(raw.totals.elapsed_s, columns["elapsed_s"][-1] if rows else None),
        "ascent_m": prof.ascent_m if prof else None,
        "descent_m": prof.descent_m if prof else None,
        "elevation_source": prof.sensor if prof else "none",
        "downhill_5pct_m": prof.downhill_5pct_m if prof else None,
        "downhill_10pct_m": prof.downhill_10pct_m if prof else None,
        "cadence_spm": float(np.median(cadence)) if len(cadence) else None,
        "device_cadence_spm": _first(raw.totals.cadence_spm),
        "avg_speed_mps": distance / timer if distance and timer else None,
        **speeds.speed_fields(columns, run_seconds, spikes_removed),
        "device": raw.device,
        "samples": raw.sample_count,
        "format": raw.format,
        "source_path": source_path,
        "sha256": sha256,
        "name": name,
        "rpe": device_rpe(hints.rpe) or device_rpe(raw.totals.rpe),
    }
    return Activity(summary=summary, columns=columns)
