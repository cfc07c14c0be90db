"""The fast columnar FIT path against its oracle: fitparse, through the tolerant path.

Every FIT file of the corpus and every generated layout is read both ways; the sessions,
their samples (float tolerance) and the normalised activity summaries must agree. The
default run covers the corpus files up to 120 KB and small generated files; the whole
corpus runs with ``STRIDELOAD_LONG=1``.
"""

from __future__ import annotations

import gzip
import logging
import math
from zoneinfo import ZoneInfo

import fitparse
import numpy as np
import pandas as pd
import pytest
from corpus import CORPUS_DIR, manifest_rows, requires_corpus
from files import run_points, utc
from fitbuild import F, FitBuilder, run_fit, smart_points
from hypothesis import given, settings
from hypothesis import strategies as st

from strideload.errors import FileImportError
from strideload.ingest import fit_columnar
from strideload.ingest.fit import MIN_DATE_S, read_fit, read_fit_tolerant
from strideload.ingest.stream import normalise

FIT_ROWS = [row for row in manifest_rows() if row["format"] == "fit"]
SMALL_ROWS = [row for row in FIT_ROWS if int(row["size_bytes"] or 0) <= 120_000]
ZONE = ZoneInfo("Europe/Oslo")


def _read(reader, data: bytes, name: str):
    try:
        return reader(data, name)
    except FileImportError as exc:
        return type(exc), exc.reason


def summaries(activities) -> list[dict]:
    out = []
    for raw in activities:
        try:
            out.append(normalise(raw, athlete="a", sha256="0" * 64, source_path="x.fit", zone=ZONE).summary)
        except FileImportError as exc:
            out.append({"error": exc.reason})
    return out


def assert_same_both_ways(data: bytes, name: str) -> None:
    fast, tolerant = _read(read_fit, data, name), _read(read_fit_tolerant, data, name)
    if isinstance(tolerant, tuple):
        assert fast == tolerant
        return
    assert not isinstance(fast, tuple), fast
    assert len(fast) == len(tolerant)
    for a, b in zip(fast, tolerant):
        assert (a.sport, a.sub_sport, a.start_time, a.utc_offset_s, a.device, a.name, a.totals, a.session_index) \
            == (b.sport, b.sub_sport, b.start_time, b.utc_offset_s, b.device, b.name, b.totals, b.session_index)
        pd.testing.assert_frame_equal(a.samples, b.samples, check_exact=False, rtol=1e-9)
    for x, y in zip(summaries(fast), summaries(tolerant)):
        assert x.keys() == y.keys()
        for key in x:
            if isinstance(x[key], float) and isinstance(y[key], float):
                assert x[key] == pytest.approx(y[key], rel=1e-9, nan_ok=True), key
            else:
                assert x[key] == y[key], key


