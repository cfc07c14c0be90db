"""Output people can read and trust: tables in people's units, re-imports as counts, Ctrl-C
that says what was kept, dates within reason, and every name, file name and note printed
as data — never as terminal markup, escape sequences or spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from files import gpx_bytes, run_points, utc

from strideload import units
from strideload.cli.main import cli
from strideload.cli.render import csv_cell, literal
from strideload.ingest import importer

#: Names an attacker (or an unlucky export) could put in a file name, an activity name,
#: an athlete name, a pain note or a setting.
HOSTILE = ["[/bold]", "[link=file:///etc/passwd]x[/link]", "\x1b[31mred\x1b[0m\x1b]8;;file:///etc/passwd\x07",
           "=cmd|' /C calc'!A0", "\u202eevil", "[bold red]shout[/]"]
ATHLETE = "[/bold]\x1b[2J=ana"
NAME = "=cmd|' /C calc'!A0 [link=file:///etc/passwd]x[/link]"  # GPX text: no control characters in XML
NOTE = "\x1b]8;;file:///etc/passwd\x07click\x1b]8;;\x07 [/bold] +1 @x"
FILE = "[/bold]\x1b[31m=run.gpx"  # a folder "[" holding "bold]...": the path reads "[/bold]..."


CONFIG = ('[settings]\ntimezone = "Europe/Oslo"\nwatch_settle_s = 0.05\nwatch_batch_max_wait_s = 1.0\n'
          'default_athlete = "[/bold]\\u001b[1m"\n')


def _runner(db: Path, config: Path):
    def invoke(*args: str, **kwargs):
        # color=True: click would otherwise strip ANSI sequences itself and hide what reaches a terminal
        return CliRunner().invoke(cli, [*args, "--db", str(db), "--config", str(config)], catch_exceptions=False,
                                  color=True, **kwargs)

    return invoke


@pytest.fixture
def env(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return tmp_path / "out.db", config


@pytest.fixture
def run(env):
    return _runner(*env)


def _gpx(day: int, km: float, name: str = "Morning Run") -> bytes:
    return gpx_bytes(run_points(utc(2026, 5, day, 6), km=km, interval_s=5), name=name)


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory):
    """A store with one athlete, file, activity, pain note and broken file, all named to do
    harm; made once per module (each test copies it)."""
    tmp_path = tmp_path_factory.mktemp("hostile")
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    run = _runner(tmp_path / "template.db", config)
    folder = tmp_path / "exports"
    folder.mkdir()
    for day, km in ((1, 5), (3, 5), (5, 5), (7, 6), (9, 5), (11, 6), (13, 12)):
        (folder / f"d{day:02d}.gpx").write_bytes(_gpx(day, km))
    (folder / "[").mkdir()
    (folder / FILE).write_bytes(_gpx(14, 5, name=NAME))
    (folder / "[/bold]broken\x1b[5m.gpx").write_bytes(b"<gpx><trk>")
    result = run("import", str(folder), "--athlete", ATHLETE, "--verbose")
    assert result.exit_code == 1  # the broken file
    run("pain", "add", "6", "--date", "2026-05-14", "--when", "during", "--athlete", ATHLETE, "--note", NOTE)
    return tmp_path / "template.db", folder, result


@pytest.fixture
def hostile_store(hostile_template, env):
    template, folder, result = hostile_template
    shutil.copy(template, env[0])
    return folder, result


def _safe(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, repr(text)


LISTINGS = [
    ("activities",), ("activities", "--failed"), ("athletes",), ("status",), ("status", "--as-of", "2026-05-15"),
    ("load",), ("flags", "--until", "2026-05-15"), ("pain", "list"), ("config",), ("history",),
]


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_hostile_names_print_literally_through_every_listing(run, hostile_store, fmt):
    _, imported = hostile_store
    _safe(imported.output)
    assert "[/bold]" in imported.output and "broken" in imported.output
    for args in LISTINGS:
        if fmt == "csv" and args[0] == "status":
            continue  # status has no CSV
        result = run(*args, "--format", fmt)
        assert result.exit_code == 0, (args, result.output)
        _safe(result.output)
        if fmt == "json":
            json.loads(result.output)  # still valid JSON, with the characters escaped
    table = run("activities").output
    assert "[/bold]" in table and "[link=file:///etc/passwd]x[/link]" in table
    assert "\\x1b[31m=run.gpx" in table  # the file name, with its ESC shown, not obeyed
    notes = run("pain", "list").output
    assert "\\x1b]8;;file:///etc/passwd\\x07click" in notes and "[/bold] +1 @x" in notes
    # --athlete with the hostile name is looked up like any other
    assert run("status", "--athlete", ATHLETE, "--as-of", "2026-05-15").exit_code == 0


def test_watch_report_and_corrections_print_names_literally(run, hostile_store, tmp_path):
    folder, _ = hostile_store
    watched = run("watch", str(folder), "--once", "--athlete", ATHLETE)
    _safe(watched.output)
    (activity,) = [a for a in json.loads(run("activities", "--format", "json").output) if a["name"] == NAME]
    moved = run("activities", "move", activity["id"], "--athlete", "\x1b[31m[/bold]ben")
    assert moved.exit_code == 0 and "[/bold]ben" in moved.output
    _safe(moved.output)
    reported = run("report", "--out", str(tmp_path / "reports"))
    assert reported.exit_code == 0, reported.output
    _safe(reported.output)
    added = run("pain", "add", "2", "--date", "2026-05-15", "--when", "daily", "--athlete", ATHLETE)
    assert added.exit_code == 0 and "[/bold]\\x1b[2J=ana" in added.output
    _safe(added.output)
    error = run("activities", "--athlete", "\x1b[31mnobody")
    assert error.exit_code == 1 and "\\x1b[31mnobody" in error.output
    _safe(error.output)


def test_csv_cells_never_start_a_formula(run, hostile_store):
    rows = list(csv.DictReader(io.StringIO(run("activities", "--format", "csv").output)))
    assert {row["athlete"] for row in rows} == {"[/bold]\\x1b[2J=ana"}  # starts with '[': no formula
    (named,) = [row for row in rows if row["name"].startswith("'")]
    assert named["name"] == "'" + NAME
    assert any(row["source_path"].endswith("\\x1b[31m=run.gpx") for row in rows)
    pain = list(csv.DictReader(io.StringIO(run("pain", "list", "--format", "csv").output)))
    assert pain[0]["note"] == literal(NOTE)  # control characters shown, starts with '\\': no formula
    for value in ("=1+2", "+1", "-1", "@SUM(A1)", "\t=x", "\r=x"):
        assert csv_cell(value)[0] not in "=+-@\t\r", value
    assert csv_cell(-1.5) == -1.5 and csv_cell("ana") == "ana"


def test_literal_shows_control_characters_and_keeps_markup_as_text():
    for text in HOSTILE:
        shown = literal(text)
        assert all(ch >= " " and not 0x7f <= ord(ch) <= 0x9f and ch != "\u202e" for ch in shown), repr(shown)
    assert literal("[bold]x[/bold]") == "[bold]x[/bold]"
    assert literal("a\x1bb\x9bc\u202ed\ne") == "a\\x1bb\\x9bc\\u202ed e"


@pytest.mark.parametrize("args", [
    ("status", "--as-of", "9999-12-31"), ("status", "--as-of", "1989-12-31"), ("flags", "--since", "1900-01-01"),
    ("flags", "--until", "3000-01-01"), ("report", "--as-of", "2999-01-01"), ("rtr", "status", "--as-of", "0001-01-01"),
    ("pain", "edit", "1", "--date", "1900-01-01"),
])
def test_dates_outside_1990_to_next_year_are_one_line_errors(run, args):
    run("pain", "add", "1", "--date", "2026-05-01", "--when", "daily", "--athlete", "ana")
    result = run(*args)
    assert result.exit_code == 2, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error:") and "is outside 1990-01-01" in last and "Traceback" not in result.output


def test_tables_use_peoples_units_and_json_keeps_si(run, env, tmp_path):
    db, config = env
    (tmp_path / "a.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 5, 4, 6), km=5, speed_mps=3.0, interval_s=5)))
    run("import", str(tmp_path / "a.gpx"), "--athlete", "ana")
    table = run("activities").output
    assert "Distance (km)" in table and "Pace (min/km)" in table and "Cadence (steps/min)" in table
    line = next(line for line in table.splitlines() if "ana" in line)
    assert "2026-05-04" in line and "08:00" in line  # local date and start time (Oslo, UTC+2)
    (row,) = json.loads(run("activities", "--format", "json").output)
    pace = units.pace(row["avg_speed_mps"])
    assert " 5.0 " in line and units.duration(row["timer_s"]) in line and f" {pace} " in line and " 170 " in line
    assert "5:30" <= pace <= "5:36"  # 3 m/s
    assert row["distance_m"] == pytest.approx(5000, abs=20) and row["avg_speed_mps"] == pytest.approx(3.0, abs=0.05)

    config.write_text(config.read_text(encoding="utf-8") + 'units = "imperial"\n', encoding="utf-8")
    miles = run("activities").output
    assert "Distance (mi)" in miles and "Pace (min/mi)" in miles
    line = next(line for line in miles.splitlines() if "ana" in line)
    mile_pace = units.pace(row["avg_speed_mps"], "imperial")
    assert " 3.1 " in line and f" {mile_pace} " in line and "8:50" <= mile_pace <= "9:00"
    assert json.loads(run("activities", "--format", "json").output) == [row]
    assert "Last 7 days (mi)" in run("load").output and "mi" in run("status", "--as-of", "2026-05-05").output


def test_config_shows_what_each_setting_does(run):
    table = run("config").output
    assert "What it does" in table and "Daily load for the ratios" in table
    assert "Distances and paces" in table  # the description of units (it may wrap)


def test_a_reimport_prints_counts_and_verbose_lists_the_files(run, tmp_path):
    for day in (4, 6, 8):
        (tmp_path / f"r{day}.gpx").write_bytes(_gpx(day, 3))
    run("import", str(tmp_path), "--athlete", "ana")
    again = run("import", str(tmp_path), "--athlete", "ana")
    assert again.exit_code == 0
    assert again.output.splitlines()[0].startswith("0 added, 3 duplicates")
    assert "r4.gpx" not in again.output and "--verbose lists" in again.output
    verbose = run("import", str(tmp_path), "--athlete", "ana", "--verbose")
    assert all(f"r{day}.gpx: already imported" in verbose.output for day in (4, 6, 8))


def test_ctrl_c_during_import_says_what_was_kept(run, tmp_path, monkeypatch):
    for day in (4, 6, 8):
        (tmp_path / f"r{day}.gpx").write_bytes(_gpx(day, 3))
    original, calls = importer.write_result, []  # the parent writes each file's result

    def stop_at_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(importer, "write_result", stop_at_the_third)
    stopped = run("import", str(tmp_path), "--athlete", "ana")
    assert stopped.exit_code == 130
    assert "stopped: 2 files imported, run again to finish" in stopped.output
    monkeypatch.setattr(importer, "write_result", original)
    finished = run("import", str(tmp_path), "--athlete", "ana")
    assert finished.output.startswith("1 added, 2 duplicates")


def test_a_long_config_path_never_squeezes_the_descriptions(tmp_path, db):
    deep = tmp_path.joinpath(*(["a-rather-long-folder-name"] * 6))
    deep.mkdir(parents=True)
    config = deep / "config.toml"
    config.write_text('[settings]\nunits = "imperial"\n', encoding="utf-8")
    table = CliRunner().invoke(cli, ["config", "--db", str(db), "--config", str(config)]).output
    assert f"configfile:{config}" in "".join(table.split())  # the title names the file (it may wrap)
    assert "Daily load for the ratios and monotony" in table
    units = next(line for line in table.splitlines() if "│ units " in line)
    assert "imperial" in units and "config [settings]" in units and str(deep) not in units
