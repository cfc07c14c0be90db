"""Quirks of real watch files, each reproduced by a file built here and named after the device
that writes it: FIT arrays and invalid values, placeholder altitudes, GPS elevation that looks
barometric, the device's own cadence, and the surface of a plain GPS run."""

from __future__ import annotations

import numpy as np
import pytest
from files import (
    ENUM,
    FENIX3,
    FILE_ID,
    FR55,
    FR255,
    FR630,
    FR735XT,
    GARMIN,
    RECORD,
    SESSION,
    TOMTOM,
    UINT8,
    UINT16,
    UINT32,
    FitWriter,
    device_fit_bytes,
    fit_time,
    gpx_bytes,
    run_points,
    tcx_bytes,
    utc,
)

from strideload.config import parse_config
from strideload.ingest.fit import _column, read_fit
from strideload.ingest.importer import read_activity
from strideload.ingest.surface import GPS_DEFAULT

CONFIG = parse_config({"settings": {"timezone": "Europe/Oslo"}})
START = utc(2026, 5, 4, 6)


def _read(tmp_path, data: bytes, name: str):
    path = tmp_path / name
    path.write_bytes(data)
    return read_activity(path, athlete="ana", config=CONFIG)


def _hills(d):
    """Five 1 km rollers of 20 m: 100 m of real climbing over 5 km."""
    return 100 + 10 * np.sin(2 * np.pi * d / 1000)


# ------------------------------------------------------------------------- FIT arrays, invalid values

def test_forerunner_55_speed_and_altitude_arrays_read_as_their_first_value(tmp_path):
    """The Forerunner 55 writes enhanced_speed and enhanced_altitude as two values, the second
    invalid; strideload once failed on such a file with a numpy broadcasting error."""
    points = run_points(START, km=3, speed_mps=2.8, elevation=lambda d: 120 + d / 100)
    activity = _read(tmp_path, device_fit_bytes(points, product=FR55, arrays=True), "fr55.fit")
    stream = activity.stream
    assert activity.summary["device"] == "garmin fr55"
    assert stream["speed_mps"].median() == pytest.approx(2.8, abs=0.01)
    assert stream["elevation_m"].iloc[0] == pytest.approx(120, abs=0.3)
    assert stream["elevation_m"].iloc[-1] == pytest.approx(150, abs=0.5)
    assert activity.summary["ascent_m"] == pytest.approx(30, abs=3)


def test_any_field_may_be_an_array_even_one_that_expands_into_others():
    """``speed`` and ``altitude`` expand into ``enhanced_speed``/``enhanced_altitude``: as arrays
    they once made the whole file undecodable. Here the first element of speed and heart rate is
    invalid, the second of altitude and cadence."""
    writer = FitWriter()
    points = run_points(START, km=0.5, speed_mps=3.2, elevation=lambda d: 75.0)
    writer.message(FILE_ID, {0: (ENUM, 4), 1: (UINT16, GARMIN), 2: (UINT16, FR55)})
    for p in points:
        writer.message(RECORD, {253: (UINT32, fit_time(p.time)), 5: (UINT32, round(p.dist * 100)),
                                6: (UINT16, [None, 3200]), 2: (UINT16, [round((p.ele + 500) * 5), None]),
                                3: (UINT8, [None, 150]), 4: (UINT8, [85, None])})
    writer.message(SESSION, {253: (UINT32, fit_time(points[-1].time)), 2: (UINT32, fit_time(START)), 5: (ENUM, 1)})
    [run] = read_fit(writer.bytes(), "fr55.fit")
    assert run.samples[["speed_mps", "elevation_m", "heart_rate_bpm", "cadence_spm"]].median().tolist() == \
        [pytest.approx(3.2), pytest.approx(75.0), 150.0, 170.0]


def test_an_array_whose_first_element_is_invalid_gives_its_first_valid_one():
    rows = [{"enhanced_speed": (None, 3.1)}, {"enhanced_speed": (2.9, 5.0)}, {"enhanced_speed": (None, None)},
            {"speed": 2.5}, {"enhanced_speed": 3.3}]
    column = _column(rows, "enhanced_speed", "speed")
    assert column[:2].tolist() == [3.1, 2.9]
    assert np.isnan(column[2])
    assert column[3:].tolist() == [2.5, 3.3]


def test_fit_invalid_altitudes_are_missing_not_twelve_kilometres_high(tmp_path):
    """A Forerunner 255 leaves altitude at the FIT invalid value while it has no fix."""
    points = run_points(START, km=2, elevation=lambda d: 80.0)
    data = device_fit_bytes(points, product=FR255, altitude=lambda i, p: None if i % 7 == 0 or i < 30 else p.ele)
    activity = _read(tmp_path, data, "fr255.fit")
    assert activity.stream["elevation_m"].max() == pytest.approx(80, abs=0.3)
    assert activity.summary["ascent_m"] < 2


