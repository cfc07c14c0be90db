"""Zip and gzip archives as users have them: Strava and Garmin bulk exports, and hostile ones."""

from __future__ import annotations

import gzip
import io
import zipfile

from files import gpx_bytes, run_points, tcx_bytes, utc, zip_bytes

from strideload.config import parse_config
from strideload.ingest.importer import import_paths

STRAVA_CSV = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Filename\n"
    '101,"May 4, 2026, 6:00:00 AM",Sunday trail loop,Trail Run,1800,5.0,activities/101.gpx\n'
    '102,"May 6, 2026, 6:00:00 AM",Commute,Ride,1200,9.0,activities/102.tcx.gz\n'
)


def test_a_strava_export_takes_name_and_type_from_activities_csv(tmp_path, store, oslo_config):
    export = tmp_path / "export_123.zip"
    export.write_bytes(zip_bytes({
        "activities.csv": STRAVA_CSV.encode(),
        "activities/101.gpx": gpx_bytes(run_points(utc(2026, 5, 4, 6)), sport=None, name="Morning Run"),
        "activities/102.tcx.gz": gzip.compress(tcx_bytes(run_points(utc(2026, 5, 6, 6), speed_mps=7))),
        "media/photo.jpg": b"\xff\xd8\xff",
        "profile.csv": b"a,b\n",
    }))

    result = import_paths(store, [export], athlete="ana", config=oslo_config)

    assert result.counts() == {"added": 1, "non-running": 1, "duplicate": 0, "skipped": 0, "deleted": 0,
                                "failed": 0}
    frame = store.activities_frame().set_index("name")
    assert frame.loc["Sunday trail loop", "sport"] == "trail_running"
    assert frame.loc["Sunday trail loop", "surface"] == "trail"
    assert frame.loc["Sunday trail loop", "source_path"] == f"{export}!activities/101.gpx"
    assert not frame.loc["Commute", "running"]


def test_a_garmin_export_with_zips_inside_the_zip(tmp_path, store, oslo_config):
    inner = zip_bytes({"12345_ACTIVITY.tcx": tcx_bytes(run_points(utc(2026, 5, 4, 6)))})
    export = tmp_path / "garmin.zip"
    export.write_bytes(zip_bytes({
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": inner,
        "DI_CONNECT/DI-Connect-Fitness/summarizedActivities.json": b"[]",
    }))

    result = import_paths(store, [export], athlete="ana", config=oslo_config)

    assert result.counts()["added"] == 1
    assert store.activities_frame()["source_path"][0].endswith("Part1.zip!12345_ACTIVITY.tcx")


def test_a_zip_bomb_is_stopped_with_a_clear_error(tmp_path, store):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("huge.gpx", b"<gpx>" + b" " * 50_000_000)
        for n in range(3):
            archive.writestr(f"big{n}.gpx", b"<gpx>" + b" " * 600_000)
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(buffer.getvalue())
    assert bomb.stat().st_size < 100_000

    config = parse_config({"settings": {"max_archive_bytes": 1_000_000}})
    result = import_paths(store, [bomb], athlete="ana", config=config)

    reasons = {o.path.rsplit("!", 1)[-1]: o.reason for o in result.failed}
    assert "more than 33,554,432 (setting max_file_bytes)" in reasons["huge.gpx"]
    assert "possible zip bomb (setting max_archive_bytes)" in reasons["big1.gpx"]


def test_zips_nested_too_deep_are_refused(tmp_path, store, oslo_config):
    data = tcx_bytes(run_points(utc(2026, 5, 4, 6)))
    nested = zip_bytes({"run.tcx": data})
    for level in range(4):
        nested = zip_bytes({f"level{level}.zip": nested})
    (tmp_path / "deep.zip").write_bytes(nested)

    result = import_paths(store, [tmp_path / "deep.zip"], athlete="ana", config=oslo_config)

    assert result.counts()["added"] == 0
    assert "nested deeper" in result.failed[0].reason


def test_member_names_that_escape_are_refused_and_the_rest_imported(tmp_path, store, oslo_config):
    archive = tmp_path / "evil.zip"
    archive.write_bytes(zip_bytes({
        "../../etc/evil.gpx": gpx_bytes(run_points(utc(2026, 5, 4, 6))),
        "/abs/evil.gpx": gpx_bytes(run_points(utc(2026, 5, 5, 6))),
        "fine/run.gpx": gpx_bytes(run_points(utc(2026, 5, 6, 6))),
    }))

    result = import_paths(store, [archive], athlete="ana", config=oslo_config)

    assert result.counts()["added"] == 1
    assert len(result.failed) == 2
    assert all("unsafe member name" in o.reason for o in result.failed)
    assert not (tmp_path.parent / "etc").exists()


def test_a_corrupt_zip_is_one_failure(tmp_path, store, oslo_config):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 200)

    result = import_paths(store, [tmp_path / "broken.zip"], athlete="ana", config=oslo_config)

    assert len(result.failed) == 1 and "zip" in result.failed[0].reason


def test_a_corrupt_gzip_is_one_failure(tmp_path, store, oslo_config):
    (tmp_path / "run.gpx.gz").write_bytes(gzip.compress(gpx_bytes(run_points(utc(2026, 5, 4, 6))))[:500])

    result = import_paths(store, [tmp_path / "run.gpx.gz"], athlete="ana", config=oslo_config)

    assert len(result.failed) == 1 and "gzip" in result.failed[0].reason
