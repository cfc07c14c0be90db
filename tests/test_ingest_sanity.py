"""Plausibility at import: values that cannot be real are dropped and counted, and a file whose
time or totals cannot be trusted is rejected with the reason, never stored as load."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from files import fit_bytes, gpx_bytes, run_points, tcx_bytes, utc

from strideload.ingest.importer import import_paths


def _tcx_lap(data: bytes, field: str, value: str) -> bytes:
    """The TCX with its lap's ``field`` (DistanceMeters, TotalTimeSeconds) set to ``value``."""
    pattern = rb"(<Lap [^>]*>(?:(?!<Track>).)*<" + field.encode() + rb">)[^<]*"
    return re.sub(pattern, lambda m: m.group(1) + value.encode(), data, count=1, flags=re.S)


@pytest.fixture
def imported(tmp_path, store, oslo_config):
    def run(name: str, data: bytes):
        (tmp_path / name).write_bytes(data)
        [outcome] = import_paths(store, [tmp_path / name], athlete="ana", config=oslo_config).outcomes
        return outcome

    return run


def test_an_astronomic_lap_distance_is_dropped_and_the_track_measures_the_run(imported, store):
    data = _tcx_lap(tcx_bytes(run_points(utc(2026, 5, 4, 6), km=3)), "DistanceMeters", "1e300")
    assert b"<DistanceMeters>1e300</DistanceMeters>" in data

    outcome = imported("lap.tcx", data)

    assert outcome.status == "added"
    assert outcome.reason == "device total distance_m = 1e+300 dropped (not a plausible value)"
    assert store.activities_frame()["distance_m"][0] == pytest.approx(3000, abs=5)


def test_a_negative_timer_is_dropped_and_the_moving_time_used(imported, store):
    data = _tcx_lap(tcx_bytes(run_points(utc(2026, 5, 4, 6), km=3)), "TotalTimeSeconds", "-500")
    outcome = imported("lap.tcx", data)
    assert outcome.status == "added" and "timer_s = -500 dropped" in outcome.reason
    assert store.activities_frame()["timer_s"][0] == pytest.approx(1000, abs=5)  # 3 km at 3 m/s


def test_duplicated_timestamps_that_would_halve_the_duration_are_rejected(imported, store):
    points = run_points(utc(2026, 5, 4, 6), km=3)
    for k, point in enumerate(points):
        point.time = points[0].time + timedelta(seconds=k // 2)  # every second written twice

    outcome = imported("twice.gpx", gpx_bytes(points))

    assert outcome.status == "failed"
    assert "samples repeat the previous timestamp: the duration cannot be trusted" in outcome.reason
    assert "max_repeated_time_share" in outcome.reason
    assert store.activities_frame().empty and store.failures()[0]["reason"] == outcome.reason


def test_mixed_time_zone_offsets_that_would_multiply_the_distance_are_rejected(imported, store):
    text = gpx_bytes(run_points(utc(2026, 5, 4, 6), km=3)).decode()
    stamps = re.findall(r"<time>([^<]+)Z</time>", text)
    for k, stamp in enumerate(stamps):
        if k % 3 == 1:  # every third point written as local time with a wrong zone
            text = text.replace(f"<time>{stamp}Z</time>", f"<time>{stamp}+02:00</time>", 1)

    outcome = imported("mixed.gpx", text.encode())

    assert outcome.status == "failed"
    assert re.search(r"timestamps step back [\d,]+ times in [\d,]+ samples", outcome.reason)
    assert store.activities_frame().empty


def test_a_run_dated_2099_never_becomes_load(imported, store):
    outcome = imported("future.fit", fit_bytes(run_points(utc(2099, 5, 4, 6), km=3)))
    assert outcome.status == "failed"
    assert outcome.reason == "dated 2099-05-04, after tomorrow (setting earliest_activity_year)"
    assert store.activities_frame().empty


def test_a_gpx_dated_before_2000_is_rejected(imported):
    outcome = imported("old.gpx", gpx_bytes(run_points(utc(1995, 5, 4, 6), km=1)))
    assert outcome.status == "failed"
    assert outcome.reason.startswith("every sample is dated before 2000-01-01 or after tomorrow")


def test_a_few_misdated_samples_are_dropped_and_counted(imported, store):
    points = run_points(utc(2026, 5, 4, 6), km=3)
    for point in points[100:103]:
        point.time = point.time.replace(year=1995)
    outcome = imported("glitch.gpx", gpx_bytes(points))
    assert outcome.status == "added"
    assert "3 samples dated before 2000-01-01 or after tomorrow dropped" in outcome.reason


def test_a_run_faster_than_any_runner_is_rejected(imported, store):
    outcome = imported("car.fit", fit_bytes(run_points(utc(2026, 5, 4, 6), km=20, speed_mps=25)))
    assert outcome.status == "failed"
    assert outcome.reason == "a run averaging 25.0 m/s is faster than 12 m/s (setting max_run_speed_mps)"


def test_any_activity_faster_than_sound_is_rejected_and_a_drive_is_kept(imported, store):
    """Found by fuzzing: a damaged FIT (no sport, 87 records) once stored 15,448 km in 87 s as
    a non-running activity; no sport a watch records averages faster than sound."""
    broken = imported("jet.fit", fit_bytes(run_points(utc(2026, 5, 4, 6), km=100, speed_mps=500), sport="CYCLING"))
    assert broken.status == "failed"
    assert broken.reason == ("an activity averaging 500 m/s cannot be real: faster than sound "
                             "(setting max_activity_speed_mps)")
    drive = imported("drive.fit", fit_bytes(run_points(utc(2026, 5, 5, 6), km=20, speed_mps=25), sport="CYCLING"))
    assert drive.status == "non-running"
    assert len(store.activities_frame()) == 1