def corpus_bytes(name: str) -> bytes:
    data = (CORPUS_DIR / "files" / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", SMALL_ROWS, ids=[row["file"] for row in SMALL_ROWS])
def test_small_corpus_files_read_the_same_both_ways(row):
    assert_same_both_ways(corpus_bytes(row["file"]), row["file"])


@pytest.mark.long
@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", FIT_ROWS, ids=[row["file"] for row in FIT_ROWS])
def test_every_corpus_file_reads_the_same_both_ways(row):
    assert_same_both_ways(corpus_bytes(row["file"]), row["file"])


@pytest.mark.corpus
@requires_corpus
def test_the_fast_path_reads_nearly_all_of_the_corpus_itself():
    """Only damaged files (truncated, or with messages a byte short) need the tolerant path."""
    fallbacks = []
    for row in FIT_ROWS:
        try:
            fit_columnar.decode(corpus_bytes(row["file"]), row["file"])
        except fit_columnar.Unsupported:
            fallbacks.append(row["file"])
    assert fallbacks == ["fitparse/nick.fit", "fitparse/strava-android-app-201.10-b1218918.fit"]


def _points(km: float = 0.6, *, gaps: bool = False):
    points = run_points(utc(2024, 5, 1, 7), km=km, speed_mps=3.1, cadence_spm=171,
                        elevation=lambda d: 100 + 8 * math.sin(d / 150))
    return smart_points(points) if gaps else points


LAYOUTS = {
    "plain": {},
    "big-endian": {"big_endian": True},
    "compressed-timestamps": {"compressed_timestamps": True},
    "compressed-speed-distance": {"compressed_speed_distance": True},
    "developer-fields": {"developer": True},
    "interleaved-hrv-and-events": {"interleave_every": 3},
    "redefined-every-50-records-alternating-byte-order": {"redefine_every": 50},
    "header-crc-0": {"header_crc": False},
    "cycling-cadence-not-doubled": {"sport": 2},
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
@pytest.mark.parametrize("gaps", [False, True], ids=["1Hz", "smart"])
def test_generated_layouts_read_the_same_both_ways_and_stay_on_the_fast_path(layout, gaps, caplog):
    data = run_fit(_points(gaps=gaps), **LAYOUTS[layout])
    with caplog.at_level(logging.INFO, logger="strideload"):
        assert_same_both_ways(data, f"{layout}.fit")
    assert "tolerant" not in caplog.text


@pytest.mark.parametrize("layout", ["plain", "big-endian", "compressed-timestamps", "compressed-speed-distance"])
def test_record_values_match_fitparse_itself(layout):
    points = _points(gaps=True)
    data = run_fit(points, **LAYOUTS[layout])
    expected = [m.get_values() for m in fitparse.FitFile(data, check_crc=True).get_messages("record")]
    columns = fit_columnar.decode(data, "x.fit").records
    assert len(expected) == len(columns["timestamp"]) == len(points)
    seconds = [(r["timestamp"] - utc(1989, 12, 31).replace(tzinfo=None)).total_seconds() for r in expected]
    assert columns["timestamp"].tolist() == seconds
    for ours, theirs in (("distance", "distance"), ("speed", "speed"), ("enhanced_speed", "enhanced_speed"),
                         ("enhanced_altitude", "enhanced_altitude"), ("heart_rate", "heart_rate"),
                         ("position_lat", "position_lat")):
        want = np.array([np.nan if r.get(theirs) is None else r[theirs] for r in expected], dtype=float)
        np.testing.assert_allclose(columns[ours], want, rtol=1e-12, equal_nan=True, err_msg=ours)


def test_chained_files_read_the_same_both_ways():
    run = run_fit(_points())
    ride = run_fit(run_points(utc(2024, 5, 1, 9), km=1.0, speed_mps=8.0), sport=2, compressed_timestamps=True)
    assert_same_both_ways(run + ride + bytes(5), "chained.fit")
    assert [a.sport for a in read_fit(run + ride, "chained.fit")] == ["running", "cycling"]


def test_arrays_give_their_first_valid_element():
    """Newer Garmins write enhanced_speed and enhanced_altitude as 2-element arrays."""
    points = _points()
    [run] = read_fit(run_fit(points, arrays=True), "arrays.fit")
    np.testing.assert_allclose(run.samples["speed_mps"], 3.1)
    np.testing.assert_allclose(run.samples["elevation_m"], [p.ele for p in points], atol=0.2)


def test_invalid_values_are_absent_and_a_later_field_wins():
    """heart_rate invalid (0xFF) is NaN; altitude's component fills enhanced_altitude unless a later
    enhanced_altitude field is valid, as fitparse orders them."""
    b = FitBuilder()
    b.define(0, "record", [F("timestamp", "uint32"), F("altitude", "uint16"), F("enhanced_altitude", "uint32"),
                           F("heart_rate", "uint8")])
    t0 = 1_000_000_000
    b.data(0, t0, 2600, None, None)  # altitude 20 m -> enhanced_altitude 20 m
    b.data(0, t0 + 1, 2600, 3000, 150)  # the later enhanced_altitude (100 m) wins
    b.define(1, "session", [F("timestamp", "uint32"), F("start_time", "uint32"), F("sport", "enum")])
    b.data(1, t0 + 1, t0, 1)
    data = b.file()
    assert_same_both_ways(data, "x.fit")
    [run] = read_fit(data, "x.fit")
    assert run.samples["elevation_m"].tolist() == [20.0, 100.0]
    assert math.isnan(run.samples["heart_rate_bpm"].iloc[0]) and run.samples["heart_rate_bpm"].iloc[1] == 150


@pytest.mark.parametrize(("damage", "reason"), [
    (lambda d: d[:-900], "truncated"),
    (lambda d: d[:3001] + d[3002:], "undefined local message type"),
])
def test_damaged_files_fall_back_to_the_tolerant_path_and_say_why(damage, reason, caplog):
    data = damage(run_fit(_points(km=1.0)))
    with caplog.at_level(logging.INFO, logger="strideload"):
        fast = read_fit(data, "damaged.fit")
    assert "read with the tolerant FIT path" in caplog.text
    tolerant = read_fit_tolerant(data, "damaged.fit")
    pd.testing.assert_frame_equal(fast[0].samples, tolerant[0].samples)
    with pytest.raises(fit_columnar.Unsupported, match=reason):
        fit_columnar.decode(data, "damaged.fit")


def test_definitions_remembered_across_files_never_mix_their_data():
    """Two files with the same definitions read alternately give each its own records."""
    a = run_fit(_points(km=0.3))
    b = run_fit(run_points(utc(2025, 1, 2, 8), km=0.5, speed_mps=2.5))
    for _ in range(2):
        [run_a], [run_b] = read_fit(a, "a.fit"), read_fit(b, "b.fit")
        assert run_a.samples["time"].iloc[0] == pd.Timestamp(utc(2024, 5, 1, 7))
        assert run_b.samples["time"].iloc[0] == pd.Timestamp(utc(2025, 1, 2, 8))
        assert run_b.samples["speed_mps"].iloc[0] == pytest.approx(2.5)


_FIT_S = st.sampled_from([5, MIN_DATE_S - 1, 1_000_000_000, 1_000_000_001, 1_000_000_002, 1_000_000_003, 2**32 - 2])


@settings(max_examples=80, deadline=None)
@given(times=st.lists(_FIT_S, max_size=10), absent=st.sets(st.sampled_from(fit_columnar.RECORD_FIELDS[1:])),
       seed=st.integers(0, 2**32 - 1))
def test_record_columns_no_field_fed_change_nothing_when_left_unmerged(times, absent, seed):
    """records_frame skips merging columns that no field fed (Decoded.present); the frame is the one
    it makes merging them all, whatever the order, repeats and range of the record times."""
    rng = np.random.default_rng(seed)
    n = len(times)
    columns = {name: np.full(n, np.nan) if name in absent else rng.choice([np.nan, 0.0, 1.5, 128.0], n)
               for name in fit_columnar.RECORD_FIELDS}
    columns["timestamp"] = np.array(times, dtype=np.int64)
    every = fit_columnar.records_frame(dict(columns))
    fed = fit_columnar.records_frame(dict(columns), frozenset(fit_columnar.RECORD_FIELDS) - absent)
    assert every.columns == fed.columns
    for name in every.columns:
        np.testing.assert_array_equal(every[name], fed[name], err_msg=name)
    if fed.span is not None:
        assert fed.span == (fed["t"].min(), fed["t"].max())