# ------------------------------------------------------------------------- placeholder altitudes

def _tomtom_points():
    return run_points(START, km=3, speed_mps=3.0, elevation=lambda d: 40 + 10 * np.sin(2 * np.pi * d / 1500))


@pytest.mark.parametrize("fmt", ["fit", "gpx", "tcx"])
def test_tomtom_first_altitude_of_minus_500_m_is_not_a_climb(tmp_path, fmt):
    """A TomTom Runner writes -500 m as its first altitude, before its first GPS fix: kept,
    it counted as a 540 m climb (a real TomTom file: 444 m of ascent on a run measured at 50 m)."""
    def tomtom(points) -> bytes:
        if fmt == "fit":
            return device_fit_bytes(points, manufacturer=TOMTOM, product=2016)
        return gpx_bytes(points) if fmt == "gpx" else tcx_bytes(points)

    points = _tomtom_points()
    clean = _read(tmp_path, tomtom(points), f"clean.{fmt}").summary
    points[0].ele = points[1].ele = -500.0
    activity = _read(tmp_path, tomtom(points), f"tomtom.{fmt}")
    assert activity.stream["elevation_m"].min() > 25
    assert activity.summary["ascent_m"] == pytest.approx(clean["ascent_m"], abs=2)  # 40 m, not 480
    assert activity.summary["descent_m"] == pytest.approx(clean["descent_m"], abs=2)


@pytest.mark.parametrize("fmt", ["fit", "gpx"])
def test_an_altitude_spike_of_a_kilometre_is_dropped_before_smoothing(tmp_path, fmt):
    points = run_points(START, km=4, elevation=lambda d: 60.0)
    for p in points[600:604]:
        p.ele = 1060.0  # four samples a kilometre up: a glitch, not a hill
    points[900].ele = -480.0  # below any land
    data = device_fit_bytes(points, product=FR255) if fmt == "fit" else gpx_bytes(points)
    activity = _read(tmp_path, data, f"spike.{fmt}")
    assert activity.stream["elevation_m"].between(59, 61).all()
    assert activity.summary["ascent_m"] < 2 and activity.summary["descent_m"] < 2


def test_a_run_that_starts_high_and_settles_keeps_its_longer_side():
    """The cut keeps the longer side of a jump: here 30 glitched samples at the start."""
    from strideload.ingest.terrain import plausible_elevation

    seconds = np.arange(600.0)
    elevation = np.where(seconds < 30, 400.0, 200.0 + seconds / 100)
    cleaned = plausible_elevation(seconds, elevation)
    assert np.isnan(cleaned[:30]).all() and np.isfinite(cleaned[30:]).all()
    # across a pause longer than a minute a big change is kept (a lift, a drive to the trailhead)
    paused = np.concatenate((np.arange(300.0), np.arange(300.0) + 1200))
    assert np.isfinite(plausible_elevation(paused, np.where(paused < 1000, 100.0, 900.0))).all()


# ------------------------------------------------------------------------- which sensor the elevation is

def _gps_wander(d):
    """Filtered GPS elevation: the hills plus a slow 2 m wander, smooth enough to look barometric."""
    return _hills(d) + 2.0 * np.sin(2 * np.pi * d / 150 + 0.3)


@pytest.mark.parametrize("product, sensor", [(FR735XT, "gps"), (FR630, "gps"), (FENIX3, "barometric")])
def test_the_device_decides_the_sensor_before_the_signal(tmp_path, product, sensor):
    """A Forerunner 735XT or 630 has no barometer: its filtered GPS elevation looks barometric,
    and counted as barometric its ascent comes out about 25 % high. The same signal from a
    fēnix 3 (which has one) is counted as barometric."""
    points = run_points(START, km=5, speed_mps=3.0, elevation=_gps_wander)
    activity = _read(tmp_path, device_fit_bytes(points, product=product), "run.fit")
    assert activity.summary["elevation_source"] == sensor
    if sensor == "gps":
        assert activity.summary["ascent_m"] == pytest.approx(100, rel=0.08)
    else:
        assert activity.summary["ascent_m"] > 115


def test_tcx_creator_names_the_watch_without_a_barometer(tmp_path):
    points = run_points(START, km=5, speed_mps=3.0, elevation=_gps_wander)
    data = tcx_bytes(points).replace(b"<Name>Forerunner 245</Name>", b"<Name>Forerunner 630</Name>")
    activity = _read(tmp_path, data, "fr630.tcx")
    assert (activity.summary["device"], activity.summary["elevation_source"]) == ("Forerunner 630", "gps")
    assert activity.summary["ascent_m"] == pytest.approx(100, rel=0.08)


