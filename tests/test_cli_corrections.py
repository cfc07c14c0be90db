"""Corrections as a runner, coach or PT makes them: a run under the wrong athlete, a run to
forget, a mistyped pain score, an athlete renamed, merged or deleted; each one line, each in
``strideload history``."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from files import gpx_bytes, run_points, utc

from strideload.cli.main import cli


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[settings]\ntimezone = "Europe/Oslo"\nwatch_settle_s = 0.05\nwatch_batch_max_wait_s = 1.0\n',
                    encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "corrections.db"


@pytest.fixture
def run(db, config):
    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, [*args, "--db", str(db), "--config", str(config)], input=input,
                                  catch_exceptions=False)

    return invoke


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "exports"
    path.mkdir()
    (path / "monday.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 5, 4, 6), km=5, interval_s=5)))
    (path / "wednesday.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 5, 6, 6), km=8, interval_s=5)))
    return path


def _activities(run, *args: str) -> list[dict]:
    return json.loads(run("activities", *args, "--format", "json").output)


def _history(run) -> list[dict]:
    return json.loads(run("history", "--format", "json").output)


def _one_line(result) -> str:
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_a_file_imported_for_the_wrong_athlete_is_named_and_moved(run, folder):
    run("import", str(folder / "monday.gpx"), "--athlete", "ana")
    again = run("import", str(folder / "monday.gpx"), "--athlete", "ben")
    assert again.exit_code == 0
    assert "already imported for ana" in again.output and "activities move ID --athlete ben" in again.output

    (activity,) = _activities(run, "--athlete", "ana")
    line = _one_line(run("activities", "move", activity["id"][:6], "--athlete", "ben"))
    assert line.startswith(f"moved activity {activity['id']}") and line.endswith("from ana to ben")
    assert [a["athlete"] for a in _activities(run)] == ["ben"]
    # The file now belongs to ben: importing it for ben is a plain duplicate.
    assert "already imported for" not in run("import", str(folder / "monday.gpx"), "--athlete", "ben").output
    assert [(h["action"], h["athlete"]) for h in _history(run)] == [("move", "ben")]


def test_a_deleted_activity_stays_deleted_until_forced(run, folder):
    run("import", str(folder), "--athlete", "ana")
    monday = next(a for a in _activities(run) if a["source_path"].endswith("monday.gpx"))
    line = _one_line(run("activities", "delete", monday["id"]))
    assert "deleted ana's activity" in line and "--force" in line

    again = run("import", str(folder), "--athlete", "ana")
    assert again.exit_code == 0
    assert "0 added" in again.output and "1 deleted earlier" in again.output
    assert len(_activities(run)) == 1

    watched = run("watch", str(folder), "--once", "--athlete", "ana")
    assert watched.exit_code == 0 and "ana +" not in watched.output
    assert len(_activities(run)) == 1

    forced = run("import", str(folder), "--athlete", "ana", "--force")
    assert "1 added" in forced.output
    assert len(_activities(run)) == 2
    assert [h["action"] for h in _history(run)] == ["delete"]
    # Brought back, the file is an ordinary one again.
    assert "deleted earlier" not in run("import", str(folder), "--athlete", "ana").output


def test_pain_entries_have_ids_to_edit_and_delete(run):
    run("pain", "add", "3", "--date", "2026-05-05", "--when", "next-morning", "--athlete", "ana", "--note", "stairs")
    run("pain", "add", "1", "--date", "2026-05-06", "--when", "daily", "--athlete", "ana")
    entries = json.loads(run("pain", "list", "--format", "json").output)
    first, second = (entry["id"] for entry in entries)
    assert "ID" in run("pain", "list").output.splitlines()[1]

    line = _one_line(run("pain", "edit", str(first), "--score", "2", "--side", "right"))
    assert line.startswith(f"edited pain entry {first} (ana 2026-05-05 next-morning)")
    assert "score 3 → 2" in line and "side (none) → right" in line
    edited = json.loads(run("pain", "list", "--format", "json").output)[0]
    assert (edited["id"], edited["score"], edited["side"], edited["note"]) == (first, 2.0, "right", "stairs")

    clash = run("pain", "edit", str(second), "--date", "2026-05-05", "--when", "next-morning", "--side", "right")
    assert clash.exit_code == 1 and f"already logged as pain entry {first}" in clash.output

    line = _one_line(run("pain", "delete", str(second)))
    assert line == f"deleted pain entry {second} (ana 2026-05-06 daily 1/10)"
    assert [e["id"] for e in json.loads(run("pain", "list", "--format", "json").output)] == [first]
    assert [h["action"] for h in _history(run)] == ["pain-delete", "pain-edit"]


def test_athletes_rename_merge_and_delete(run, folder, db):
    run("import", str(folder / "monday.gpx"), "--athlete", "ana")
    run("import", str(folder / "wednesday.gpx"), "--athlete", "Ana")
    run("pain", "add", "2", "--date", "2026-05-05", "--when", "daily", "--athlete", "Ana")
    run("pain", "add", "4", "--date", "2026-05-05", "--when", "daily", "--athlete", "ana")

    assert _one_line(run("athletes", "rename", "Ana", "ana k")) == \
        "renamed Ana to ana k (1 activity, 1 pain entry)"
    assert "already exists" in run("athletes", "rename", "ana", "ana k").output

    line = _one_line(run("athletes", "merge", "ana k", "ana"))
    assert line.startswith("merged ana k into ana (1 activity, 1 pain entry; 1 pain entry ana had already logged")
    assert {a["athlete"] for a in _activities(run)} == {"ana"} and len(_activities(run)) == 2
    assert [e["score"] for e in json.loads(run("pain", "list", "--format", "json").output)] == [4.0]

    kept = run("athletes", "delete", "ana", input="n\n")
    assert kept.exit_code == 1 and "Delete ana (2 activities, 1 pain entry)?" in kept.output
    assert len(_activities(run)) == 2
    assert "deleted athlete ana (2 activities, 1 pain entry)" in run("athletes", "delete", "ana", input="y\n").output
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT COUNT(*) FROM activities").fetchone()[0] == 0
        assert raw.execute("SELECT COUNT(*) FROM pain").fetchone()[0] == 0
    # Their files are remembered: a re-import brings nothing back unless forced.
    assert "0 added" in run("import", str(folder), "--athlete", "ana").output
    assert [h["action"] for h in _history(run)] == ["delete-athlete", "merge", "rename"]
    assert "renamed Ana to ana k" in run("history").output


@pytest.fixture(scope="module")
def one_run(tmp_path_factory) -> Path:
    """A store holding ana's Monday run, made once and copied by each test that needs it."""
    folder = tmp_path_factory.mktemp("one-run")
    (folder / "monday.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 5, 4, 6), km=5, interval_s=5)))
    db = folder / "one.db"
    assert CliRunner().invoke(cli, ["import", str(folder / "monday.gpx"), "--athlete", "ana", "--db", str(db)]) \
        .exit_code == 0
    return db


@pytest.mark.parametrize("args, words", [
    (("activities", "move", "nope", "--athlete", "ben"), "no activity with id 'nope'"),
    (("activities", "delete", "nope"), "no activity with id 'nope'"),
    (("pain", "edit", "99", "--score", "1"), "no pain entry with id 99"),
    (("pain", "delete", "99"), "no pain entry with id 99"),
    (("athletes", "rename", "zed", "zoe"), "unknown athlete 'zed'"),
    (("athletes", "merge", "ana", "zed"), "unknown athlete 'zed'"),
    (("athletes", "delete", "zed", "--yes"), "unknown athlete 'zed'"),
])
def test_a_correction_that_cannot_be_made_is_one_line_and_changes_nothing(run, db, one_run, args, words):
    shutil.copy(one_run, db)
    result = run(*args)
    assert result.exit_code == 1
    assert words in result.output and len(result.output.strip().splitlines()) == 1
    assert _history(run) == [] and len(_activities(run)) == 1


def test_history_is_empty_at_first_and_filters_by_athlete(run, folder):
    run("import", str(folder), "--athlete", "ana")
    assert run("history").output.strip() == "No corrections yet."
    first, second = _activities(run)
    run("activities", "move", first["id"], "--athlete", "ben")
    run("activities", "delete", second["id"])
    assert [h["action"] for h in json.loads(run("history", "--athlete", "ben", "--format", "json").output)] == \
        ["move"]
    assert [h["action"] for h in json.loads(run("history", "--athlete", "ana", "--format", "json").output)] == \
        ["delete", "move"]  # the move took the run away from ana
