"""GPS spikes inside a real run are removed from the stream and counted; a stretch too long to be a
glitch stays, and the run's speeds (running part, fastest minute) go into its summary."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from files import gpx_bytes, run_points, utc

from strideload.analyze.quality import judge
from strideload.config import Config
from strideload.ingest.importer import read_activity
from strideload.ingest.speeds import without_spikes

M_PER_DEG = 111_195.0


def read(tmp_path, points, name="run.gpx"):
    path = tmp_path / name
    path.write_bytes(gpx_bytes(points))
    return read_activity(path)


def jump(points, first: int, seconds: int, metres: float):
    """``points`` with positions ``first``.. ``first + seconds`` thrown ``metres`` east and back."""
    out = list(points)
    for i in range(first, first + seconds):
        out[i] = replace(out[i], lon=out[i].lon + metres / (M_PER_DEG * 0.5))  # cos(60°) ≈ 0.5
    return out


def test_a_three_second_spike_at_50_m_s_is_removed_and_counted(tmp_path):
    clean = read(tmp_path, run_points(utc(2026, 5, 4, 6), km=5.0))
    spiky = read(tmp_path, jump(run_points(utc(2026, 5, 4, 6), km=5.0), 600, 3, 150.0), "spiky.gpx")
    assert spiky.summary["gps_spikes_removed"] == 1 and clean.summary["gps_spikes_removed"] == 0
    assert spiky.summary["distance_m"] == pytest.approx(clean.summary["distance_m"], rel=0.002)
    assert spiky.stream["speed_mps"].max() < 5.0
    assert spiky.summary["sustained_speed_mps"] == pytest.approx(3.0, abs=0.1)
    assert not judge_one(spiky)["quarantined"]


def test_several_spikes_are_each_counted(tmp_path):
    points = run_points(utc(2026, 5, 4, 6), km=5.0)
    for first in (300, 900, 1400):
        points = jump(points, first, 2, 120.0)
    assert read(tmp_path, points).summary["gps_spikes_removed"] == 3


def test_a_stretch_too_long_for_a_glitch_stays_and_sets_the_run_aside(tmp_path):
    # Two minutes at 20 m/s in the middle of a run: a car, not a GPS spike.
    run = run_points(utc(2026, 5, 4, 6), km=3.0)
    car = run_points(run[-1].time, km=2.4, speed_mps=20.0, lat0=run[-1].lat)[1:]
    after = run_points(car[-1].time, km=2.0, lat0=car[-1].lat)[1:]
    activity = read(tmp_path, run + car + after)
    assert activity.summary["gps_spikes_removed"] == 0
    assert activity.summary["sustained_speed_mps"] == pytest.approx(20.0, rel=0.05)
    verdict = judge_one(activity)
    assert verdict["quarantined"] and verdict["quarantine_reason"].startswith("fastest minute 20.")


def test_running_speed_leaves_the_walking_out(tmp_path):
    walk = run_points(utc(2026, 5, 4, 6), km=0.5, speed_mps=1.4, cadence_spm=114)
    run = run_points(walk[-1].time, km=1.5, speed_mps=3.0, lat0=walk[-1].lat)[1:]
    activity = read(tmp_path, walk + run)
    assert activity.summary["run_speed_mps"] == pytest.approx(3.0, abs=0.05)
    assert activity.summary["avg_speed_mps"] < 2.4


def test_a_stream_too_short_to_judge_is_left_alone():
    stream = {"elapsed_s": np.array([0.0, 1.0]), "speed_mps": np.array([99.0, 99.0]),
              "distance_m": np.array([0.0, 99.0]), "latitude_deg": np.array([59.9, 59.9]),
              "longitude_deg": np.array([10.7, 10.7])}
    assert without_spikes(stream)[1] == 0


def judge_one(activity):
    import pandas as pd

    return judge(pd.DataFrame([activity.summary]), Config()).iloc[0]
