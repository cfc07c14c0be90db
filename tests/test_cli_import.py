"""The import, activities and athletes commands, run in-process as a user would type them."""

from __future__ import annotations

import csv
import io
import json

import click
import pytest
from click.testing import CliRunner
from files import gpx_bytes, run_points, tcx_bytes, utc

from strideload.cli.main import cli
from strideload.model import SUMMARY_FIELDS
from strideload.store import Store


@pytest.fixture
def run(tmp_path):
    db = tmp_path / "cli.db"

    def invoke(*args: str):
        return CliRunner().invoke(cli, [*args, "--db", str(db)], catch_exceptions=False)

    return invoke


@pytest.fixture
def exports(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 5, 4, 6), km=5)))
    (folder / "b.tcx").write_bytes(tcx_bytes(run_points(utc(2026, 5, 6, 6), km=8)))
    return folder


def test_import_prints_a_summary_and_exits_zero(run, exports):
    result = run("import", str(exports), "--athlete", "ana")
    assert result.exit_code == 0, result.output
    assert "2 added, 0 duplicates" in result.output
    assert "0 failed" in result.output


def test_a_failed_file_gives_exit_one_and_names_the_file(run, exports):
    (exports / "broken.gpx").write_bytes(b"<gpx><trk>")
    result = run("import", str(exports), "--athlete", "ana")
    assert result.exit_code == 1
    assert "2 added" in result.output
    assert "broken.gpx" in result.output and "FAILED" in result.output


@pytest.mark.parametrize("args, message", [
    (("import", "/no/such/folder"), "no such file or folder"),
    (("import",), "Missing argument"),
    (("import", ".", "--athlete", "x", "--team"), "exclude each other"),
    (("activities", "--format", "xml"), "Invalid value"),
    (("activities", "--athlete", "nobody"), "unknown athlete 'nobody'"),
])
def test_bad_input_is_one_line_and_a_non_zero_exit(tmp_path, args, message):
    Store.open(tmp_path / "x.db").close()  # an empty store: only the arguments are wrong
    result = CliRunner().invoke(cli, [*args, "--db", str(tmp_path / "x.db")])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_usage_errors_exit_with_two(tmp_path):
    result = CliRunner().invoke(cli, ["import", "--bogus", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2


def test_activities_json_has_exactly_the_summary_fields(run, exports):
    run("import", str(exports), "--athlete", "ana")
    result = run("activities", "--format", "json")
    rows = json.loads(result.output)
    assert len(rows) == 2
    for row in rows:
        assert set(SUMMARY_FIELDS) <= set(row)
        assert isinstance(row["running"], bool)
        assert row["start_time"][-6] in "+-"  # ISO 8601 with a UTC offset


def test_activities_csv_is_machine_readable(run, exports):
    run("import", str(exports), "--athlete", "ana")
    rows = list(csv.DictReader(io.StringIO(run("activities", "--format", "csv").output)))
    assert [r["format"] for r in rows] == ["gpx", "tcx"]
    assert abs(float(rows[1]["distance_m"]) - 8000) < 10


def test_failed_files_are_listed(run, exports):
    (exports / "broken.gpx").write_bytes(b"<gpx><trk>")
    run("import", str(exports), "--athlete", "ana")
    rows = json.loads(run("activities", "--failed", "--format", "json").output)
    assert [r["source_path"].rsplit("/", 1)[-1] for r in rows] == ["broken.gpx"]
    assert rows[0]["reason"]


def test_team_import_names_athletes_after_folders(run, tmp_path):
    for athlete, day in (("ana", 4), ("ben", 5)):
        folder = tmp_path / "team" / athlete
        folder.mkdir(parents=True)
        (folder / "run.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 5, day, 6))))
    assert run("import", str(tmp_path / "team"), "--team").exit_code == 0
    rows = json.loads(run("athletes", "--format", "json").output)
    assert [(r["athlete"], r["runs"]) for r in rows] == [("ana", 1), ("ben", 1)]


def test_the_db_can_come_from_the_environment(tmp_path, exports, monkeypatch):
    monkeypatch.setenv("STRIDELOAD_DB", str(tmp_path / "env.db"))
    assert CliRunner().invoke(cli, ["import", str(exports)]).exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_every_command_has_help_text():
    context = click.Context(cli)
    names = cli.list_commands(context)  # loaded on demand: ask the group, not its loaded ones
    assert {"import", "status", "report", "pain"} <= set(names)
    for name in names:
        command = cli.get_command(context, name)
        assert command is not None and command.help and len(command.help) > 20, name
        assert CliRunner().invoke(cli, [name, "--help"]).exit_code == 0


def test_a_pain_log_in_the_folder_is_imported_and_counted(run, exports):
    (exports / "pain.csv").write_text("date,time,score,when,side,note\n2026-05-05,07:00,3,next-morning,right,\n")
    result = run("import", str(exports), "--athlete", "ana")
    assert result.exit_code == 0
    assert "pain log" in result.output and "1 entries added" in result.output
    again = run("import", str(exports), "--athlete", "ana")
    assert "0 entries added, 0 updated, 1 already logged" in again.output


def test_a_read_command_never_creates_a_store(tmp_path):
    missing = tmp_path / "typo" / "store.db"
    for args in (("status",), ("flags",), ("activities",), ("report", "--out", str(tmp_path / "r"))):
        result = CliRunner().invoke(cli, [*args, "--db", str(missing)])
        assert result.exit_code == 1 and "no strideload store" in result.output, args
    assert not missing.parent.exists()
