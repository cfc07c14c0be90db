"""Local dates that stay right: GPX and TCX carry UTC only, so a 20:15 evening run in New York
must not land on the next day. The zone comes from the run's own position, else the athlete's
runs nearby in time, else their configured zone, else this machine's; and a run decided by the
setting follows the setting when it changes, without a fresh store."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from files import FR255, device_fit_bytes, gpx_bytes, run_points, tcx_bytes, utc

from strideload.cli.main import cli
from strideload.config import parse_config
from strideload.ingest import localtime
from strideload.ingest.importer import import_paths, read_activity
from strideload.store import Store

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
BROOKLYN = dict(lat0=40.6706, lon0=-73.9782)
EVENING = utc(2026, 8, 6, 0, 15)  # 20:15 on 5 August in New York (EDT, UTC-4)


@pytest.fixture
def machine_in_utc(monkeypatch):
    """This computer's zone is UTC, whatever the test machine's really is."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _no_positions(data: bytes) -> bytes:
    """A TCX as a treadmill writes it: no <Position> at all."""
    text = data.decode()
    while "<Position>" in text:
        start, end = text.index("<Position>"), text.index("</Position>") + len("</Position>")
        text = text[:start] + text[end:]
    return text.encode()


def test_a_new_york_evening_run_in_gpx_keeps_its_day(tmp_path, machine_in_utc):
    path = tmp_path / "Evening_Run.gpx"
    path.write_bytes(gpx_bytes(run_points(EVENING, km=2, **BROOKLYN)))
    summary = read_activity(path, athlete="ben").summary
    assert (summary["local_date"], summary["timezone"], summary["timezone_source"]) == \
        ("2026-08-05", "America/New_York", "coordinates")
    assert summary["start_time"] == "2026-08-05T20:15:00-04:00"


@pytest.mark.skipif(not (SAMPLE / "ben" / "Evening_Run.gpx").is_file(), reason="sample_data/ is absent")
def test_the_readme_demo_puts_bens_evening_run_on_5_august(machine_in_utc):
    """The README imports sample_data with no configuration at all."""
    summary = read_activity(SAMPLE / "ben" / "Evening_Run.gpx", athlete="ben").summary
    assert summary["local_date"] == "2026-08-05" and summary["timezone_source"] == "coordinates"


def test_a_fit_file_keeps_its_own_offset_and_without_one_its_position_decides(tmp_path):
    points = run_points(EVENING, km=1, **BROOKLYN)
    (tmp_path / "own.fit").write_bytes(device_fit_bytes(points, product=FR255, utc_offset_s=-4 * 3600))
    (tmp_path / "plain.fit").write_bytes(device_fit_bytes(points, product=FR255, utc_offset_s=None))
    own = read_activity(tmp_path / "own.fit", athlete="ben").summary
    plain = read_activity(tmp_path / "plain.fit", athlete="ben").summary
    assert (own["timezone"], own["timezone_source"], own["local_date"]) == ("UTC-04:00", "file", "2026-08-05")
    assert (plain["timezone"], plain["timezone_source"], plain["local_date"]) == \
        ("America/New_York", "coordinates", "2026-08-05")


def test_a_treadmill_tcx_takes_the_zone_of_the_nearest_fit_run(tmp_path, store, machine_in_utc):
    """Imported in one folder, the treadmill TCX first (it sorts first): the batch ends by
    looking for the athlete's nearest run whose file gave its zone."""
    folder = tmp_path / "ben"
    folder.mkdir()
    (folder / "a-treadmill.tcx").write_bytes(_no_positions(tcx_bytes(run_points(EVENING, km=3))))
    outdoor = run_points(EVENING - timedelta(days=2), km=3, **BROOKLYN)
    (folder / "b-outdoor.fit").write_bytes(device_fit_bytes(outdoor, product=FR255, utc_offset_s=-4 * 3600))
    import_paths(store, [folder], athlete="ben")
    rows = store.activities_frame("ben").set_index("format")
    assert rows.loc["tcx", "timezone_source"] == "nearest" and rows.loc["tcx", "timezone"] == "UTC-04:00"
    assert rows.loc["tcx", "local_date"] == "2026-08-05"


