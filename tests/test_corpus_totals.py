"""End to end against real devices: every corpus file through ``read_activities``.

Tolerances are the issue's: FIT distance 0.5 % and timer 1 %; TCX 1 %; cadence within
3 steps/min of 2 × the device's per-foot average; ascent within 15 % or 15 m where the
device reports it. ``python tools/corpus_report.py`` prints the worst case per column.
"""

from __future__ import annotations

import functools

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


@functools.lru_cache(maxsize=None)
def _read(name: str):
    """Each file is read once for all the tests of this module (None: it holds no activity)."""
    try:
        return read_activities(CORPUS_DIR / "files" / name, athlete="t", config=CONFIG)
    except NoActivityError as exc:
        return exc


def _first_run_activity(row: dict[str, str]):
    activities = _read(row["file"])
    if isinstance(activities, NoActivityError):
        if "-" not in row["start_time"]:
            pytest.skip(f"device-relative timestamps, cannot be dated: {activities.reason}")
        raise activities
    runs = [a for a in activities if a.running]
    assert runs, f"{row['file']}: no running activity found"
    return runs[0]


def _first_run(row: dict[str, str]):
    return _first_run_activity(row).summary


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
    run = _first_run_activity(row)
    tolerance = 0.005 if row["format"] == "fit" else 0.01
    device = float(row["gt_total_distance_m"])
    assert run.summary["distance_m"] == pytest.approx(device, rel=tolerance)
    assert run.summary["timer_s"] == pytest.approx(float(row["gt_total_timer_time_s"]), rel=max(tolerance, 0.01))
    # the stream itself, not only the copied session total, must reach the device's distance;
    # where GPS spikes were taken out of it, the device counted their excursions and we do not
    if device > 0 and len(run.stream):
        spikes = run.summary.get("gps_spikes_removed") or 0
        assert run.stream["distance_m"].iloc[-1] == pytest.approx(device, rel=tolerance if not spikes else 0.01)


CADENCE = [r for r in GROUND_TRUTH if r["gt_avg_cadence"]]


#: 57 s, 21 records: too few samples to rebuild the device's per-second average (off by 4-5).
TOO_SHORT_FOR_CADENCE = {"fitparse/garmin-fenix-5-run.fit", "runpandas/garmin-fenix-5-basic.fit"}


@pytest.mark.parametrize("row", [
    pytest.param(r, marks=pytest.mark.xfail(strict=True, reason="57 s file, 21 records"))
    if r["file"] in TOO_SHORT_FOR_CADENCE else r for r in CADENCE], ids=[r["file"] for r in CADENCE])
def test_cadence_is_steps_per_minute_like_the_device(row):
    """Devices average cadence one of two ways: over every recorded second, standing ones (0)
    included (Garmin FIT), or over seconds with a cadence (Polar, Garmin TCX laps). The stream,
    in steps/min, must match 2 × the device's per-foot average within 3 steps/min one way or
    the other: that proves the unit and the decoding.

    (The summary's ``cadence_spm`` is the median over the running part, walking excluded: a
    different statistic by design, rightly higher on run/walk sessions.)
    """
    device = 2 * (float(row["gt_avg_cadence"]) + (_number(row, "gt_avg_fractional_cadence") or 0.0))
    run = _first_run_activity(row)
    cadence = run.stream["cadence_spm"]
    errors = [abs(cadence.mean() - device), abs(cadence[cadence > 0].mean() - device)]
    assert min(errors) <= 3, f"device {device:.1f}, stream means off by {errors}"
    assert run.summary["cadence_spm"] >= 140  # running part only: never a per-foot value


@pytest.mark.parametrize("row", CADENCE, ids=[r["file"] for r in CADENCE])
def test_device_cadence_is_the_watchs_own_average_in_steps_per_minute(row):
    """``device_cadence_spm`` is what the runner's watch app shows, so they can check strideload
    against it: 2 × (per-foot average + fraction). TCX laps are averaged by lap time, the
    manifest averages them plainly: up to 1.5 steps/min apart."""
    device = 2 * (float(row["gt_avg_cadence"]) + (_number(row, "gt_avg_fractional_cadence") or 0.0))
    assert _first_run(row)["device_cadence_spm"] == pytest.approx(device, abs=1.5 if row["format"] == "tcx" else 0.05)


ASCENT = [r for r in GROUND_TRUTH if r["gt_total_ascent_m"] and r["has_elevation"] == "True"]


@pytest.mark.parametrize("row", ASCENT, ids=[r["file"] for r in ASCENT])
def test_ascent_from_the_smoothed_profile_is_close_to_the_device(row):
    device = float(row["gt_total_ascent_m"])
    assert _first_run(row)["ascent_m"] == pytest.approx(device, abs=max(15.0, 0.15 * device))
    assert _first_run(row)["elevation_source"] in ("barometric", "gps")


#: Devices of the corpus whose sensor is known: the summary names it whatever the signal looks like.
SENSORS = {"garmin fr110": "gps", "garmin fr645m": "barometric", "garmin fenix2": "barometric",
           "garmin fenix5": "barometric", "garmin fr920xt": "barometric", "garmin fr255": "barometric",
           "Garmin Forerunner 620": "gps", "Polar M400": "gps", "TomTom GPS Sport Watch": "gps"}


def test_the_elevation_source_follows_the_device():
    seen = {}
    for row in GROUND_TRUTH:
        activities = _read(row["file"])
        if isinstance(activities, NoActivityError):
            continue
        for activity in activities:
            summary = activity.summary
            model = (summary["device"] or "").split(" (", 1)[0]  # a TCX Creator: "Name (product 1623, version 3.30)"
            if model in SENSORS and summary["ascent_m"] is not None:
                seen[model] = summary["elevation_source"]
    assert len(seen) >= 7
    assert seen == {device: SENSORS[device] for device in seen}


def test_the_chained_triathlon_yields_its_run_as_one_activity():
    activities = read_activities(CORPUS_DIR / "files" / "fitparse" / "sample_mulitple_header.fit",
                                 athlete="t", config=CONFIG)
    assert [a.summary["running"] for a in activities].count(True) == 1
    assert len({a.id for a in activities}) == len(activities)


def test_the_whole_corpus_imports_as_one_folder(tmp_path):
    """One import of all 95 files: nothing crashes, every file has an outcome, other sports stay
    out of running load, and each failure names its file and reason."""
    from strideload.ingest.importer import import_paths
    from strideload.store import Store

    with Store.open(tmp_path / "corpus.db") as store:
        result = import_paths(store, [CORPUS_DIR / "files"], athlete="t", config=CONFIG)
        frame = store.activities_frame()
    assert len({o.path for o in result.outcomes}) == len(ROWS)
    assert all(o.reason for o in result.failed)
    other = {str(CORPUS_DIR / "files" / r["file"]) for r in ROWS if r["category"] == "other-sport"}
    assert not frame[frame["source_path"].isin(other)]["running"].any()
    assert frame["running"].sum() >= len(GROUND_TRUTH) - 5  # the .gz copies and twins are duplicates
