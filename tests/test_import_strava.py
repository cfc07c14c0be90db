"""A Strava bulk export's activities.csv as Strava and Excel write it: any encoding, fields of
any length, broken rows; and the manual runs it lists, imported summary-only."""

from __future__ import annotations

import codecs

import pytest
from files import gpx_bytes, run_points, utc, zip_bytes

from strideload.analyze import daily_load
from strideload.config import parse_config
from strideload.ingest.importer import import_paths

#: Strava's own header: Distance and Elapsed Time repeat (display unit, then metres / seconds).
HEADER = ("Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,"
          "Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,"
          "Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,Elevation Gain\n")


def row(activity_id: int, date: str, name: str, kind: str, filename: str = "", *, km: float = 5.0,
        moving_s: int = 1800, gain_m: str = "") -> str:
    quoted = '"' + name.replace('"', '""') + '"'
    return (f'{activity_id},"{date}",{quoted},{kind},,{moving_s + 60},{km:.2f},,,false,,,{filename},,,'
            f"{moving_s + 60}.0,{moving_s}.0,{km * 1000:.1f},,,{gain_m}\n")


def export(tmp_path, csv_bytes: bytes, name: str = "export_1.zip"):
    path = tmp_path / name
    path.write_bytes(zip_bytes({
        "activities.csv": csv_bytes,
        "activities/101.gpx": gpx_bytes(run_points(utc(2026, 5, 4, 6), km=2), sport=None, name="Morning Run"),
    }))
    return path


NAMED = "Løp på Bygdøy – søndag"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_names_are_read_in_any_encoding_strava_or_excel_writes(tmp_path, store, oslo_config, encoding):
    text = HEADER + row(101, "May 4, 2026, 6:00:00 AM", NAMED.replace("–", "-"), "Trail Run",
                        "activities/101.gpx")
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        assert not data.startswith(codecs.BOM_UTF16_LE)  # the BOM-less variant
    result = import_paths(store, [export(tmp_path, data)], athlete="ana", config=oslo_config)
    assert result.counts()["added"] == 1, result.outcomes
    [run] = store.activities_frame().to_dict("records")
    assert (run["name"], run["sport"]) == (NAMED.replace("–", "-"), "trail_running")


def test_a_name_longer_than_the_csv_module_allows_is_cut_not_fatal(tmp_path, store, oslo_config):
    long_name = "x" * 200_000
    text = HEADER + row(101, "May 4, 2026, 6:00:00 AM", long_name, "Run", "activities/101.gpx") \
        + row(102, "May 5, 2026, 6:00:00 AM", "Treadmill", "Run")
    result = import_paths(store, [export(tmp_path, text.encode())], athlete="ana", config=oslo_config)
    assert result.counts() == {"added": 2, "non-running": 0, "duplicate": 0, "skipped": 0, "deleted": 0,
                               "failed": 0}
    names = sorted(store.activities_frame()["name"], key=len)
    assert names[0] == "Treadmill" and names[1] == "x" * 500 + "…"


def test_a_csv_beyond_the_size_budget_keeps_the_rows_before_it_and_says_so(tmp_path, store, oslo_config):
    manual = "".join(row(200 + day, f"May {day}, 2026, 6:00:00 AM", f"Treadmill {day}", "Run")
                     for day in range(5, 25))
    text = HEADER + row(101, "May 4, 2026, 6:00:00 AM", "Loop", "Run", "activities/101.gpx") + manual
    config = parse_config({"settings": {"timezone": "Europe/Oslo", "max_file_bytes": 2048}})
    result = import_paths(store, [export(tmp_path, text.encode())], athlete="ana", config=config)
    assert 1 < result.counts()["added"] < 20  # the manual runs in the first 2 KiB
    failed = {o.path.rsplit("!", 1)[-1]: o.reason for o in result.failed}
    assert failed["activities.csv"] == ("activities.csv is larger than 2,048 bytes; the rows after that are "
                                        "not read (setting max_file_bytes)")
    assert failed["activities/101.gpx"].endswith("(setting max_file_bytes)")  # the run's file is bigger too


def test_manual_runs_import_summary_only_and_count_in_load(tmp_path, store, oslo_config):
    text = HEADER + row(101, "May 4, 2026, 6:00:00 AM", "Loop", "Run", "activities/101.gpx") \
        + row(202, "May 6, 2026, 5:30:00 PM", "Treadmill intervals", "Run", km=8.0, moving_s=2700, gain_m="35.0") \
        + row(203, "May 7, 2026, 5:30:00 PM", "Spin class", "Ride", km=20.0)
    path = export(tmp_path, text.encode())

    first = import_paths(store, [path], athlete="ana", config=oslo_config)
    again = import_paths(store, [path], athlete="ana", config=oslo_config)

    assert first.counts()["added"] == 2 and first.counts()["non-running"] == 1
    assert again.counts()["added"] == 0 and again.counts()["duplicate"] == 3
    frame = store.activities_frame().set_index("name")
    manual = frame.loc["Treadmill intervals"]
    assert bool(manual["summary_only"]) and not bool(frame.loc["Loop", "summary_only"])
    assert (manual["distance_m"], manual["timer_s"], manual["ascent_m"]) == (8000.0, 2700.0, 35.0)
    assert (manual["local_date"], manual["running"]) == ("2026-05-06", True)
    assert manual["source_path"] == f"{path}!activities.csv#202"
    assert (manual["surface"], manual["surface_source"]) == ("treadmill", "name keyword 'treadmill'")
    load = daily_load(store.activities_frame("ana"), parse_config({})).set_index("date")
    assert load.loc["2026-05-06", "distance_km"] == pytest.approx(8.0)


def test_an_unpacked_export_folder_imports_its_manual_runs_too(tmp_path, store, oslo_config):
    folder = tmp_path / "export"
    (folder / "activities").mkdir(parents=True)
    (folder / "activities.csv").write_bytes((HEADER + row(202, "May 6, 2026, 5:30:00 PM", "Lunch Run", "Run"))
                                            .encode("utf-8-sig"))
    result = import_paths(store, [folder], athlete="ana", config=oslo_config)
    assert result.counts()["added"] == 1
    [run] = store.activities_frame().to_dict("records")
    assert (run["summary_only"], run["surface"], run["surface_source"]) == (
        True, "unknown", "entered by hand, no samples")
