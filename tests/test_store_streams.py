"""Streams as stored bytes: compressed Arrow, smaller than the Parquet blobs of older stores, which still read."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from files import run_points, utc
from fitbuild import run_fit

from strideload.ingest.fit import read_fit
from strideload.ingest.stream import normalise
from strideload.store.streams import PARQUET_MAGIC, decode_stream, encode_stream


@pytest.fixture(scope="module")
def stream() -> pd.DataFrame:
    points = run_points(utc(2026, 2, 1, 6), km=3, elevation=lambda d: 100 + 10 * np.sin(d / 200))
    [raw] = read_fit(run_fit(points, crc=False), "run.fit")
    return normalise(raw, athlete="ana", sha256="0" * 64, source_path="run.fit").stream


def test_a_stream_comes_back_exactly_and_smaller_than_parquet(stream):
    blob = encode_stream(stream)
    pd.testing.assert_frame_equal(decode_stream(blob), stream, check_exact=True)
    parquet = io.BytesIO()
    stream.to_parquet(parquet, index=False, compression="zstd")
    assert len(blob) < len(parquet.getvalue())


def test_microsecond_times_keep_their_resolution(stream):
    coarse = stream.assign(time=stream["time"].dt.as_unit("us"))
    pd.testing.assert_frame_equal(decode_stream(encode_stream(coarse)), coarse, check_exact=True)


def test_parquet_blobs_of_older_stores_still_read(stream):
    buffer = io.BytesIO()
    stream.to_parquet(buffer, index=False, compression="zstd")
    assert buffer.getvalue()[:4] == PARQUET_MAGIC
    pd.testing.assert_frame_equal(decode_stream(buffer.getvalue()), stream)


def test_an_empty_stream_round_trips():
    empty = pd.DataFrame({"time": pd.Series(dtype="datetime64[ns, UTC]"), "moving": pd.Series(dtype=bool),
                          "distance_m": pd.Series(dtype="float64")})
    pd.testing.assert_frame_equal(decode_stream(encode_stream(empty)), empty)
