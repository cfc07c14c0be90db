"""Walking or running from speed and cadence together (strideload.gait), on streams built from
watch files, and on the real files of the corpus: run/walk sessions keep their walk breaks,
slow low-cadence runs stay runs."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from corpus import CORPUS_DIR, requires_corpus
from files import FR255, M_PER_DEG, Point, device_fit_bytes, gpx_bytes, utc

from strideload.config import parse_config
from strideload.gait import GaitRule, gait, running_mask, walk_run_seconds
from strideload.ingest.importer import read_activity

START = utc(2026, 6, 2, 6)
CONFIG = parse_config({"settings": {"timezone": "Europe/Oslo"}})


def stretches(pattern: list[tuple[float, float, int]]) -> list[Point]:
    """One point a second: each ``(m/s, steps/min, seconds)`` stretch in turn."""
    points, t, dist = [], 0, 0.0
    for speed, cadence, seconds in [*pattern, pattern[-1][:2] + (1,)]:
        for _ in range(seconds):
            points.append(Point(START + timedelta(seconds=t), 59.91 + dist / M_PER_DEG, 10.75, 100.0, dist,
                                speed, cadence, 130.0))
            t, dist = t + 1, dist + speed
    return points


def _activity(tmp_path, points, fmt="fit", config=CONFIG):
    path = tmp_path / f"run.{fmt}"
    path.write_bytes(device_fit_bytes(points, product=FR255) if fmt == "fit" else gpx_bytes(points))
    return read_activity(path, athlete="ana", config=config)


def test_a_slow_shuffle_at_130_steps_is_running_and_its_cadence_counts(tmp_path):
    """A runner shuffling at 130 steps/min and 2.2 m/s was walking by cadence alone, so the
    low-cadence flag could never see the very runs it exists for."""
    activity = _activity(tmp_path, stretches([(2.2, 130, 1200)]))
    assert walk_run_seconds(activity.stream) == (pytest.approx(1200, abs=2), 0)
    assert activity.summary["cadence_spm"] == pytest.approx(130, abs=1)


def test_walk_breaks_of_a_run_walk_session_are_walking(tmp_path):
    """Galloway-style 4 min run / 1 min walk: walk breaks at 1.4 m/s and 116 steps/min."""
    activity = _activity(tmp_path, stretches([(2.6, 158, 240), (1.4, 116, 60)] * 4))
    run, walk = walk_run_seconds(activity.stream)
    assert run == pytest.approx(960, abs=8) and walk == pytest.approx(240, abs=8)
    assert activity.summary["cadence_spm"] == pytest.approx(158, abs=1)


def test_a_speed_spike_during_a_walk_is_still_walking(tmp_path):
    """GPS speed jumps to 2.3 m/s for a moment while the walker's cadence stays at 104."""
    points = stretches([(1.3, 104, 120), (2.3, 104, 10), (1.3, 104, 120)])
    labels = gait(_activity(tmp_path, points).stream)
    assert (labels == "run").sum() == 0


def test_without_cadence_speed_decides(tmp_path):
    activity = _activity(tmp_path, stretches([(1.3, 0, 300), (2.5, 0, 300)]), fmt="gpx")
    stream = activity.stream.assign(cadence_spm=np.nan)
    run, walk = walk_run_seconds(stream)
    assert run == pytest.approx(300, abs=6) and walk == pytest.approx(300, abs=6)


def test_the_rule_is_a_setting_per_athlete(tmp_path):
    activity = _activity(tmp_path, stretches([(2.2, 130, 600)]))
    strict = parse_config({"athletes": {"ana": {"gait_min_run_cadence_spm": 135.0}}})
    assert running_mask(activity.stream, GaitRule.from_config(strict, "ana")).sum() == 0
    assert running_mask(activity.stream, GaitRule.from_config(strict, "ben")).sum() > 590


# ----------------------------------------------------------------------------- the corpus

#: (file, share of moving time running: low, high) as a person reading the file would call it.
CORPUS_GAIT = [
    ("runpandas/run.fit", 0.45, 0.70),  # run/walk: the device's own average is 130 steps/min
    ("workoutizer/2019-09-18-16-02-35.fit", 0.70, 0.90),  # runs with walked climbs
    ("fitparse/developer-types-sample.fit", 0.97, 1.0),  # a slow, steady run: 2.0 m/s, 150 steps/min
    ("tormoder-fit/mornindew-broken.fit", 0.88, 1.0),  # a long run
    ("workoutizer/2020-08-20-09-34-33.fit", 0.0, 0.10),  # a hike
    ("workoutizer/2020-09-12-11-15-46.fit", 0.0, 0.15),  # a walk with fast downhill stretches
]


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("name, low, high", CORPUS_GAIT, ids=[c[0] for c in CORPUS_GAIT])
def test_real_files_are_classified_as_a_person_would(name, low, high):
    activity = read_activity(CORPUS_DIR / "files" / name, athlete="t", config=CONFIG)
    run, walk = walk_run_seconds(activity.stream)
    assert low <= run / (run + walk) <= high
