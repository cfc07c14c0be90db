"""An import worker reads, checks, normalises and encodes without pandas.

pandas costs about 0.55 s to import; every ``strideload import`` with workers paid it once more
in the process that forks them. What replaced the pandas calls on that path is checked here
against pandas itself: ISO times as the GPX/TCX readers write them, records sharing a second
(FIT), and unordered sample times.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from files import gpx_bytes, run_points, tcx_bytes, utc
from fitbuild import run_fit, smart_points
from hypothesis import given, settings
from hypothesis import strategies as st

from strideload.ingest import xmlsamples
from strideload.ingest.fit_records import first_per_second
from strideload.model import sample_columns


def pandas_times(texts: list) -> np.ndarray:
    """What ``parse_times`` gave when pandas read every text: microseconds, NaT outside the years."""
    texts = [t.decode("ascii", "replace") if isinstance(t, bytes) else t for t in texts]
    stamps = pd.to_datetime(pd.Index(texts, dtype="object"), utc=True, errors="coerce",
                            format="ISO8601").as_unit("us").asi8.copy()
    low, high = xmlsamples._PLAUSIBLE
    stamps[(stamps < low) | (stamps >= high)] = xmlsamples._NAT
    return stamps


FORMS = ["2024-05-04T07:00:00Z", "2024-05-04T07:00:00.123Z", "2024-05-04T07:00:00.1234567Z",
         "2024-05-04T07:00:00.123456789Z", "2024-05-04T07:00:00.5Z", "2024-05-04T07:00:00",
         "2024-05-04T07:00:00+02:00", "2024-05-04T07:00:00.250-05:30", "2024-05-04T00:30:00+14:00",
         "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2024-13-01T00:00:00Z", "2024-05-04T24:00:00Z",
         "2024-05-04T07:00:60Z", "2024-05-04T07:00:00+24:00", "2024-05-04T07:00:00+02:60",
         "2024-05-04T07:00:00+0200", "2024-05-04 07:00:00Z", "1979-12-31T23:59:59Z", "2200-12-31T23:59:59Z",
         "2201-01-01T00:00:00Z", "2024-05-04T07:00:0aZ", "2024-05-04T07:00:00.12aZ", "", "not a time",
         None, b"2024-05-04T07:00:00Z", "2024-05-04T07:00:00ZZ", "２０２４-05-04T07:00:00Z"]


def test_every_form_of_time_reads_as_pandas_reads_it():
    assert list(xmlsamples.parse_times(FORMS).view("int64")) == list(pandas_times(FORMS))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(
    st.integers(1975, 2205), st.integers(0, 13), st.integers(0, 32), st.integers(0, 24), st.integers(0, 60),
    st.integers(0, 60), st.text("0123456789", max_size=10),
    st.sampled_from(["Z", "", "+00:00", "+02:00", "-05:30", "+13:45", "-23:59", "+24:00", "+01:60"])),
    min_size=1, max_size=40))
def test_random_times_read_as_pandas_reads_them(parts):
    texts = [f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{'.' + f if f else ''}{zone}"
             for y, mo, d, h, mi, s, f, zone in parts]
    assert list(xmlsamples.parse_times(texts).view("int64")) == list(pandas_times(texts))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.one_of(st.none(), st.floats(-5, 5)),
                          st.one_of(st.none(), st.floats(0, 100))), min_size=1, max_size=30))
def test_records_sharing_a_second_merge_as_pandas_groupby_first(rows):
    columns = {"t": np.array([r[0] for r in rows], dtype=np.int64),
               "a": np.array([np.nan if r[1] is None else r[1] for r in rows]),
               "b": np.array([np.nan if r[2] is None else r[2] for r in rows])}
    expected = pd.DataFrame(columns).groupby("t", sort=False).first().reset_index()
    merged = first_per_second(columns)
    for name in columns:
        np.testing.assert_array_equal(merged[name], expected[name].to_numpy())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 20)), min_size=0, max_size=30))
def test_unordered_times_are_cleaned_as_before(seconds):
    """GPX/TCX points whose times step back, repeat or are missing: sorted, untimed dropped, the
    first of equal times kept, and the order counted, without pandas as with it."""
    base = np.datetime64("2024-05-04T07:00:00", "us")
    times = np.array([np.datetime64("NaT", "us") if s is None else base + np.timedelta64(s, "s") for s in seconds],
                     dtype="datetime64[us]")
    heart = np.arange(len(seconds), dtype=np.float64)
    numpy_way = sample_columns({"time": times, "heart_rate_bpm": heart})
    pandas_way = sample_columns({"time": list(pd.DatetimeIndex(times)), "heart_rate_bpm": list(heart)})
    assert numpy_way[1] == pandas_way[1]
    for name in numpy_way[0]:
        np.testing.assert_array_equal(numpy_way[0][name], pandas_way[0][name])


WORKER = """
import sys
from strideload.config import parse_config
from strideload.ingest import work
config = parse_config({"settings": {"timezone": "Europe/Oslo"}})
loaded = "pandas" in sys.modules
results = [work.process(work.Task(path, "ana", config, path=path)) for path in sys.argv[1:]]
print(loaded, "pandas" in sys.modules, [r.status for r in results])
"""


@pytest.mark.parametrize("times", ["plain", "offsets"])
def test_a_worker_imports_fit_gpx_and_tcx_files_without_loading_pandas(tmp_path, times):
    points = run_points(utc(2026, 5, 4, 6), km=3.0)
    files = {"run.fit": run_fit(points), "smart.fit": run_fit(smart_points(points), interleave_every=60),
             "run.gpx": gpx_bytes(points[::2]), "run.tcx": tcx_bytes(points[1::2])}
    if times == "offsets":  # what some apps write: an offset and microseconds
        files = {name: data.replace(b"Z<", b".000250+02:00<") if name.endswith(("gpx", "tcx")) else data
                 for name, data in files.items()}
        files["run.gpx"] = files["run.gpx"].replace(b"T06:", b"T08:").replace(b"T07:", b"T09:")
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    paths = [str(tmp_path / name) for name in files]
    child = subprocess.run([sys.executable, "-c", WORKER, *paths], capture_output=True, text=True, check=True)
    assert child.stdout.strip().split(maxsplit=2) == ["False", "False", str(["decoded"] * 4)], child.stderr


def test_the_offsets_above_move_the_times_as_they_say(tmp_path):
    """The worker test's offset files are real offsets: the same instant as the plain file."""
    points = run_points(utc(2026, 5, 4, 6), km=1.0)
    plain = gpx_bytes(points)
    shifted = plain.replace(b"Z<", b"+02:00<").replace(b"T06:", b"T08:")
    assert plain != shifted
    from strideload.ingest.gpx import read_gpx

    one, other = read_gpx(plain, "plain.gpx")[0], read_gpx(shifted, "shifted.gpx")[0]
    np.testing.assert_array_equal(one.columns["time"], other.columns["time"])
    assert one.columns["time"][0] == np.datetime64("2026-05-04T06:00:00", "ns").astype(np.int64)
    assert timedelta(0) == one.first_time() - other.first_time()
