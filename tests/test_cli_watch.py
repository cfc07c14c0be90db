"""``strideload watch`` as a user runs it: --once in-process, the real command in a subprocess
stopped by SIGTERM / Ctrl-C, and status / flags / report from another terminal meanwhile."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from budget import LONG
from click.testing import CliRunner
from files import gpx_bytes, run_points, utc
from test_watch import wait_until

from strideload.cli.main import cli
from strideload.store import Store

DEADLINE_S = 60.0  # generous: a loaded machine is slow, and every wait ends as soon as it can


def _gpx(day: int, km: float = 3.0) -> bytes:
    return gpx_bytes(run_points(utc(2026, 3, 1, 6) + timedelta(days=day), km=km))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[settings]\ntimezone = "Europe/Oslo"\nwatch_settle_s = 0.2\nwatch_batch_max_wait_s = 5.0\n',
                    encoding="utf-8")
    return path


@pytest.fixture
def run(tmp_path, config):
    db = tmp_path / "cli.db"

    def invoke(*args: str):
        return CliRunner().invoke(cli, [*args, "--db", str(db), "--config", str(config)], catch_exceptions=False)

    return invoke


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "watch"
    path.mkdir()
    return path


def _count(db: Path, table: str = "activities") -> int:
    try:
        with sqlite3.connect(db, timeout=5) as raw:
            return raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def _wait(check, what: str) -> None:
    wait_until(check, what, DEADLINE_S)  # subprocesses start slower than the in-process watcher


def test_once_imports_prints_a_summary_and_exits_zero(run, folder):
    (folder / "a.gpx").write_bytes(_gpx(0, km=5))
    (folder / "b.gpx").write_bytes(_gpx(2, km=4))
    result = run("watch", str(folder), "--once", "--athlete", "ana")
    assert result.exit_code == 0, result.output
    assert "batch 1, 2 files: ana +2 (9.0 km)" in result.output

    again = run("watch", str(folder), "--once", "--athlete", "ana")
    assert again.exit_code == 0 and "nothing new; 2 already in the store" in again.output


def test_once_reports_a_failure_once_with_status_1(run, folder):
    (folder / "ok.gpx").write_bytes(_gpx(0))
    (folder / "broken.gpx").write_bytes(b"<gpx><trk>")
    first = run("watch", str(folder), "--once")
    assert first.exit_code == 1
    assert "1 failed" in first.output and f"FAILED {folder / 'broken.gpx'}" in first.output

    second = run("watch", str(folder), "--once")
    assert second.exit_code == 0, second.output
    assert "1 failed before, unchanged" in second.output and "FAILED" not in second.output


def test_once_on_an_empty_folder_says_nothing_new(run, folder):
    result = run("watch", str(folder), "--once")
    assert result.exit_code == 0 and "Nothing new." in result.output


def test_once_rebuilds_the_reports_of_the_athletes_it_changed(run, tmp_path):
    team = tmp_path / "team"
    for name, day in (("ana", 0), ("ben", 1)):
        (team / name).mkdir(parents=True)
        (team / name / "run.gpx").write_bytes(_gpx(day))
    out = tmp_path / "reports"
    result = run("watch", str(team), "--team", "--once", "--report-out", str(out))
    assert result.exit_code == 0, result.output
    assert "ana +1" in result.output and "ben +1" in result.output and "reports updated" in result.output
    assert (out / "index.html").is_file() and (out / "ana.html").is_file() and (out / "ben.html").is_file()


def test_athlete_and_team_exclude_each_other(run, folder):
    result = run("watch", str(folder), "--athlete", "ana", "--team", "--once")
    assert result.exit_code == 2 and "exclude each other" in result.output


def test_a_missing_folder_is_a_usage_error(run, tmp_path):
    result = run("watch", str(tmp_path / "nowhere"), "--once")
    assert result.exit_code == 2 and "does not exist" in result.output


# -- the real command in a subprocess ----------------------------------------------------------

#: Runs written while a watcher imports (more in the long run: the same, only longer).
BURST = 40 if LONG else 15
RUNS = 60 if LONG else 30


def _watcher(folder: Path, db: Path, config: Path, log: Path, *extra: str) -> subprocess.Popen:
    with log.open("wb") as out:  # the child keeps its own handle
        return subprocess.Popen([sys.executable, "-m", "strideload", "watch", str(folder), "--db", str(db),
                                 "--config", str(config), "--athlete", "ana", *extra],
                                stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen, how: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(how)
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
        raise AssertionError("the watcher did not stop within 20 s") from None


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_signal_stops_the_watcher_cleanly_between_files(folder, tmp_path, config, how):
    db, log = tmp_path / "watched.db", tmp_path / "watch.log"
    (folder / "first.gpx").write_bytes(_gpx(0))
    process = _watcher(folder, db, config, log)
    try:
        _wait(lambda: _count(db) == 1, "the file already there")
        for day in range(1, BURST + 1):  # a burst; the signal lands while it is being imported
            (folder / f"run-{day:02d}.gpx").write_bytes(_gpx(day))
        _wait(lambda: _count(db) > 3, "the burst to start")
    finally:
        status = _stop(process, how)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert status == 0, output
    assert "Stopped." in output and "Traceback" not in output
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = raw.execute("SELECT COUNT(*) FROM activities a LEFT JOIN streams s ON s.activity_id = a.id "
                              "WHERE s.activity_id IS NULL").fetchone()[0]
        unrecorded = raw.execute("SELECT COUNT(*) FROM activities a LEFT JOIN files f ON f.sha256 = a.sha256 "
                                 "WHERE f.sha256 IS NULL").fetchone()[0]
    assert orphans == 0 and unrecorded == 0  # every activity whole: its stream and its file record

    rerun = subprocess.run([sys.executable, "-m", "strideload", "watch", str(folder), "--once", "--db", str(db),
                            "--config", str(config), "--athlete", "ana"], capture_output=True, timeout=120)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert _count(db) == BURST + 1  # the next run finishes the job, each activity once


def test_status_flags_and_report_from_another_terminal_never_find_the_store_locked(folder, tmp_path, config):
    db, log = tmp_path / "shared.db", tmp_path / "watch.log"
    with Store.open(db):  # created and migrated before either side starts
        pass
    process = _watcher(folder, db, config, log, "--report-out", str(tmp_path / "watch-reports"))
    runner = CliRunner()
    commands = [["status"], ["flags"], ["activities"], ["report", "--out", str(tmp_path / "reports")]]
    results = []
    try:
        for day in range(RUNS):
            (folder / f"run-{day:02d}.gpx").write_bytes(_gpx(day, km=3 + day % 4))
        deadline = time.monotonic() + 300  # ends as soon as all are in; a loaded machine is slow
        while _count(db) < RUNS and time.monotonic() < deadline:
            args = commands[len(results) % len(commands)]
            results.append(runner.invoke(cli, [*args, "--db", str(db), "--config", str(config)]))
    finally:
        status = _stop(process)
    assert _count(db) == RUNS, log.read_text(encoding="utf-8", errors="replace")
    assert len(results) >= 4, "the readers should have run while the watcher imported"
    for result in results:
        assert result.exception is None, result.exception
        assert result.exit_code == 0 and "locked" not in result.output, result.output
    assert status == 0
