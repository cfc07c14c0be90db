"""Runs set aside as implausible: listed with the reason, left out of the flags, and the runner's
``activities include ID`` / ``exclude ID`` decides (kept in the store, across re-imports)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from factories import every, frame, runs

from strideload.model import Activity, empty_stream_columns
from strideload.store import Store

HISTORY = frame(
    every("ana", "2024-01-01", "2024-02-11", 10.0),
    runs("ana", [("2024-02-12", 998.0, {"timer_s": 998_000 / 374, "avg_speed_mps": 374.0, "id": "glitch"}),
                 ("2024-02-19", 11.7, {"id": "real", "gps_spikes_removed": 2})]),
)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "quarantine.db"
    with Store.open(path) as store:
        for summary in HISTORY.to_dict("records"):
            summary.update(sha256=summary["id"], source_path=f"{summary['id']}.fit")
            store.insert_activity(Activity(summary=summary, columns=empty_stream_columns()))
    return path


def listed(run) -> dict:
    return {row["id"]: row for row in json.loads(run("activities", "--format", "json").output)}


def spikes(run) -> list[tuple[str, float]]:
    found = json.loads(run("flags", "--kind", "session_spike", "--until", "2024-02-20", "--format", "json").output)
    return [(f["activity_id"], round(f["value"], 2)) for f in found]


def test_the_glitch_is_listed_with_its_reason_and_left_out_of_the_flags(run):
    rows = listed(run)
    assert rows["glitch"]["quarantined"] is True and rows["glitch"]["decision"] is None
    assert rows["glitch"]["quarantine_reason"].startswith("average speed 374.0 m/s is above 7 m/s")
    assert rows["real"]["quarantined"] is False and rows["real"]["data_quality"] == "2 GPS spikes removed"
    table = run("activities").output
    assert "SET ASIDE" in table and "GPS spikes" in table   # the quality column (wrapped to fit)
    assert spikes(run) == [("real", 1.17)]


def test_include_counts_it_and_exclude_sets_it_aside_again(run):
    result = run("activities", "include", "glitch")
    assert result.exit_code == 0, result.output
    assert result.output == ("ana's activity glitch (2024-02-12, 998.0 km) is counted: it is load and takes part "
                             "in every flag, whatever the plausibility rule says\n")
    assert listed(run)["glitch"]["decision"] == "include" and not listed(run)["glitch"]["quarantined"]
    assert ("glitch", 99.8) in spikes(run)

    result = run("activities", "exclude", "real")
    assert result.exit_code == 0 and "is set aside: it stays listed" in result.output
    assert listed(run)["real"]["quarantine_reason"] == "excluded by you"
    assert [a for a, _ in spikes(run)] == ["glitch"]

    assert run("activities", "exclude", "glitch").exit_code == 0   # the last word counts
    assert spikes(run) == []


def test_an_unknown_id_is_one_clear_error(run):
    result = run("activities", "include", "nope")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no activity with id 'nope' ('strideload activities' shows ids)"


def test_a_decision_is_in_the_change_log(run):
    run("activities", "exclude", "rea")                      # a unique start of the id will do
    history = json.loads(run("history", "--format", "json").output)
    assert history[0]["action"] == "exclude" and history[0]["detail"] == {"activity_id": "real",
                                                                          "decision": "exclude"}


def test_the_decision_survives_importing_the_same_run_again(db, run):
    run("activities", "include", "glitch")
    with Store.open(db) as store:
        summary = HISTORY.set_index("id").loc["glitch"].to_dict() | {"id": "glitch", "sha256": "glitch",
                                                                      "source_path": "again.fit"}
        store.insert_activity(Activity(summary=summary, columns=empty_stream_columns()))  # INSERT OR REPLACE
        assert store.activities_frame().set_index("id").loc["glitch", "decision"] == "include"


def test_the_migration_adds_the_speeds_and_the_decisions(db):
    with sqlite3.connect(db) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(activities)")}
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"run_speed_mps", "sustained_speed_mps", "gps_spikes_removed"} <= columns
    assert "activity_decisions" in tables
    with Store.open(db) as store:
        assert "0007_trust_speeds_and_decisions" in store.applied_migrations()


def test_doctor_notes_the_runs_set_aside_and_how_to_count_one(run):
    result = run("doctor", "--format", "json")
    assert result.exit_code == 0  # a note, nothing to fix
    found = {row["check"]: row for row in json.loads(result.output)}["runs set aside"]
    assert found["level"] == "note"
    assert found["detail"].startswith("1 run(s) do not count as load: glitch on 2024-02-12 (ana): average speed 374.0")
    assert "strideload activities include ID" in found["fix"]
    run("activities", "include", "glitch")
    found = {row["check"]: row for row in json.loads(run("doctor", "--format", "json").output)}["runs set aside"]
    assert found["level"] == "ok"
