"""Elevation profile: smooth by distance, then ascent, descent and downhill distance.

Raw elevation is noisy (GPS worst, barometric ±0.3 m and 0.2 m quantisation), so nothing
is computed from raw sample differences (science.md, "Elevation"):

1. resample elevation against distance every :data:`STEP_M` metres;
2. smooth with a centred moving average over :data:`SMOOTH_M` metres;
3. grade is the slope of that profile over :data:`GRADE_BASE_M` metres, and
   ``downhill_5pct_m`` / ``downhill_10pct_m`` sum the distance run at grade ≤ −5 % / −10 %;
4. ascent and descent are counted between turning points with a hysteresis that suits the
   sensor: on a barometric profile, a light :data:`CLIMB_SMOOTH_M` smoothing (so short real
   rollers survive) and :data:`BAROMETRIC_HYSTERESIS_M`; on GPS (or elevation-model)
   elevation, the full smoothing and :data:`GPS_HYSTERESIS_M`. The sensor is the device's
   where it is known (:func:`strideload.ingest.devices.elevation_sensor`), else the signal's:
   GPS where the point-to-point scatter exceeds :data:`GPS_NOISE_M`.

Before any of this, :func:`plausible_elevation` drops samples that cannot be terrain:
placeholders (TomTom's -500 m before the first fix), impossible heights, and glitches that
jump by more than a hundred metres between samples.

Checked against the devices' own totals in ``tests/test_corpus_totals.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEP_M = 10.0
SMOOTH_M = 100.0
GRADE_BASE_M = 50.0
CLIMB_SMOOTH_M = 30.0
BAROMETRIC_HYSTERESIS_M = 2.0
GPS_HYSTERESIS_M = 5.0
GPS_NOISE_M = 1.0


def plausible_elevation(seconds: np.ndarray, elevation: np.ndarray, *, lowest_m: float = -450.0,
                        highest_m: float = 9000.0, jump_m: float = 100.0, within_s: float = 60.0) -> np.ndarray:
    """``elevation`` (m) with samples that cannot be terrain set to NaN (``seconds``: sample times, s).

    Dropped: values below ``lowest_m`` or above ``highest_m``; and, where consecutive samples
    less than ``within_s`` apart differ by more than ``jump_m``, the side of the jump with fewer
    samples. The track is cut at every such jump; the longest piece is trusted, and each other
    piece is kept only where it continues (within ``jump_m``) from the kept samples before it
    (or, before the trusted piece, after it). A piece separated by a longer gap is kept.
    """
    values = np.array(elevation, dtype=float)
    with np.errstate(invalid="ignore"):
        values[(values < lowest_m) | (values > highest_m)] = np.nan
    ok = np.flatnonzero(np.isfinite(values))
    if len(ok) < 2:
        return values
    times, kept = np.asarray(seconds, dtype=float)[ok], values[ok]
    cuts = np.flatnonzero((np.abs(np.diff(kept)) > jump_m) & (np.diff(times) < within_s)) + 1
    if not len(cuts):
        return values
    pieces = np.split(np.arange(len(ok)), cuts)
    trusted = max(range(len(pieces)), key=lambda k: (len(pieces[k]), -k))
    keep = np.zeros(len(ok), dtype=bool)
    keep[pieces[trusted]] = True
    for order in (range(trusted + 1, len(pieces)), range(trusted - 1, -1, -1)):
        anchor = pieces[trusted][-1] if order.step == 1 else pieces[trusted][0]
        for k in order:
            first = pieces[k][0] if order.step == 1 else pieces[k][-1]
            if abs(kept[first] - kept[anchor]) <= jump_m or abs(times[first] - times[anchor]) >= within_s:
                keep[pieces[k]] = True
                anchor = pieces[k][-1] if order.step == 1 else pieces[k][0]
    values[ok[~keep]] = np.nan
    return values


@dataclass(frozen=True)
class Profile:
    """A smoothed elevation profile on a regular distance grid (metres, percent); ``sensor`` is
    what the climbing was counted for (``"barometric"``, ``"gps"`` or ``"dem"``)."""

    distance_m: np.ndarray
    elevation_m: np.ndarray
    grade_pct: np.ndarray
    ascent_m: float
    descent_m: float
    downhill_5pct_m: float
    downhill_10pct_m: float
    sensor: str = "barometric"


def _moving_average(values: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average with shrinking windows at the ends (no edge dip)."""
    if width <= 1 or len(values) < 3:
        return values.copy()
    half = width // 2
    padded = np.concatenate(([0.0], np.cumsum(values)))
    idx = np.arange(len(values))
    lo = np.clip(idx - half, 0, len(values))
    hi = np.clip(idx + half + 1, 0, len(values))
    return (padded[hi] - padded[lo]) / (hi - lo)


