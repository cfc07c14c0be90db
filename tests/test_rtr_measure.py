"""What a session actually was: run and walk seconds and intervals from a stream, and
whether it was hilly, on watch files built in code with known walk/run intervals."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from files import M_PER_DEG, Point, fit_bytes, gpx_bytes, utc

from strideload.config import Config, parse_config
from strideload.gait import GaitRule, walk_run_seconds
from strideload.ingest.importer import read_activity
from strideload.rtr.measure import bouts, measure

WALK = (1.2, 114.0)  # m/s, steps/min
RUN = (2.2, 164.0)  # a Crowell phase-1 session of 3 × (2 min walk + 3 min run) is then 1.62 km


def interval_points(pattern: list[tuple[str, int]], *, climb_per_m: float = 0.0) -> list[Point]:
    """One point a second: each ``(walk|run, seconds)`` at its speed and cadence."""
    start = utc(2026, 9, 15, 5, 10)
    points, t, dist = [], 0, 0.0
    for kind, seconds in pattern:
        speed, cadence = WALK if kind == "walk" else RUN
        for _ in range(seconds):
            points.append(Point(start + timedelta(seconds=t), 59.91 + dist / M_PER_DEG, 10.75,
                                100.0 + climb_per_m * dist, dist, speed, cadence, 120.0))
            t += 1
            dist += speed
    points.append(Point(start + timedelta(seconds=t), 59.91 + dist / M_PER_DEG, 10.75, 100.0 + climb_per_m * dist,
                        dist, speed, cadence, 120.0))
    return points


CROWELL_1 = [("walk", 120), ("run", 180)] * 3  # walk 2 min / run 3 min, three times


def _activity(tmp_path, points, name="run.gpx", fmt="gpx"):
    path = tmp_path / name
    path.write_bytes(gpx_bytes(points) if fmt == "gpx" else fit_bytes(points))
    return read_activity(path, athlete="ana")


@pytest.mark.parametrize("fmt", ["gpx", "fit"])
def test_a_walk_run_session_is_detected_from_its_stream(tmp_path, fmt):
    if fmt == "fit":
        pytest.importorskip("fit_tool")
    activity = _activity(tmp_path, interval_points(CROWELL_1), f"run.{fmt}", fmt)
    session = measure(activity.summary, activity.stream, Config())
    # 3 × 180 s running and 3 × 120 s walking; a second or two may land on either side of a
    # change where the stream interpolates between samples.
    assert session.run_s == pytest.approx(540, abs=3)
    assert session.walk_s == pytest.approx(360, abs=3)
    assert (session.run_bouts, session.walk_bouts) == (3, 3)
    assert session.longest_run_s == pytest.approx(180, abs=3)
    assert session.median_walk_s == pytest.approx(120, abs=3)
    assert session.distance_m == pytest.approx(3 * (120 * WALK[0] + 180 * RUN[0]), abs=5)
    assert session.hilly is False


def test_continuous_running_is_one_interval(tmp_path):
    activity = _activity(tmp_path, interval_points([("run", 900)]))
    session = measure(activity.summary, activity.stream, Config())
    assert (session.run_bouts, session.walk_bouts) == (1, 0)
    assert session.longest_run_s == pytest.approx(900, abs=2)


def test_walk_run_seconds_uses_the_streams_walking_threshold(tmp_path):
    stream = _activity(tmp_path, interval_points(CROWELL_1)).stream
    stream["cadence_spm"] = GaitRule().run_cadence_spm  # exactly at the threshold: running
    run, walk = walk_run_seconds(stream)
    assert walk == 0 and run == stream["moving"].sum()


def test_without_cadence_speed_decides(tmp_path):
    stream = _activity(tmp_path, interval_points(CROWELL_1)).stream
    stream["cadence_spm"] = np.nan
    run, walk = walk_run_seconds(stream)
    assert run == pytest.approx(540, abs=6) and walk == pytest.approx(360, abs=6)


def test_bouts_join_short_stretches_and_skip_stops():
    labels = np.array(["run"] * 30 + ["walk"] * 5 + ["run"] * 30 + ["stop"] * 50 + ["walk"] * 40, dtype=object)
    assert bouts(labels, 20) == [("run", 65), ("walk", 40)]
    assert bouts(labels, 1) == [("run", 30), ("walk", 5), ("run", 30), ("walk", 40)]
    assert bouts(np.array([], dtype=object), 20) == []


@pytest.mark.parametrize("ascent, hilly", [(80.0, True), (50.0, False), (None, None)])
def test_hilly_is_climb_per_km(ascent, hilly):
    summary = {"id": "x", "athlete": "ana", "local_date": "2026-10-04", "distance_m": 5000.0, "ascent_m": ascent}
    session = measure(summary, None, Config())
    assert session.hilly is hilly
    if ascent is not None:
        assert session.climb_m_per_km == ascent / 5


def test_the_hilly_limit_is_a_setting():
    summary = {"id": "x", "athlete": "ana", "local_date": "2026-10-04", "distance_m": 5000.0, "ascent_m": 80.0}
    config = parse_config({"athletes": {"ana": {"rtr_level_max_climb_m_per_km": 20.0}}})
    assert measure(summary, None, config).hilly is False


def test_a_climbing_stream_is_hilly(tmp_path):
    activity = _activity(tmp_path, interval_points([("run", 900)], climb_per_m=0.04))  # 4 % all the way
    session = measure(activity.summary, activity.stream, Config())
    assert session.climb_m_per_km == pytest.approx(40, rel=0.15)
    assert session.hilly is True


def test_without_a_stream_run_time_is_the_timer():
    summary = {"id": "x", "athlete": "ana", "local_date": "2026-10-04", "distance_m": 3000.0, "timer_s": 1000.0}
    session = measure(summary, None, Config())
    assert (session.run_s, session.walk_s, session.run_bouts) == (1000.0, None, None)
