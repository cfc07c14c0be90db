"""A real ``kill -9`` or Ctrl-C in the middle of an import leaves a consistent store; a re-run finishes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from budget import LONG
from files import gpx_bytes, run_points, tcx_bytes, utc

from strideload.store import Store

FILES = 40 if LONG else 20


def _folder(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    for i in range(n):
        points = run_points(utc(2026, 3, 1 + i % 28, 6) if i < 28 else utc(2026, 4, i - 27, 6), km=2 + i % 3)
        data = gpx_bytes(points) if i % 2 else tcx_bytes(points)
        (folder / f"run{i:03d}.{'gpx' if i % 2 else 'tcx'}").write_bytes(data)
    return folder


def _import(db: Path, folder: Path, stderr: int = subprocess.DEVNULL) -> subprocess.Popen:
    """``strideload import`` with two workers however small the folder, in a session of its own (its
    workers join it), committing every 4 files: the kill lands between commits, with files written
    but not committed."""
    config = db.parent / "batches-of-4.toml"
    config.write_text("[settings]\nimport_batch_files = 4\nparallel_min_bytes = 0\n")
    return subprocess.Popen([sys.executable, "-m", "strideload", "import", str(folder), "--athlete", "ana",
                             "--db", str(db), "--config", str(config), "--quiet", "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True, text=True)


def _session(sid: int) -> list[int]:
    """Processes still running in session ``sid`` (Linux /proc)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # fields after the name: state, ppid, pgrp, session
            alive.append(int(stat.parent.name))
    return alive


def _wait_for_some_files(db: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until some, not all, files are in
        time.sleep(0.05)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as raw:
                    done = raw.execute("SELECT COUNT(*) FROM files").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if done >= 3:
                return


def _assert_whole(db: Path) -> int:
    """Activities in ``db``, after checking each has its stream and its file record."""
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        activities = raw.execute("SELECT COUNT(*) FROM activities").fetchone()[0]
        orphans = raw.execute("SELECT COUNT(*) FROM activities a LEFT JOIN streams s ON s.activity_id = a.id "
                              "WHERE s.activity_id IS NULL").fetchone()[0]
        unrecorded = raw.execute("SELECT COUNT(*) FROM activities a LEFT JOIN files f ON f.sha256 = a.sha256 "
                                 "WHERE f.sha256 IS NULL").fetchone()[0]
    assert orphans == 0 and unrecorded == 0  # every activity is whole: stream and file record
    return activities


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a process group is POSIX")
def test_ctrl_c_mid_import_says_what_was_kept_and_a_rerun_completes(tmp_path):
    """Ctrl-C reaches the whole foreground group: the import, its fork server and its workers."""
    folder = _folder(tmp_path, FILES)
    db = tmp_path / "stopped.db"
    process = _import(db, folder, stderr=subprocess.PIPE)
    _wait_for_some_files(db)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "stopped:" in stderr and "run again to finish" in stderr and "Traceback" not in stderr
    assert 0 < _assert_whole(db) < FILES, "Ctrl-C should land mid-import"
    assert _import(db, folder).wait(timeout=120) == 0
    with Store.open(db) as store:
        assert len(store.activities_frame()) == FILES


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_kill_9_mid_import_leaves_whole_activities_and_a_rerun_completes(tmp_path):
    folder = _folder(tmp_path, FILES)
    db = tmp_path / "killed.db"
    process = _import(db, folder)
    _wait_for_some_files(db)
    process.send_signal(signal.SIGKILL)
    process.wait()
    if Path("/proc/self/stat").exists():  # the workers and their fork server end with the import
        deadline = time.monotonic() + 30
        while _session(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _session(process.pid), "worker processes outlived the killed import"

    assert 0 < _assert_whole(db) < FILES, "the kill should land mid-import"

    assert _import(db, folder).wait(timeout=120) == 0
    with Store.open(db) as store:
        assert len(store.activities_frame()) == FILES