def turning_points(values: np.ndarray) -> np.ndarray:
    """``values`` without the points inside a rising or falling stretch: the first, the last
    and each point where the direction of change changes (a plateau's ends included). What
    :func:`hysteresis_climb` counts is the same on both, and its loop runs over far fewer."""
    if len(values) < 3:
        return values
    direction = np.sign(np.diff(values))
    keep = np.ones(len(values), dtype=bool)
    keep[1:-1] = direction[1:] != direction[:-1]
    return values[keep]


def hysteresis_climb(elevation: np.ndarray, threshold: float) -> tuple[float, float]:
    """Total ascent and descent (m) between turning points that differ by at least ``threshold``.

    A climb is counted from valley to peak once the profile has fallen ``threshold`` below the
    peak (and the last one at the end), so wiggles smaller than ``threshold`` never count and
    real climbs are counted in full.
    """
    ascent = descent = 0.0
    if len(elevation) < 2:
        return ascent, descent
    elevation = turning_points(elevation)
    turn = extreme = float(elevation[0])
    direction = 0
    for value in map(float, elevation[1:]):
        if direction == 0:
            if abs(value - turn) >= threshold:
                direction, extreme = (1 if value > turn else -1), value
            continue
        if (value - extreme) * direction > 0:
            extreme = value
        elif abs(extreme - value) >= threshold:
            if direction == 1:
                ascent += extreme - turn
            else:
                descent += turn - extreme
            turn, extreme, direction = extreme, value, -direction
    if direction == 1:
        ascent += extreme - turn
    elif direction == -1:
        descent += turn - extreme
    return ascent, descent


def profile(distance_m: np.ndarray, elevation_m: np.ndarray, sensor: str | None = None) -> Profile | None:
    """Smoothed profile from cumulative distance and elevation samples, or ``None``.

    Samples with NaN in either array are ignored; ``None`` when fewer than two usable
    samples span at least one :data:`STEP_M`. ``sensor`` (``"barometric"``, ``"gps"``,
    ``"dem"``) is the device's where known; ``None`` lets the profile's own scatter decide.
    """
    ok = ~(np.isnan(distance_m) | np.isnan(elevation_m))
    dist, elev = distance_m[ok], elevation_m[ok]
    if len(dist) < 2:
        return None
    dist = np.maximum.accumulate(dist)
    keep = np.concatenate(([True], np.diff(dist) > 0))  # one elevation per distance (moving samples)
    dist, elev = dist[keep], elev[keep]
    if len(dist) < 2 or dist[-1] - dist[0] < STEP_M:
        return None
    grid = np.arange(dist[0], dist[-1] + STEP_M / 2, STEP_M)
    resampled = np.interp(grid, dist, elev)
    smooth = _moving_average(resampled, int(round(SMOOTH_M / STEP_M)) | 1)
    base = max(1, int(round(GRADE_BASE_M / STEP_M / 2)))
    ahead = np.concatenate((smooth[base:], np.repeat(smooth[-1], base)))
    behind = np.concatenate((np.repeat(smooth[0], base), smooth[:-base]))
    span = np.concatenate((grid[base:], np.repeat(grid[-1], base))) - \
        np.concatenate((np.repeat(grid[0], base), grid[:-base]))
    grade = np.divide(100.0 * (ahead - behind), span, out=np.zeros_like(smooth), where=span > 0)
    light = _moving_average(resampled, int(round(CLIMB_SMOOTH_M / STEP_M)) | 1)
    if sensor is None:
        scatter = float(np.median(np.abs(resampled - light)))  # point-to-point noise, not real hills
        sensor = "gps" if scatter > GPS_NOISE_M else "barometric"
    if sensor == "barometric":
        ascent, descent = hysteresis_climb(light, BAROMETRIC_HYSTERESIS_M)
    else:
        ascent, descent = hysteresis_climb(smooth, GPS_HYSTERESIS_M)
    return Profile(
        distance_m=grid,
        elevation_m=smooth,
        grade_pct=grade,
        ascent_m=float(ascent),
        descent_m=float(descent),
        downhill_5pct_m=float(np.sum(grade[:-1] <= -5.0) * STEP_M),
        downhill_10pct_m=float(np.sum(grade[:-1] <= -10.0) * STEP_M),
        sensor=sensor,
    )
