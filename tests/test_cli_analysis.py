"""The flags, load, status and config commands, run in-process against a store in tmp_path."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from factories import daily_runs, frame, runs

from strideload.analyze import FLAG_COLUMNS, LOAD_COLUMNS, STATUS_COLUMNS
from strideload.cli.main import cli
from strideload.model import Activity, empty_stream_columns
from strideload.store import Store

HISTORY = frame(
    daily_runs("ana", "2024-01-01", [10, 0, 8, 0, 12, 0, 16.8] * 6),
    runs("ana", [("2024-02-12", 24.0, {"downhill_5pct_m": 1500.0})]),
    daily_runs("bob", "2024-01-20", [5] * 20),
)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "analysis.db"
    with Store.open(path) as store:
        for summary in HISTORY.to_dict("records"):
            summary.update(sha256=summary["id"], source_path=f"{summary['id']}.fit")
            store.insert_activity(Activity(summary=summary, columns=empty_stream_columns()))
    return path


def test_flags_as_json(run):
    result = run("flags", "--kind", "session_spike", "--since", "2024-02-01", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert [list(flag) for flag in found] == [FLAG_COLUMNS]
    assert found[0]["message"] == ("This 24.0 km run was 43 % longer than your longest run in the previous "
                                   "30 days (16.8 km).")
    assert (found[0]["date"], found[0]["severity"], found[0]["source"]) == ("2024-02-12", "alert", "frandsen2025")


def test_flags_table_filters_by_athlete_and_dates(run):
    result = run("flags", "--athlete", "ana", "--until", "2024-02-12")
    assert result.exit_code == 0, result.output
    assert "Session distance spike" in result.output and "bob" not in result.output
    assert "Session distance spike" not in run("flags", "--athlete", "ana", "--until", "2024-02-11").output


def test_flags_csv_has_every_column(run):
    result = run("flags", "--format", "csv", "--kind", "downhill_spike")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and list(rows[0]) == FLAG_COLUMNS
    assert {row["kind"] for row in rows} == {"downhill_spike"}


def test_load_series_with_null_ratios_in_the_warm_up(run):
    result = run("load", "--athlete", "bob", "--format", "json")
    assert result.exit_code == 0, result.output
    days = json.loads(result.output)
    assert len(days) == 20 and list(days[0]) == LOAD_COLUMNS
    assert days[0]["date"] == "2024-01-20" and days[-1]["acute_7d_km"] == 35.0
    assert all(day["acwr_coupled"] is None and day["acwr_ewma"] is None for day in days)


def test_load_csv(run):
    rows = list(csv.DictReader(io.StringIO(run("load", "--format", "csv").output)))
    assert list(rows[0]) == LOAD_COLUMNS
    assert {row["athlete"] for row in rows} == {"ana", "bob"}


def test_status_of_several_athletes_most_concerning_first(run):
    result = run("status", "--as-of", "2024-02-13", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["athlete"] for row in rows] == ["ana", "bob"]
    assert list(rows[0]) == STATUS_COLUMNS
    assert rows[0]["concern"] == "alert" and rows[0]["spike_limit_km"] == pytest.approx(26.4)
    table = run("status", "--as-of", "2024-02-13")
    assert table.exit_code == 0 and "Most concerning first" in table.output


def test_the_status_table_never_calls_a_week_without_data_clear(run):
    rows = {r["athlete"]: r for r in json.loads(run("status", "--as-of", "2024-04-01", "--format", "json").output)}
    assert rows["ana"]["stale"] and rows["ana"]["concern"] == "none"  # nothing flagged: there is nothing to flag
    table = run("status", "--as-of", "2024-04-01").output
    ana = next(line for line in table.splitlines() if "│ ana " in line)
    assert "no recent runs" in ana and "clear" not in ana


def test_status_of_one_athlete_reads_like_a_summary(run):
    result = run("status", "--athlete", "ana", "--as-of", "2024-02-13")
    assert result.exit_code == 0, result.output
    for words in ("Last 7 days", "60.8 km", "26.4 km counts as a spike", "Cadence", "Session distance spike",
                  "does not diagnose"):
        assert words in result.output


def test_config_shows_values_and_where_they_came_from(run, tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[settings]\nsession_spike_small = 1.2\n[athletes.ana]\ncadence_hint_spm = 160\n",
                    encoding="utf-8")
    rows = {row["name"]: row for row in json.loads(run("config", "--config", str(path), "--athlete", "ana",
                                                       "--format", "json").output)}
    assert rows["session_spike_small"]["value"] == 1.2
    assert rows["session_spike_small"]["origin"] == f"{path} [settings]"
    assert rows["cadence_hint_spm"]["origin"] == f"{path} [athletes.ana]"
    assert rows["monotony_high"] == {"name": "monotony_high", "value": 2.0, "unit": "mean/sd",
                                     "source": "foster1998", "origin": "default",
                                     "description": rows["monotony_high"]["description"]}
    assert "session_spike_small" in run("config").output


def test_a_config_override_changes_the_flags(run, tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[settings]\nsession_spike_moderate = 1.5\nsession_spike_large = 2.5\n", encoding="utf-8")
    found = json.loads(run("flags", "--config", str(path), "--kind", "session_spike", "--since", "2024-02-01",
                           "--format", "json").output)
    assert [(f["severity"], f["threshold"]) for f in found] == [("caution", 1.1)]


@pytest.mark.parametrize("args, words", [
    (("flags", "--athlete", "zed"), "unknown athlete 'zed' (known: ana, bob)"),
    (("load", "--athlete", "zed"), "known: ana, bob"),
    (("status", "--athlete", "zed"), "known: ana, bob"),
    (("flags", "--since", "2024-13-01"), "'--since'"),
    (("flags", "--since", "2024-03-01", "--until", "2024-02-01"), "--since 2024-03-01 is after --until"),
    (("status", "--as-of", "yesterday"), "'--as-of'"),
    (("flags", "--kind", "pain"), "'--kind'"),
    (("status", "--format", "csv"), "'--format'"),
])
def test_bad_input_is_one_clear_error(run, args, words):
    result = run(*args)
    assert result.exit_code != 0
    assert words in result.output
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error:")


def test_a_bad_config_file_names_the_key(run, tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[settings]\nsession_spike_tiny = 1.2\n", encoding="utf-8")
    result = run("flags", "--config", str(path))
    assert result.exit_code == 1
    assert "session_spike_tiny" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_every_analysis_command_is_documented():
    for name in ("flags", "load", "status", "config"):
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and cli.commands[name].help, name
