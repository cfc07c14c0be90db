"""The store under real-world conditions: many first opens at once, a newer schema, a full
disk, a read-only folder, a file that is not a store. Each ends in one clear line, and
nothing is half-written."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from files import gpx_bytes, run_points, utc

from strideload.cli.main import cli
from strideload.errors import StoreError
from strideload.ingest.importer import import_paths
from strideload.store import Store
from strideload.store.migrations import MIGRATIONS


def _open_at(path: str, start: float) -> str:
    while time.time() < start:
        pass
    try:
        Store.open(path).close()
        return "ok"
    except Exception as exc:  # reported back to the test, which shows it
        return repr(exc)


def test_many_processes_can_open_a_new_store_at_once(tmp_path):
    context = multiprocessing.get_context("fork")
    with context.Pool(8) as pool:
        for trial in range(6):
            path = str(tmp_path / f"new-{trial}.db")
            start = time.time() + 0.3
            outcomes = pool.starmap(_open_at, [(path, start)] * 8)
            assert outcomes == ["ok"] * 8, outcomes
            with Store.open(path) as store:
                assert store.applied_migrations() == [name for name, _ in MIGRATIONS]


def test_a_store_from_a_newer_strideload_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "future.db"
    Store.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO migrations (id, name, applied_at) VALUES (999, '0999_from_the_future', 'x')")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version of strideload.*0999_from_the_future"):
        Store.open(path)
    assert path.read_bytes() == before
    result = CliRunner().invoke(cli, ["activities", "--db", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: the store at") and "Traceback" not in result.output


def test_a_file_that_is_not_a_store_is_one_clear_line(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    result = CliRunner().invoke(cli, ["status", "--db", str(path)])
    assert result.exit_code == 1
    assert "is it a strideload store?" in result.output and "Traceback" not in result.output


@pytest.fixture
def exports(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    for day in range(1, 7):
        (folder / f"run-{day}.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 5, day, 6), km=2, interval_s=5)))
    return folder


def _disk_fills_after(monkeypatch, pages: int) -> None:
    """Every store opened from now on can grow by ``pages`` pages only: SQLite's own "database or
    disk is full", exactly as on a full disk."""
    real_open = Store.open.__func__

    def open_small(cls, path):
        store = real_open(cls, path)
        used = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {used + pages}")
        return store

    monkeypatch.setattr(Store, "open", classmethod(open_small))


def test_a_full_disk_stops_the_import_with_one_line_and_a_rerun_finishes(tmp_path, exports, monkeypatch):
    db = tmp_path / "full.db"
    Store.open(db).close()
    _disk_fills_after(monkeypatch, pages=12)
    result = CliRunner().invoke(cli, ["import", str(exports), "--athlete", "ana", "--db", str(db)])
    assert result.exit_code == 1
    assert "no space left to write the store" in result.output and "Traceback" not in result.output
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = raw.execute("SELECT count(*) FROM activities").fetchone()[0]
        streams = raw.execute("SELECT count(*) FROM streams").fetchone()[0]
    assert 0 < kept < 6 and streams == kept  # whole activities only, each with its stream
    monkeypatch.undo()
    with Store.open(db) as store:
        result = import_paths(store, [exports], athlete="ana")
        assert len(store.activities_frame("ana")) == 6
    assert result.counts()["added"] == 6 - kept


def _as_another_user() -> dict:
    """subprocess options to run as a user the folder's permissions apply to (root ignores them)."""
    if os.geteuid() != 0:
        return {}
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a folder read-only for the test")
    probe = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                            "import strideload"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot run Python as user nobody here: {probe.stderr.strip()[-200:]}")
    return {"prefix": [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]}


@pytest.fixture
def open_folder():
    """A folder every user can reach (pytest's own tmp folders are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix="strideload-readonly-"))
    folder.chmod(0o777)
    yield folder
    for path in folder.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder)


def test_reading_commands_work_on_a_store_in_a_read_only_folder(open_folder, exports):
    user = _as_another_user()
    shared = open_folder / "shared"
    shared.mkdir()
    with Store.open(shared / "team.db") as store:
        import_paths(store, [exports], athlete="ana")
    out = open_folder / "reports"
    out.mkdir()
    out.chmod(0o777)
    (shared / "team.db").chmod(0o444)
    shared.chmod(0o555)
    commands = [["activities"], ["status", "--as-of", "2026-05-07"], ["flags"], ["report", "--out", str(out)],
                ["pain", "add", "3", "--date", "2026-05-06", "--when", "during", "--athlete", "ana"]]
    script = (  # every command in one process (start-up is the slow part), as the other user
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from strideload.cli.main import cli\n"
        "results = []\n"
        "for args in json.loads(sys.argv[1]):\n"
        "    done = CliRunner().invoke(cli, [*args, '--db', sys.argv[2]])\n"
        "    results.append([done.exit_code, done.output, repr(done.exception)])\n"
        "print(json.dumps(results))\n")
    try:
        done = subprocess.run([*user.get("prefix", []), sys.executable, "-c", script, json.dumps(commands),
                               str(shared / "team.db")], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "HOME": str(out), "XDG_CONFIG_HOME": str(out),
                                   "XDG_DATA_HOME": str(out)})
        assert done.returncode == 0, done.stderr
        results = json.loads(done.stdout)
        for args, (code, output, _) in zip(commands[:-1], results):
            assert code == 0, (args, output)
        assert (out / "index.html").is_file()
        code, output, _ = results[-1]
        assert code == 1 and "read-only" in output and len(output.strip().splitlines()) == 1, output
        assert sorted(p.name for p in shared.iterdir()) == ["team.db"]  # nothing written beside it
    finally:
        shared.chmod(0o755)
