"""``strideload pain add / list / import / template``, run in-process as a user would type them."""

from __future__ import annotations

import csv
import io
import json

import pytest

from strideload.pain import CSV_COLUMNS, PAIN_COLUMNS
from strideload.store import Store


def _csv(tmp_path, *rows: str, name: str = "pain.csv"):
    path = tmp_path / name
    path.write_text("\n".join([",".join(CSV_COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


def test_add_then_list_as_json(run):
    result = run("pain", "add", "3.5", "--date", "2026-05-05", "--when", "next-morning", "--athlete", "ana",
                 "--side", "right", "--note", "stairs")
    assert result.exit_code == 0, result.output
    assert "added: ana 2026-05-05 next-morning 3.5/10 (right)" in result.output
    rows = json.loads(run("pain", "list", "--format", "json").output)
    assert rows == [{"id": 1, "athlete": "ana", "date": "2026-05-05", "time": None, "score": 3.5,
                     "when": "next-morning", "side": "right", "note": "stairs", "activity_id": None}]


def test_add_without_athlete_uses_the_default(run):
    assert run("pain", "add", "1", "--date", "2026-05-05", "--when", "daily").exit_code == 0
    assert json.loads(run("pain", "list", "--format", "json").output)[0]["athlete"] == "me"


def test_adding_the_same_moment_again_updates_it(run):
    run("pain", "add", "2", "--date", "2026-05-05", "--when", "daily")
    result = run("pain", "add", "3", "--date", "2026-05-05", "--when", "daily")
    assert "updated" in result.output
    assert [r["score"] for r in json.loads(run("pain", "list", "--format", "json").output)] == [3.0]


def test_import_twice_adds_nothing_the_second_time(run, tmp_path):
    path = _csv(tmp_path, "2026-05-04,07:40,2,during,right,", '2026-05-05,,3,next-morning,right,"stiff, sore"')
    first = run("pain", "import", str(path), "--athlete", "ana")
    assert first.exit_code == 0 and "2 added, 0 updated, 0 already logged" in first.output
    second = run("pain", "import", str(path), "--athlete", "ana")
    assert "0 added, 0 updated, 2 already logged" in second.output
    assert len(json.loads(run("pain", "list", "--format", "json").output)) == 2


def test_list_as_csv_and_table(run, tmp_path):
    run("pain", "import", str(_csv(tmp_path, "2026-05-04,07:40,6.5,during,right,")), "--athlete", "ana")
    rows = list(csv.DictReader(io.StringIO(run("pain", "list", "--format", "csv").output)))
    assert list(rows[0]) == PAIN_COLUMNS and rows[0]["score"] == "6.5"
    table = run("pain", "list", "--athlete", "ana").output
    assert "6.5" in table and "during" in table


def test_the_template_imports_as_nothing(run, tmp_path):
    result = run("pain", "template")
    assert result.output.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert all(line.startswith("# ") for line in result.output.splitlines()[1:])
    path = tmp_path / "mine.csv"
    path.write_text(result.output, encoding="utf-8")
    imported = run("pain", "import", str(path))
    assert imported.exit_code == 0 and "0 added, 0 updated, 0 already logged" in imported.output
    assert json.loads(run("pain", "list", "--format", "json").output) == []


def test_a_new_score_keeps_the_note(run):
    run("pain", "add", "2", "--date", "2026-10-26", "--when", "next-morning", "--athlete", "ana", "--note", "stairs")
    result = run("pain", "add", "5", "--date", "2026-10-26", "--when", "next-morning", "--athlete", "ana")
    assert "updated: ana 2026-10-26 next-morning 5/10" in result.output
    [row] = json.loads(run("pain", "list", "--format", "json").output)
    assert (row["score"], row["note"]) == (5.0, "stairs")


def test_a_date_after_tomorrow_is_refused(run, tmp_path):
    from datetime import date, timedelta

    later = (date.today() + timedelta(days=3)).isoformat()
    _bad(run("pain", "add", "2", "--date", later, "--when", "daily", "--athlete", "ana"),
         "field 'date'", f"{later} is in the future")
    _bad(run("pain", "import", str(_csv(tmp_path, f"{later},,2,daily,,")), "--athlete", "ana"),
         "line 2", "field 'date'", "in the future")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()  # a time zone ahead may already be there
    assert run("pain", "add", "2", "--date", tomorrow, "--when", "daily", "--athlete", "ana").exit_code == 0


def test_without_athlete_in_a_store_of_several_is_an_error_listing_them(run):
    run("pain", "add", "1", "--date", "2026-05-05", "--when", "daily", "--athlete", "ana")
    # one athlete: the score is hers
    assert run("pain", "add", "2", "--date", "2026-05-06", "--when", "daily").exit_code == 0
    assert {r["athlete"] for r in json.loads(run("pain", "list", "--format", "json").output)} == {"ana"}
    run("pain", "add", "1", "--date", "2026-05-05", "--when", "daily", "--athlete", "ben")
    _bad(run("pain", "add", "3", "--date", "2026-05-07", "--when", "daily"),
         "this store has several athletes (ana, ben): say whose it is with --athlete")
    _bad(run("rtr", "start", "--protocol", "crowell2023"), "several athletes (ana, ben)")
    assert len(json.loads(run("pain", "list", "--format", "json").output)) == 3


def test_a_configured_default_athlete_is_used_whatever_the_store_holds(run, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[settings]\ndefault_athlete = "ben"\n', encoding="utf-8")
    monkeypatch.setenv("STRIDELOAD_CONFIG", str(config))
    run("pain", "add", "1", "--date", "2026-05-05", "--when", "daily", "--athlete", "ana")
    run("pain", "add", "1", "--date", "2026-05-05", "--when", "daily", "--athlete", "cy")
    assert run("pain", "add", "2", "--date", "2026-05-06", "--when", "daily").exit_code == 0
    assert json.loads(run("pain", "list", "--athlete", "ben", "--format", "json").output)[0]["score"] == 2.0


def _bad(result, *parts: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    for part in parts:
        assert part in lines[0], lines[0]


@pytest.mark.parametrize("args, parts", [
    (("11", "--date", "2026-05-05", "--when", "daily"), ("field 'score'", "outside 0–10")),
    (("-1", "--date", "2026-05-05", "--when", "daily"), ("field 'score'", "outside 0–10")),
    (("2.2", "--date", "2026-05-05", "--when", "daily"), ("field 'score'", "half point")),
    (("x", "--date", "2026-05-05", "--when", "daily"), ("field 'score'", "not a number")),
    (("3", "--date", "2026-05-05", "--when", "sometimes"), ("field 'when'", "during, after, next-morning, daily")),
    (("3", "--date", "05/05/2026", "--when", "daily"), ("field 'date'", "YYYY-MM-DD")),
    (("3", "--date", "2026-02-30", "--when", "daily"), ("field 'date'", "YYYY-MM-DD")),
    (("3", "--date", "2026-05-05", "--when", "daily", "--side", "up"), ("field 'side'",)),
    (("3", "--date", "2026-05-05", "--when", "daily", "--time", "7pm"), ("field 'time'",)),
])
def test_pain_add_bad_input(run, args, parts):
    _bad(run("pain", "add", *args), *parts)
    assert json.loads(run("pain", "list", "--format", "json").output) == []


@pytest.mark.parametrize("rows, parts", [
    (("2026-05-04,,2,during,,", "2026-05-05,,10.5,daily,,"), ("line 3", "field 'score'", "outside 0–10")),
    (("2026-05-04,,2,later,,",), ("line 2", "field 'when'", "not one of")),
    (("2026-05-04,,2,during,,", "2026-5-6,,2,during,,"), ("line 3", "field 'date'", "YYYY-MM-DD")),
    (("2026-05-04,,2,during,,", "2026-05-05,,2,during,right,sore, stiff"), ("line 3", "field 'row'", "fields")),
    (("2026-05-04,,2,during,,", "2026-05-04,,2,during,,"), ("line 3", "field 'when'", "repeats line 2")),
])
def test_pain_import_bad_row_writes_nothing(run, tmp_path, rows, parts):
    path = _csv(tmp_path, *rows)
    _bad(run("pain", "import", str(path)), str(path), *parts)
    assert json.loads(run("pain", "list", "--format", "json").output) == []


def test_pain_import_bad_header_and_missing_file(run, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("date,score,how\n2026-05-04,2,during\n", encoding="utf-8")
    _bad(run("pain", "import", str(path)), "line 1", "field 'how'", "unknown column")
    _bad(run("pain", "import", str(tmp_path / "none.csv")), "none.csv", "cannot read")


def test_pain_list_unknown_athlete(run):
    run("pain", "add", "1", "--date", "2026-05-05", "--when", "daily", "--athlete", "ana")
    _bad(run("pain", "list", "--athlete", "bob"), "unknown athlete 'bob'", "ana")


def test_missing_required_options_are_usage_errors(run):
    result = run("pain", "add", "3", "--when", "daily")
    assert result.exit_code == 2 and "--date" in result.output


def test_strideload_import_picks_up_pain_csvs(run, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    _csv(folder, "2026-05-04,07:40,2,during,right,")
    assert run("import", str(folder), "--athlete", "ana").exit_code == 0
    assert json.loads(run("pain", "list", "--format", "json").output)[0]["athlete"] == "ana"
    assert run("import", str(folder), "--athlete", "ana").exit_code == 0
    assert len(json.loads(run("pain", "list", "--format", "json").output)) == 1


def test_strideload_import_reports_a_bad_pain_csv(run, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    _csv(folder, "2026-05-04,07:40,2,whenever,right,")
    result = run("import", str(folder), "--athlete", "ana")
    assert result.exit_code == 1
    assert "pain.csv: pain log: line 2, field 'when'" in result.output
    assert json.loads(run("pain", "list", "--format", "json").output) == []


@pytest.fixture
def with_runs(db):
    from factories import runs

    from strideload.model import Activity, empty_stream_columns

    with Store.open(db) as store:
        for summary in runs("ana", [("2026-05-01", 8.0), ("2026-05-04", 8.0)]).to_dict("records"):
            summary.update(sha256=summary["id"], source_path="x.fit")
            store.insert_activity(Activity(summary=summary, columns=empty_stream_columns()))
    return db


def test_pain_flags_show_in_flags_and_status(run, with_runs):
    run("pain", "add", "1", "--date", "2026-05-04", "--when", "daily", "--athlete", "ana")
    run("pain", "add", "3", "--date", "2026-05-05", "--when", "next-morning", "--athlete", "ana")
    found = json.loads(run("flags", "--kind", "pain_red", "--until", "2026-05-06", "--format", "json").output)
    assert [(f["date"], f["kind"], f["source"], f["activity_id"]) for f in found] == [
        ("2026-05-05", "pain_red", "trek_pfp", "ana-2026-05-04-0")]
    status = run("status", "--athlete", "ana", "--as-of", "2026-05-06")
    assert status.exit_code == 0 and "Knee pain: red" in status.output and "pain_red" not in status.output


def test_pain_vs_load(run, with_runs, tmp_path):
    for day, score in (("02", 1), ("03", 0), ("05", 2)):
        run("pain", "add", str(score), "--date", f"2026-05-{day}", "--when", "next-morning", "--athlete", "ana")
    config = tmp_path / "c.toml"
    config.write_text("[athletes.ana]\npain_link_min_days = 3\n", encoding="utf-8")
    rows = json.loads(run("pain", "vs-load", "--format", "json", "--config", str(config)).output)
    # (8 km, 1), (0 km, 0), (8 km, 2): ranks (2.5, 1, 2.5) and (2, 1, 3).
    assert [(r["factor"], r["days"]) for r in rows] == [("distance", 3), ("downhill distance", 3)]
    assert rows[0]["rho"] == pytest.approx(0.866, abs=1e-3)
    table = run("pain", "vs-load", "--config", str(config)).output
    assert "not what caused them" in table
