"""Reading FIT: real watch files checked against the devices' own session totals, and built cases."""

from __future__ import annotations

import functools
import gzip
import logging
import math

import numpy as np
import pandas as pd
import pytest
from corpus import CORPUS_DIR, manifest_rows, requires_corpus
from files import fit_bytes, run_points, utc

from strideload.errors import CorruptFileError, FileImportError, NoActivityError
from strideload.ingest.fit import read_fit
from strideload.model import RAW_COLUMNS, RUNNING_SPORTS, RawActivity

FIT_ROWS = [row for row in manifest_rows() if row["format"] == "fit"]
GROUND_TRUTH = [row for row in FIT_ROWS if row["category"] == "running:ground-truth"]
MULTISESSION = [row for row in FIT_ROWS if row["category"] == "edge:multisession"]
OTHER_SPORT = [row for row in FIT_ROWS if row["category"] == "other-sport"]
#: Running sessions with device totals: the single-session ground truth plus the first running
#: session of the multisport files (the manifest's ``gt_source`` names which one).
RUNNING_TOTALS = GROUND_TRUTH + [row for row in MULTISESSION if row["is_running"] == "True"]
#: FR70 downloads timed only relative to the watch's power-up: no record can be dated.
UNDATED = {"fitparse/compressed-speed-distance.fit", "fitparse/antfs-dump.63.fit"}


