"""End to end against real devices: every corpus file through ``read_activities``.

Tolerances are the issue's: FIT distance 0.5 % and timer 1 %; TCX 1 %; cadence within
3 steps/min of 2 × the device's per-foot average; ascent within 15 % or 15 m where the
device reports it. ``python tools/corpus_report.py`` prints the worst case per column.
"""

from __future__ import annotations

import pytest
from corpus import CORPUS_DIR, manifest_rows, requires_corpus

from strideload.config import parse_config
from strideload.errors import FileImportError, NoActivityError
from strideload.ingest.importer import read_activities

pytestmark = [pytest.mark.corpus, requires_corpus]
CONFIG = parse_config({"settings": {"timezone": "UTC"}})
ROWS = manifest_rows()
GROUND_TRUTH = [r for r in ROWS if r["gt_total_distance_m"] and r["is_running"] == "True"
                and r["category"] in ("running:ground-truth", "edge:compressed")]


def _number(row: dict[str, str], key: str) -> float | None:
    return float(row[key]) if row.get(key) else None


def _first_run(row: dict[str, str]):
    activities = read_activities(CORPUS_DIR / "files" / row["file"], athlete="t", config=CONFIG)
    runs = [a for a in activities if a.running]
    assert runs, f"{row['file']}: no running activity found"
    return runs[0].summary


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_every_file_imports_or_fails_cleanly(row):
    try:
        activities = read_activities(CORPUS_DIR / "files" / row["file"], athlete="t", config=CONFIG)
    except NoActivityError as exc:
        # a run is only skipped when it cannot be dated (e.g. ANT-FS dumps with device-relative times)
        assert exc.reason and exc.path
        if row["category"].startswith("running:"):
            assert "-" not in row["start_time"], f"a dated run was skipped: {exc}"
        return
    except FileImportError as exc:
        assert exc.reason and exc.path
        assert not row["category"].startswith("running:"), f"a real run failed: {exc}"
        return
    if row["category"] == "other-sport":
        assert not any(a.running for a in activities), "a non-running activity counted as running"
    for activity in activities:
        assert activity.summary["local_date"] and activity.summary["format"] == row["format"]


@pytest.mark.parametrize("row", GROUND_TRUTH, ids=[r["file"] for r in GROUND_TRUTH])
def test_distance_and_timer_match_the_device(row):
    summary = _first_run(row)
    tolerance = 0.005 if row["format"] == "fit" else 0.01
    assert summary["distance_m"] == pytest.approx(float(row["gt_total_distance_m"]), rel=tolerance)
    assert summary["timer_s"] == pytest.approx(float(row["gt_total_timer_time_s"]), rel=max(tolerance, 0.01))


CADENCE = [r for r in GROUND_TRUTH if r["gt_avg_cadence"]]


@pytest.mark.parametrize("row", CADENCE, ids=[r["file"] for r in CADENCE])
def test_cadence_is_steps_per_minute_like_the_device(row):
    """The device reports a mean over its moving time; the stream's mean over the same part must
    match within 3 steps/min. (The summary's ``cadence_spm`` is the median over the running part,
    walking excluded: a different statistic by design, which on a run/walk session such as
    sweatpy/3173437224.tcx is rightly far above the device's all-moving mean.)"""
    device = 2 * (float(row["gt_avg_cadence"]) + (_number(row, "gt_avg_fractional_cadence") or 0.0))
    activities = read_activities(CORPUS_DIR / "files" / row["file"], athlete="t", config=CONFIG)
    run = next(a for a in activities if a.running)
    stream = run.stream
    moving = stream[stream["moving"] & (stream["cadence_spm"] > 0)]
    assert moving["cadence_spm"].mean() == pytest.approx(device, abs=3)


ASCENT = [r for r in GROUND_TRUTH if r["gt_total_ascent_m"] and r["has_elevation"] == "True"]


@pytest.mark.parametrize("row", ASCENT, ids=[r["file"] for r in ASCENT])
def test_ascent_from_the_smoothed_profile_is_close_to_the_device(row):
    device = float(row["gt_total_ascent_m"])
    assert _first_run(row)["ascent_m"] == pytest.approx(device, abs=max(15.0, 0.15 * device))


def test_the_chained_triathlon_yields_its_run_as_one_activity():
    activities = read_activities(CORPUS_DIR / "files" / "fitparse" / "sample_mulitple_header.fit",
                                 athlete="t", config=CONFIG)
    assert [a.summary["running"] for a in activities].count(True) == 1
    assert len({a.id for a in activities}) == len(activities)
