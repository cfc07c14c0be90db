"""`strideload doctor` says what is wrong with a store and how to fix it, and fixes only what is safe."""

from __future__ import annotations

import json
import os
import sqlite3
import time

import pytest
from click.testing import CliRunner
from files import gpx_bytes, run_points, utc

from strideload.cli.main import cli
from strideload.ingest.importer import import_paths
from strideload.report import build_reports
from strideload.store import Store


@pytest.fixture
def filled(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    for day in (1, 3, 5):
        (folder / f"run-{day}.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 5, day, 6), km=2, interval_s=5)))
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        import_paths(store, [folder], athlete="ana")
    return db


def doctor(db, *args):
    result = CliRunner().invoke(cli, ["doctor", "--db", str(db), "--format", "json", *args])
    assert "Traceback" not in result.output
    return result.exit_code, {row["check"]: row for row in json.loads(result.output)}


def test_a_healthy_store_passes_every_check(filled):
    code, found = doctor(filled)
    assert code == 0
    assert {row["level"] for row in found.values()} == {"ok"}
    assert set(found) >= {"schema", "integrity", "orphans", "failed files", "watcher"}


def test_an_orphan_stream_is_found_and_removed_only_with_fix(filled):
    with sqlite3.connect(filled) as db:  # foreign keys are off on a plain connection, as in an old tool
        db.execute("INSERT INTO streams (activity_id, parquet) VALUES ('gone', x'00')")
    code, found = doctor(filled)
    assert code == 1 and found["orphans"]["level"] == "warning"
    assert "1 stream(s) whose activity is gone" in found["orphans"]["detail"]
    assert "--fix" in found["orphans"]["fix"]
    code, found = doctor(filled, "--fix")
    assert code == 0 and "removed 1 stream" in found["orphans"]["detail"]
    with Store.open(filled) as store:
        assert store.orphans() == {"streams": [], "activities": []}
        assert len(store.activities_frame()) == 3  # nothing imported was touched


def test_temp_files_left_by_killed_reports_are_found_and_cleaned(filled, tmp_path):
    reports = tmp_path / "reports"
    with Store.open(filled) as store:
        build_reports(store, out_dir=reports)
    stale = reports / ".ana.html.k3j9x_2a.tmp"
    stale.write_text("<html>half a page")
    fresh = reports / ".index.html.zz9x8y7w.tmp"  # a report writing right now: left alone
    fresh.write_text("<html>")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    code, found = doctor(filled, "--reports", str(reports))
    assert code == 1 and found["report temp files"]["level"] == "warning"
    assert found["report temp files"]["detail"].startswith("1 left by killed reports")
    code, found = doctor(filled, "--reports", str(reports), "--fix")
    assert code == 0 and not stale.exists() and fresh.exists()

    os.utime(fresh, (old, old))
    with Store.open(filled) as store:  # the next report run tidies up too
        build_reports(store, out_dir=reports)
    assert not fresh.exists()


def test_a_running_watcher_is_noted(filled):
    with Store.open(filled) as store, store.lock("watch", folders=["~/Sync"]):
        code, found = doctor(filled)
    assert code == 0
    assert found["watcher"]["level"] == "note" and f"pid {os.getpid()}" in found["watcher"]["detail"]


def test_a_damaged_file_is_a_problem_with_advice_not_a_traceback(filled):
    data = bytearray(filled.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data), page):  # scribble over every page after the schema
        data[offset + 8: offset + 200] = os.urandom(192)
    filled.write_bytes(bytes(data))
    code, found = doctor(filled)
    assert code == 1
    bad = [row for row in found.values() if row["level"] == "problem"]
    assert bad and "backup" in bad[0]["fix"]


def test_doctor_needs_an_existing_store(tmp_path):
    result = CliRunner().invoke(cli, ["doctor", "--db", str(tmp_path / "typo.db")])
    assert result.exit_code == 1 and "no strideload store at" in result.output
    assert not (tmp_path / "typo.db").exists()
