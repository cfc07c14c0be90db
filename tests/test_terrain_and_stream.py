"""Elevation smoothing, downhill distance, and the per-second stream's invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from budget import examples
from files import gpx_bytes, run_points, utc
from hypothesis import given, settings
from hypothesis import strategies as st

from strideload.gait import running_mask
from strideload.ingest import terrain
from strideload.ingest.gpx import read_gpx
from strideload.ingest.stream import build_stream, normalise
from strideload.model import STREAM_COLUMNS, samples_frame


def _profile(elevation, km=5.0, step=3.0):
    distance = np.arange(0, km * 1000, step)
    return terrain.profile(distance, elevation(distance))


def test_barometric_noise_on_a_flat_run_is_not_downhill():
    rng = np.random.default_rng(7)
    # 0.3 m noise plus the 0.2 m quantisation of FIT altitude
    prof = _profile(lambda d: np.round((50 + rng.normal(0, 0.3, len(d))) / 0.2) * 0.2)
    assert prof.downhill_5pct_m == 0
    assert prof.descent_m < 3 and prof.ascent_m < 3


def test_gps_noise_of_three_metres_on_a_flat_run_is_not_downhill_or_climbing():
    rng = np.random.default_rng(3)
    prof = _profile(lambda d: 50 + rng.normal(0, 3.0, len(d)), step=5.0)
    assert prof.downhill_5pct_m < 100
    assert prof.ascent_m < 25  # the GPS-sized hysteresis keeps scatter from piling up as climbing


def test_short_real_rollers_on_a_barometric_profile_are_counted():
    # ten 4 m rollers, 200 m long each: 40 m of real climbing
    prof = _profile(lambda d: 100 + 2 * np.sin(2 * np.pi * d / 200), km=2.0)
    assert prof.ascent_m == pytest.approx(40, abs=8)


def test_a_steady_eight_percent_descent_is_counted_as_downhill():
    # 2 km flat, 2 km at -8 %, 1 km flat: 160 m of descent
    def elevation(d):
        return np.where(d < 2000, 300, np.where(d < 4000, 300 - 0.08 * (d - 2000), 140))

    prof = _profile(elevation)
    assert prof.descent_m == pytest.approx(160, abs=8)
    assert prof.ascent_m < 3
    assert prof.downhill_5pct_m == pytest.approx(2000, rel=0.08)
    assert prof.downhill_10pct_m == 0


def test_a_steep_twelve_percent_descent_counts_at_both_thresholds():
    prof = _profile(lambda d: np.where(d < 1000, 200, np.maximum(200 - 0.12 * (d - 1000), 80)))
    assert prof.downhill_10pct_m == pytest.approx(1000, rel=0.12)
    assert prof.downhill_5pct_m >= prof.downhill_10pct_m


def test_hysteresis_ignores_wiggles_smaller_than_the_threshold():
    assert terrain.hysteresis_climb(np.array([0, 2, 0, 2, 0, 2.0]), 3.0) == (0.0, 0.0)
    assert terrain.hysteresis_climb(np.array([0, 5, 0, 5.0]), 3.0) == (10.0, 5.0)


def test_no_elevation_means_no_profile():
    assert terrain.profile(np.arange(0, 1000.0, 10), np.full(100, np.nan)) is None


def _samples(seconds, dist=None):
    start = pd.Timestamp("2026-05-04T06:00:00Z")
    seconds = np.asarray(seconds, dtype=float)
    return samples_frame({
        "time": start + pd.to_timedelta(seconds, unit="s"),
        "distance_m": dist if dist is not None else seconds * 3.0,
        "cadence_spm": np.full(len(seconds), 170.0),
    })


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.floats(min_value=0.2, max_value=200.0), min_size=2, max_size=80))
def test_the_stream_time_is_strictly_increasing_and_distance_never_falls(gaps):
    stream = build_stream(_samples(np.cumsum([0.0, *gaps])))
    assert stream["time"].is_monotonic_increasing and stream["time"].is_unique
    assert (np.diff(stream["distance_m"]) >= 0).all()
    assert list(stream.columns) == list(STREAM_COLUMNS)


def test_a_long_pause_is_a_gap_not_interpolated_running():
    seconds = np.concatenate([np.arange(0, 600, 2), np.arange(1800, 2400, 2)])
    dist = np.concatenate([np.arange(0, 600, 2) * 3.0, 1800 + np.arange(0, 600, 2) * 3.0])
    stream = build_stream(_samples(seconds, dist))
    assert len(stream) < 1300  # the 20-minute pause is not filled with 1 s rows
    assert stream["moving"].sum() == pytest.approx(1200, abs=5)


def test_walking_seconds_are_not_part_of_the_running_cadence(oslo_config):
    walk = run_points(utc(2026, 5, 4, 6), km=0.4, speed_mps=1.4, cadence_spm=116)
    jog = run_points(walk[-1].time, km=3, speed_mps=3.0, cadence_spm=168, lat0=walk[-1].lat)
    raws = read_gpx(gpx_bytes(walk + jog[1:]), "walk-run.gpx")
    activity = normalise(raws[0], athlete="ana", sha256="0" * 64, source_path="walk-run.gpx",
                         zone=oslo_config.timezone("ana"))
    assert activity.summary["cadence_spm"] == pytest.approx(168, abs=1)
    mask = running_mask(activity.stream)
    assert 0.7 < mask.mean() < 0.9


def test_local_date_follows_the_athletes_zone_not_utc(oslo_config):
    # 23:30 UTC on 4 May is 01:30 on 5 May in Oslo
    raws = read_gpx(gpx_bytes(run_points(utc(2026, 5, 4, 23, 30), km=3)), "late.gpx")
    activity = normalise(raws[0], athlete="ana", sha256="0" * 64, source_path="late.gpx",
                         zone=oslo_config.timezone("ana"))
    assert activity.summary["local_date"] == "2026-05-05"
    assert activity.summary["start_time"].endswith("+02:00")


def test_distance_of_a_later_session_is_measured_from_its_own_start():
    """Chained multisport files keep counting distance across sessions; a session starts at 0."""
    stream = build_stream(_samples(np.arange(0, 600, 1.0), 42_700 + np.arange(0, 600, 1.0) * 3.0))
    assert stream["distance_m"].iloc[0] == 0
    assert stream["distance_m"].iloc[-1] == pytest.approx(1797, abs=1)


def _climb_over_every_point(elevation: np.ndarray, threshold: float) -> tuple[float, float]:
    """The hysteresis rule applied to every point, as first written: the reference for the reduced loop."""
    ascent = descent = 0.0
    if len(elevation) < 2:
        return ascent, descent
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


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.integers(-30, 30), max_size=200), st.sampled_from([0.5, 1.0, 3.0, 5.0, 10.0]))
def test_climbing_counted_on_turning_points_only_is_the_same_as_on_every_point(steps, threshold):
    # integer steps make plateaus (0) and exact ties with the threshold, where a reduction would slip first
    elevation = np.cumsum(np.array(steps, dtype=float) / 2)
    assert terrain.hysteresis_climb(elevation, threshold) == _climb_over_every_point(elevation, threshold)
    reduced = terrain.turning_points(elevation)
    if len(elevation):
        assert (reduced[0], reduced[-1]) == (elevation[0], elevation[-1])


def test_a_steady_climb_and_descent_is_three_turning_points():
    hill = np.concatenate((np.linspace(100, 300, 500), np.linspace(299, 120, 400)))
    assert terrain.turning_points(hill).tolist() == [100.0, 300.0, 120.0]