def test_too_far_from_any_fit_run_the_configured_zone_decides(tmp_path, store):
    folder = tmp_path / "ben"
    folder.mkdir()
    (folder / "treadmill.tcx").write_bytes(_no_positions(tcx_bytes(run_points(EVENING, km=3))))
    away = run_points(EVENING - timedelta(days=20), km=3, **BROOKLYN)
    (folder / "old.fit").write_bytes(device_fit_bytes(away, product=FR255, utc_offset_s=-4 * 3600))
    config = parse_config({"athletes": {"ben": {"timezone": "America/Chicago"}}})
    import_paths(store, [folder], athlete="ben", config=config)
    tcx = store.activities_frame("ben").set_index("format").loc["tcx"]
    assert (tcx["timezone"], tcx["timezone_source"], tcx["local_date"]) == \
        ("America/Chicago", "configured", "2026-08-05")


def test_changing_the_configured_zone_re_dates_the_runs_it_decides(tmp_path, machine_in_utc):
    """ben's treadmill runs were imported before he set his zone: the machine's (UTC) put the
    20:15 run on 6 August. Setting America/New_York moves it to the 5th on the next command, and
    leaves the runs whose file gave their zone alone."""
    folder, db = tmp_path / "ben", tmp_path / "store.db"
    folder.mkdir()
    (folder / "treadmill.tcx").write_bytes(_no_positions(tcx_bytes(run_points(EVENING, km=3))))
    (folder / "paris.gpx").write_bytes(gpx_bytes(run_points(EVENING - timedelta(days=30), km=3, lat0=48.85,
                                                            lon0=2.35)))
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(folder), "--athlete", "ben", "--db", str(db)]).exit_code == 0

    def dates(*config: str) -> dict[str, tuple[str, str]]:
        result = runner.invoke(cli, ["activities", "--format", "json", "--db", str(db), *config])
        assert result.exit_code == 0, result.output
        return {row["format"]: (row["local_date"], row["timezone_source"]) for row in json.loads(result.output)}

    assert dates() == {"tcx": ("2026-08-06", "machine"), "gpx": ("2026-07-07", "coordinates")}
    settings = tmp_path / "config.toml"
    settings.write_text('[athletes.ben]\ntimezone = "America/New_York"\n')
    assert dates("--config", str(settings)) == {"tcx": ("2026-08-05", "configured"),
                                                "gpx": ("2026-07-07", "coordinates")}
    assert dates() == {"tcx": ("2026-08-06", "machine"), "gpx": ("2026-07-07", "coordinates")}  # and back


def test_runs_stored_before_zones_were_recorded_are_re_derived(tmp_path, machine_in_utc):
    """A store written by an earlier strideload: the GPX run's local date came from the machine's
    zone and no zone was recorded. Opening it re-derives the run from its stored positions."""
    path = tmp_path / "Evening_Run.gpx"
    path.write_bytes(gpx_bytes(run_points(EVENING, km=2, **BROOKLYN)))
    with Store.open(tmp_path / "old.db") as store:
        import_paths(store, [path], athlete="ben")
    with sqlite3.connect(tmp_path / "old.db") as db:
        db.execute("UPDATE activities SET timezone = NULL, timezone_source = NULL, local_date = '2026-08-06', "
                   "start_time = '2026-08-06T00:15:00+00:00'")
    with Store.open(tmp_path / "old.db") as store:
        assert localtime.refresh(store, parse_config({})) == 1
        row = store.activities_frame("ben").iloc[0]
    assert (row["local_date"], row["timezone_source"]) == ("2026-08-05", "coordinates")


def test_refresh_writes_nothing_when_nothing_changed(tmp_path, store, machine_in_utc):
    path = tmp_path / "treadmill.tcx"
    path.write_bytes(_no_positions(tcx_bytes(run_points(EVENING, km=3))))
    import_paths(store, [path], athlete="ben")
    assert localtime.refresh(store, parse_config({})) == 0


def test_zone_names_read_back():
    assert localtime.offset_name(-4 * 3600) == "UTC-04:00" and localtime.offset_name(19800) == "UTC+05:30"
    start = utc(2026, 8, 6, 0, 15)
    assert localtime.Zone("UTC+05:30", "file").localise(start).isoformat() == "2026-08-06T05:45:00+05:30"
    assert localtime.from_coordinates(59.91, 10.75) == "Europe/Oslo"
    assert localtime.from_coordinates(float("nan"), 10.75) is None and localtime.from_coordinates(0.0, 0.0) is None