def test_an_unknown_device_is_judged_by_its_noise_and_no_elevation_is_none(tmp_path):
    rng = np.random.default_rng(5)
    noisy = run_points(START, km=5, elevation=lambda d: _hills(d) + rng.normal(0, 3.0))
    activity = _read(tmp_path, gpx_bytes(noisy).replace(b"StravaGPX", b"Some Tracker"), "noisy.gpx")
    assert activity.summary["elevation_source"] == "gps"
    quiet = _read(tmp_path, gpx_bytes(run_points(START, km=5, elevation=_hills)), "quiet.gpx")
    assert quiet.summary["elevation_source"] == "barometric"
    flat = run_points(START, km=2)
    activity = _read(tmp_path, device_fit_bytes(flat, product=FR255, altitude=lambda i, p: None), "none.fit")
    assert activity.summary["elevation_source"] == "none" and activity.summary["ascent_m"] is None


# ------------------------------------------------------------------------- the device's own cadence

def test_fit_session_cadence_is_doubled_to_steps_per_minute(tmp_path):
    """A fēnix 3 stores 82 strides/min and 0.5 of a fraction: the watch app shows 165 steps/min."""
    points = run_points(START, km=3, cadence_spm=166)
    activity = _read(tmp_path, device_fit_bytes(points, product=FENIX3, session_cadence=(82, 0.5)), "f3.fit")
    assert activity.summary["device_cadence_spm"] == pytest.approx(165.0)
    assert activity.summary["cadence_spm"] == pytest.approx(166, abs=1)


def test_tcx_lap_cadence_is_the_time_weighted_average_of_the_laps(tmp_path):
    """A Forerunner 620 TCX carries each lap's AvgRunCadence (per foot) in its lap extension."""
    points = run_points(START, km=2)
    data = tcx_bytes(points).replace(
        b"<Track>", b'<Extensions><LX xmlns="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
                    b"<AvgRunCadence>86</AvgRunCadence></LX></Extensions><Track>", 1)
    activity = _read(tmp_path, data, "fr620.tcx")
    assert activity.summary["device_cadence_spm"] == pytest.approx(172.0)
    assert _read(tmp_path, gpx_bytes(points), "run.gpx").summary["device_cadence_spm"] is None


def test_cycling_cadence_is_kept_in_rpm(tmp_path):
    points = run_points(START, km=10, speed_mps=8, cadence_spm=180)  # 90 rpm once halved
    activity = _read(tmp_path, device_fit_bytes(points, product=FR255, sport=2, session_cadence=(90, 0.0)),
                     "ride.fit")
    assert activity.summary["device_cadence_spm"] == 90.0


# ------------------------------------------------------------------------- surface of a plain GPS run

def test_a_generic_gps_run_is_road_by_default(tmp_path):
    """Most watches record a plain "Run" as FIT running/generic (here a Forerunner 255)."""
    activity = _read(tmp_path, device_fit_bytes(run_points(START, km=1), product=FR255), "run.fit")
    assert (activity.summary["sub_sport"], activity.summary["surface"]) == ("generic", "road")
    assert activity.summary["surface_source"] == GPS_DEFAULT


def test_a_name_or_sub_sport_still_beats_the_road_default(tmp_path):
    activity = _read(tmp_path, gpx_bytes(run_points(START, km=1), name="Trail run in Nordmarka"), "t.gpx")
    assert activity.summary["surface"] == "trail"
    trail = _read(tmp_path, device_fit_bytes(run_points(START, km=1), product=FR255, sub_sport=3), "t.fit")
    assert trail.summary["surface"] == "trail"


def test_runs_without_moving_gps_are_indoor_or_unknown(tmp_path):
    treadmill = run_points(START, km=1)
    for p in treadmill:  # GPS on in the gym: a fix that drifts a few metres, distance from the foot pod
        p.lat, p.lon = 59.91 + 0.00003 * np.sin(p.dist), 10.75
    activity = _read(tmp_path, device_fit_bytes(treadmill, product=FR255), "gym.fit")
    assert activity.summary["surface"] == "indoor"
    no_gps = _read(tmp_path, device_fit_bytes(run_points(START, km=1), product=FR255, gps=False), "nogps.fit")
    assert no_gps.summary["surface"] == "indoor"
    fix = read_fit(device_fit_bytes(run_points(START, km=1), product=FR255, gps=False), "x.fit")[0]
    fix.columns["distance_m"] = np.full(fix.sample_count, np.nan)
    fix.columns["speed_mps"] = np.full(fix.sample_count, np.nan)
    fix.totals.distance_m = None
    from strideload.ingest.stream import normalise

    bare = normalise(fix, athlete="ana", sha256="0" * 64, source_path="x.fit", config=CONFIG)
    assert (bare.summary["surface"], bare.summary["surface_source"]) == ("unknown", "no rule matched")