def corpus_bytes(name: str) -> bytes:
    data = (CORPUS_DIR / "files" / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


@functools.cache
def read_corpus(name: str) -> list[RawActivity]:
    """``read_fit`` of a corpus file, read once per test session (tests only look)."""
    return read_fit(corpus_bytes(name), name)


def ids(rows):
    return [row["file"] for row in rows]


def first_running(activities: list[RawActivity]) -> RawActivity:
    return next(a for a in activities if a.sport in RUNNING_SPORTS)


def gt(row: dict[str, str], key: str) -> float | None:
    return float(row[key]) if row[key] else None


def check_contract(activities: list[RawActivity]) -> None:
    assert activities
    assert [a.session_index for a in activities] == list(range(len(activities)))
    for activity in activities:
        assert activity.format == "fit"
        assert list(activity.samples.columns) == list(RAW_COLUMNS)
        assert str(activity.samples["time"].dtype) == "datetime64[ns, UTC]"
        assert activity.samples["time"].is_monotonic_increasing and activity.samples["time"].is_unique
        assert activity.start_time is None or activity.start_time.utcoffset().total_seconds() == 0
        assert activity.sport is None or activity.sport == activity.sport.lower()


# --- built files ---------------------------------------------------------------------


def test_a_built_run_reads_in_si_units_with_steps_per_minute():
    points = run_points(utc(2024, 5, 1, 7), km=1.0, speed_mps=3.0, cadence_spm=171)
    [run] = read_fit(fit_bytes(points), "run.fit")
    check_contract([run])
    assert (run.sport, run.sub_sport, run.device) == ("running", "generic", "garmin vivoactive3")  # product 2700, named
    assert run.start_time == utc(2024, 5, 1, 7) and run.utc_offset_s == 7200
    assert run.totals.distance_m == pytest.approx(points[-1].dist)
    assert run.totals.timer_s == run.totals.elapsed_s == pytest.approx(333.0)
    samples = run.samples
    assert len(samples) == len(points)
    assert samples["time"].iloc[-1] == pd.Timestamp(points[-1].time)
    assert (samples["cadence_spm"] == 171).all()  # 85 per foot + fractional 64/128, doubled
    assert samples["speed_mps"].iloc[0] == pytest.approx(3.0)
    assert samples["distance_m"].iloc[-1] == pytest.approx(points[-1].dist)
    assert samples["elevation_m"].iloc[0] == pytest.approx(100.0)
    assert samples["latitude_deg"].iloc[-1] == pytest.approx(points[-1].lat, abs=1e-6)
    assert samples["longitude_deg"].iloc[-1] == pytest.approx(points[-1].lon, abs=1e-6)
    assert samples["heart_rate_bpm"].iloc[0] == 140


@pytest.mark.parametrize(("sport", "expected"), [("RUNNING", 170.0), ("WALKING", 170.0), ("CYCLING", 85.0)])
def test_cadence_is_doubled_for_foot_sports_only(sport, expected):
    points = run_points(utc(2024, 5, 1, 7), km=0.2, cadence_spm=170)  # written as 85 per foot
    [activity] = read_fit(fit_bytes(points, sport=sport), "x.fit")
    assert activity.sport == sport.lower()
    assert (activity.samples["cadence_spm"] == expected).all()


def test_a_file_without_a_local_time_has_no_utc_offset():
    [run] = read_fit(fit_bytes(run_points(utc(2024, 5, 1, 7), km=0.2), utc_offset_s=None), "x.fit")
    assert run.utc_offset_s is None


def test_chained_files_give_one_activity_per_session_numbered_across_the_stream():
    run = fit_bytes(run_points(utc(2024, 5, 1, 7), km=0.5))
    ride = fit_bytes(run_points(utc(2024, 5, 1, 9), km=2.0, speed_mps=8.0), sport="CYCLING")
    activities = read_fit(run + ride + bytes(7), "chained.fit")  # trailing padding is ignored
    check_contract(activities)
    assert [(a.session_index, a.sport) for a in activities] == [(0, "running"), (1, "cycling")]
    assert activities[1].samples["time"].iloc[0] == pd.Timestamp(utc(2024, 5, 1, 9))
    assert activities[0].samples["time"].iloc[-1] < pd.Timestamp(utc(2024, 5, 1, 8))


def test_bytes_without_a_fit_header_are_corrupt():
    with pytest.raises(CorruptFileError) as caught:
        read_fit(b"<?xml version='1.0'?><gpx/>", "not-fit.fit")
    assert caught.value.offset == 0 and caught.value.path == "not-fit.fit"


def test_every_cut_of_a_built_file_salvages_records_or_fails_cleanly(caplog):
    data = fit_bytes(run_points(utc(2024, 5, 1, 7), km=1.0))
    for cut in range(0, len(data), 97):
        try:
            activities = read_fit(data[:cut], "cut.fit")
        except CorruptFileError as exc:
            assert exc.path == "cut.fit" and exc.__cause__ is not None or exc.offset == 0
        except NoActivityError:
            pass  # cut before the second record: nothing dated to keep
        else:
            check_contract(activities)
            assert activities[0].totals.distance_m in (None, pytest.approx(999.0))  # the summary comes last
            assert activities[0].samples["time"].iloc[0] == pd.Timestamp(utc(2024, 5, 1, 7))
    assert "truncated" in caplog.text


def test_a_byte_lost_mid_file_is_skipped_and_the_run_kept(caplog):
    data = fit_bytes(run_points(utc(2024, 5, 1, 7), km=1.0, cadence_spm=170))
    with caplog.at_level(logging.WARNING):
        [run] = read_fit(data[:3001] + data[3002:], "short.fit")
    assert "skipped 1 damaged message" in caplog.text
    assert run.totals.distance_m == pytest.approx(999.0)
    assert len(run.samples) >= 330 and (run.samples["cadence_spm"] == 170).all()


# --- the real files ---------------------------------------------------------------------


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", FIT_ROWS, ids=ids(FIT_ROWS))
def test_every_fit_file_imports_or_fails_with_a_file_import_error(row):
    try:
        activities = read_corpus(row["file"])
    except FileImportError as exc:
        assert exc.path == row["file"]
        assert row["category"].startswith("edge:"), f"{row['file']} should import: {exc}"
        return
    check_contract(activities)
    if row["n_sessions"] not in ("", "0"):
        assert len(activities) == int(row["n_sessions"])
    if row["is_running"] == "True":
        assert any(a.sport in RUNNING_SPORTS for a in activities)


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", RUNNING_TOTALS, ids=ids(RUNNING_TOTALS))
def test_running_session_totals_are_the_devices_own(row):
    run = first_running(read_corpus(row["file"]))
    totals = run.totals
    assert totals.distance_m == pytest.approx(gt(row, "gt_total_distance_m"))
    assert totals.timer_s == pytest.approx(gt(row, "gt_total_timer_time_s"))
    assert totals.elapsed_s == pytest.approx(gt(row, "gt_total_elapsed_time_s"))
    assert totals.ascent_m == pytest.approx(gt(row, "gt_total_ascent_m"))
    assert totals.descent_m == pytest.approx(gt(row, "gt_total_descent_m"))


DISTANCE_ROWS = [row for row in GROUND_TRUTH if row["ref_last_record_distance_m"] and row["file"] not in UNDATED]


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", DISTANCE_ROWS, ids=ids(DISTANCE_ROWS))
def test_last_record_distance_matches_the_records(row):
    run = first_running(read_corpus(row["file"]))
    last = run.samples["distance_m"].dropna().iloc[-1]
    assert last == pytest.approx(gt(row, "ref_last_record_distance_m"), rel=0.005)


CADENCE_ROWS = [row for row in RUNNING_TOTALS if row["gt_avg_cadence"] and row["file"] not in UNDATED]


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", CADENCE_ROWS, ids=ids(CADENCE_ROWS))
def test_cadence_is_in_steps_per_minute_like_the_devices_average(row):
    """The device average (per foot) doubled must match our steps/min.

    The device average is a mean over the timer time, standing and walking included, so the
    median of the moving samples sits above it in runs with walk breaks (up to 20 steps/min
    in the workoutizer runs): the median is only checked not to fall below it. Devices average
    one of two ways: time-weighted over the timer (fenix, Forerunner 645/920XT) or over the
    samples with a cadence (Forerunner 25); one of them must agree within 3 steps/min.
    """
    run = first_running(read_corpus(row["file"]))
    device_spm = 2 * (gt(row, "gt_avg_cadence") + (gt(row, "gt_avg_fractional_cadence") or 0.0))
    samples = run.samples.dropna(subset=["cadence_spm"])
    cadence = samples["cadence_spm"].to_numpy()
    seconds = samples["time"].astype("int64").to_numpy() / 1e9
    weights = np.minimum(np.diff(seconds, prepend=seconds[0]), 30.0)  # a sample covers the time since the last
    time_weighted = float(np.sum(cadence * weights) / np.sum(weights))
    with_cadence = float(cadence[cadence > 0].mean())
    assert min(abs(time_weighted - device_spm), abs(with_cadence - device_spm)) <= 3.0
    moving = samples["speed_mps"] > 1.0
    assert samples.loc[moving, "cadence_spm"].median() >= device_spm - 3.0


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", OTHER_SPORT, ids=ids(OTHER_SPORT))
def test_other_sports_never_come_back_as_running(row):
    activities = read_corpus(row["file"])
    assert all(a.sport not in RUNNING_SPORTS for a in activities)
    assert activities[0].sport == row["sport"]
    if activities[0].sport == "cycling" and row["gt_avg_cadence"] and len(activities[0].samples):
        pedal = activities[0].samples["cadence_spm"]  # rpm, never doubled
        assert pedal[pedal > 0].median() < 2 * gt(row, "gt_avg_cadence")


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", MULTISESSION, ids=ids(MULTISESSION))
def test_multisession_files_give_every_session_its_own_records(row):
    activities = read_corpus(row["file"])
    assert len(activities) == int(row["n_sessions"])
    for activity in activities:
        if len(activity.samples) and activity.start_time is not None and activity.totals.elapsed_s:
            first, last = activity.samples["time"].iloc[[0, -1]]
            assert first >= pd.Timestamp(activity.start_time)
            assert (last - first).total_seconds() <= activity.totals.elapsed_s * 1.5 + 60


@pytest.mark.corpus
@requires_corpus
def test_chained_triathlon_gives_its_run_with_records():
    activities = read_fit(corpus_bytes("fitparse/sample_mulitple_header.fit"), "x.fit")
    assert [a.sport for a in activities] == ["swimming", "transition", "cycling", "transition", "running"]
    run = activities[4]
    assert run.device == "garmin fr920xt" and run.totals.distance_m == pytest.approx(9805.92)
    distance = run.samples["distance_m"].dropna()  # cumulative over the whole triathlon
    assert distance.iloc[-1] - distance.iloc[0] == pytest.approx(9805.92, rel=0.01)
    assert run.samples["cadence_spm"].median() == pytest.approx(167, abs=3)


@pytest.mark.corpus
@requires_corpus
def test_summary_messages_first_or_last_give_the_same_activities():
    first = read_fit(corpus_bytes("muktihari-fit/triathlon_summary_first.fit"), "first.fit")
    last = read_fit(corpus_bytes("muktihari-fit/triathlon_summary_last.fit"), "last.fit")
    assert len(first) == len(last) == 5
    for a, b in zip(first, last):
        assert (a.sport, a.sub_sport, a.start_time, a.totals) == (b.sport, b.sub_sport, b.start_time, b.totals)
        pd.testing.assert_frame_equal(a.samples, b.samples)
    assert first[4].samples["distance_m"].iloc[-1] == pytest.approx(18726.43)


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("name", ["fitparse/Settings.fit", "muktihari-fit/valid_only_contain_fileid.fit"])
def test_fit_files_that_are_not_activities(name):
    with pytest.raises(NoActivityError):
        read_fit(corpus_bytes(name), name)


@pytest.mark.corpus
@requires_corpus
def test_truncated_ride_keeps_the_records_before_the_cut(caplog):
    with caplog.at_level(logging.WARNING):
        [ride] = read_fit(corpus_bytes("fitparse/nick.fit"), "nick.fit")
    assert "truncated" in caplog.text
    assert ride.sport == "cycling" and ride.totals.distance_m is None
    assert ride.start_time == utc(2020, 9, 12, 12, 23, 38)
    assert ride.samples["distance_m"].iloc[-1] == pytest.approx(113550.87)


@pytest.mark.corpus
@requires_corpus
def test_strava_app_run_with_short_records_is_read_to_the_end(caplog):
    name = "fitparse/strava-android-app-201.10-b1218918.fit"
    with caplog.at_level(logging.WARNING):
        [run] = read_fit(corpus_bytes(name), name)
    assert "damaged messages" in caplog.text
    assert run.sport == "running" and run.totals.distance_m == pytest.approx(11274.04)
    samples = run.samples
    assert samples["distance_m"].dropna().iloc[-1] == pytest.approx(11274.04, rel=0.005)
    assert samples["distance_m"].dropna().is_monotonic_increasing
    assert samples["latitude_deg"].dropna().between(43, 45).all()  # no misread position survives
    assert samples["latitude_deg"].isna().sum() <= 20  # the short position records themselves are dropped
    assert samples["speed_mps"].max() < 6.0 and samples["elevation_m"].dropna().between(1000, 1200).all()
    assert (samples["time"].iloc[-1] - samples["time"].iloc[0]).total_seconds() <= run.totals.elapsed_s + 1


@pytest.mark.corpus
@requires_corpus
def test_coros_field_of_the_wrong_size_is_read_as_bytes():
    name = "fitparse/coros-pace-2-cycling-misaligned-fields.fit"
    [ride] = read_fit(corpus_bytes(name), name)
    assert ride.sport == "cycling" and ride.totals.distance_m == pytest.approx(32145.76)
    assert len(ride.samples) == 11272
    assert ride.samples["distance_m"].iloc[-1] == pytest.approx(32143.88)


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("name", sorted(UNDATED))
def test_records_timed_from_power_up_cannot_be_dated(name, caplog):
    """FR70 downloads carry only device-relative times (no absolute date anywhere), so the
    session keeps its totals but no start time and no samples; the normaliser then refuses
    it as undated training instead of filing it in 1990."""
    [run] = read_fit(corpus_bytes(name), name)
    assert run.sport == "running" and run.start_time is None and run.samples.empty
    assert run.totals.timer_s is not None
    assert "device-relative" in caplog.text


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("fraction", [0.0, 0.004, 0.1, 0.5, 0.93, 0.999])
def test_truncated_copies_of_a_real_run_salvage_or_fail_cleanly(fraction):
    data = corpus_bytes("workoutizer/run_with_coordinates.fit")
    cut = data[: math.floor(len(data) * fraction)]
    try:
        activities = read_fit(cut, "cut.fit")
    except (CorruptFileError, NoActivityError) as exc:
        assert exc.path == "cut.fit"
        return
    check_contract(activities)
    assert activities[0].samples["distance_m"].iloc[-1] <= 6001.89
