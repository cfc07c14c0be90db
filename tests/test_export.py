"""``strideload export --format parquet``: summaries and daily series that other tools read as they are."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow.parquet as pq
import pytest
from files import gpx_bytes, run_points, utc

from strideload import analyze
from strideload.export import export_parquet
from strideload.ingest.importer import import_paths
from strideload.store import Store


@pytest.fixture
def filled(tmp_path, oslo_config):
    for athlete, days in (("ana", (1, 3, 6)), ("ben", (2, 9))):
        folder = tmp_path / "team" / athlete
        folder.mkdir(parents=True)
        for day in days:
            (folder / f"run{day}.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 3, day, 6), km=2 + day / 10)))
    path = tmp_path / "team.db"
    with Store.open(path) as store:
        import_paths(store, [tmp_path / "team"], team=True, config=oslo_config, jobs=1)
    return path


def test_summaries_and_daily_series_round_trip_through_parquet(filled, tmp_path, oslo_config):
    with Store.open(filled) as store:
        result = export_parquet(store, tmp_path / "out", oslo_config)
        summaries = store.activities_frame()
    assert result.rows == {"activities.parquet": 5, "daily.parquet": 6 + 8}  # every day, first run to last
    activities = pd.read_parquet(tmp_path / "out" / "activities.parquet")
    assert sorted(activities["id"]) == sorted(summaries["id"])
    assert activities["local_date"].iloc[0] == dt.date(2026, 3, 1)
    assert str(activities["start_utc"].dtype) == "datetime64[us, UTC]"
    assert activities["distance_m"].tolist() == summaries["distance_m"].tolist()
    daily = pd.read_parquet(tmp_path / "out" / "daily.parquet")
    expected = analyze.daily_load(summaries, oslo_config)
    assert list(daily.columns) == analyze.DAILY_COLUMNS
    assert daily["distance_km"].sum() == pytest.approx(expected["distance_km"].sum())
    assert set(daily["athlete"]) == {"ana", "ben"}
    schema = pq.read_schema(tmp_path / "out" / "daily.parquet")
    assert str(schema.field("date").type) == "date32[day]"  # Spark and DuckDB read dates as dates


def test_duckdb_reads_the_export(filled, tmp_path, oslo_config):
    duckdb = pytest.importorskip("duckdb", reason="DuckDB is a test dependency only: pip install -e '.[test]'")
    with Store.open(filled) as store:
        export_parquet(store, tmp_path / "out", oslo_config)
    total = duckdb.sql(f"SELECT athlete, SUM(distance_km) FROM '{tmp_path}/out/daily.parquet' "
                       "GROUP BY athlete ORDER BY athlete").fetchall()
    assert [name for name, _ in total] == ["ana", "ben"]


def test_the_cli_writes_both_files_and_an_empty_store_gives_empty_files(run, tmp_path):
    result = run("export", "--format", "parquet", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "activities.parquet: 0 rows" in result.output and "daily.parquet: 0 rows" in result.output
    assert list(pd.read_parquet(tmp_path / "out" / "daily.parquet").columns) == analyze.DAILY_COLUMNS
