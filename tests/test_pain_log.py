"""The pain log: entries validated field by field, the CSV read all-or-nothing, the store keyed
so that the same entry twice is one, and during/after scores linked to that day's run."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from budget import examples
from factories import runs
from hypothesis import given, settings
from hypothesis import strategies as st

from strideload.model import Activity, empty_stream_columns
from strideload.pain import (
    CSV_COLUMNS,
    PAIN_COLUMNS,
    PainInputError,
    make_entry,
    parse_csv,
    read_csv,
    template,
)

HEADER = ",".join(CSV_COLUMNS)


def _csv(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode()


def test_an_entry_keeps_every_field_normalised():
    entry = make_entry("ana", score="6.5", date="2026-05-05", when="Next_Morning", time="07:10:30",
                       side="RIGHT", note="  stairs  ")
    assert (entry.score, entry.date, entry.when, entry.time, entry.side, entry.note) == (
        6.5, date(2026, 5, 5), "next-morning", "07:10", "right", "stairs")


def test_optional_fields_may_be_empty():
    entry = make_entry("ana", score=0, date="2026-05-05", when="daily", time="", side="", note="")
    assert (entry.time, entry.side, entry.note) == (None, None, None)


@pytest.mark.parametrize("field, value, message", [
    ("score", "11", "outside 0–10"),
    ("score", "-1", "outside 0–10"),
    ("score", "3.3", "whole or half point"),
    ("score", "nan", "outside 0–10"),
    ("score", "bad", "not a number"),
    ("score", "", "missing"),
    ("date", "2026-02-30", "YYYY-MM-DD"),
    ("date", "5/5/2026", "YYYY-MM-DD"),
    ("date", "", "missing"),
    ("when", "before", "during, after, next-morning, daily"),
    ("when", "", "missing"),
    ("side", "middle", "left, right, both"),
    ("time", "25:00", "HH:MM"),
])
def test_a_bad_field_is_named(field, value, message):
    fields = {"score": "3", "date": "2026-05-05", "when": "during", "time": None, "side": None}
    fields[field] = value
    with pytest.raises(PainInputError) as caught:
        make_entry("ana", **fields)
    assert caught.value.field == field
    assert message in str(caught.value)


def test_the_csv_reads_every_documented_column():
    entries = parse_csv(_csv("2026-05-04,07:40,2,during,right,last 2 km downhill",
                             '2026-05-05,,3,next-morning,right,"stiff, stairs hurt"', ""), "ana")
    assert [(e.date.isoformat(), e.time, e.score, e.when, e.side, e.note) for e in entries] == [
        ("2026-05-04", "07:40", 2.0, "during", "right", "last 2 km downhill"),
        ("2026-05-05", None, 3.0, "next-morning", "right", "stiff, stairs hurt"),
    ]


def test_the_template_is_a_header_and_commented_examples_that_import_as_nothing():
    text = template()
    assert text.splitlines()[0] == "date,time,score,when,side,note"
    assert parse_csv(text, "ana") == []
    # each example is a valid row once its # is removed
    uncommented = "\n".join(line[2:] if line.startswith("# 20") else line for line in text.splitlines())
    assert [e.when for e in parse_csv(uncommented, "ana")] == ["during", "after", "next-morning", "daily"]


def test_comment_lines_are_skipped_anywhere():
    entries = parse_csv("# ana's log\n\ndate,score,when\n# a note\n2026-05-04,2,during\n  # indented\n", "ana")
    assert [(e.date.isoformat(), e.score) for e in entries] == [("2026-05-04", 2.0)]


def test_a_date_after_the_latest_allowed_is_refused():
    with pytest.raises(PainInputError) as caught:
        parse_csv(_csv("2026-05-04,,2,during,,", "2026-05-07,,2,daily,,"), "ana", latest=date(2026, 5, 6))
    assert (caught.value.line, caught.value.field) == (3, "date")
    assert "2026-05-07 is in the future (the latest date allowed is 2026-05-06)" in str(caught.value)
    assert len(parse_csv(_csv("2026-05-06,,2,daily,,"), "ana", latest=date(2026, 5, 6))) == 1


def test_the_latest_date_is_the_athletes_tomorrow():
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from strideload.config import parse_config
    from strideload.pain import latest_date

    kiritimati = parse_config({"athletes": {"ana": {"timezone": "Pacific/Kiritimati"}}})
    assert latest_date(kiritimati, "ana") in {datetime.now(ZoneInfo("Pacific/Kiritimati")).date() + timedelta(days=1)}


def test_optional_columns_may_be_left_out_and_reordered():
    entries = parse_csv(b"when,score,date\ndaily,1,2026-05-05\n", "ana")
    assert entries[0].when == "daily" and entries[0].time is None


def test_a_utf8_bom_is_fine(tmp_path):
    path = tmp_path / "pain.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _csv("2026-05-05,,1,daily,,"))
    assert len(read_csv(path, "ana")) == 1


@pytest.mark.parametrize("rows, line, field, message", [
    (("2026-05-04,,2,during,,", "2026-05-05,,12,daily,,"), 3, "score", "outside 0–10"),
    (("2026-05-04,,2,sometime,,",), 2, "when", "not one of"),
    (("2026-13-04,,2,during,,",), 2, "date", "YYYY-MM-DD"),
    (("2026-05-04,,2,during,right,stiff, sore",), 2, "row", "7 fields where the header has 6"),
    (("2026-05-04,,2,during",), 2, "row", "4 fields"),
    (("2026-05-04,,2,during,,", "2026-05-04,,3,during,,"), 3, "when", "repeats line 2"),
    (("2026-05-04,,2,during,,", "", "2026-05-06,,x,daily,,"), 4, "score", "not a number"),
])
def test_a_bad_row_names_its_line_and_field(rows, line, field, message):
    with pytest.raises(PainInputError) as caught:
        parse_csv(_csv(*rows), "ana", path="pain.csv")
    error = caught.value
    assert (error.line, error.field) == (line, field)
    assert message in str(error)
    assert str(error).startswith(f"pain.csv, line {line}: field {field!r}")
    assert "\n" not in str(error)


def test_several_bad_rows_are_counted_in_one_line():
    with pytest.raises(PainInputError, match=r"line 2: .* \(and 2 more bad rows; nothing was imported\)"):
        parse_csv(_csv("x,,1,daily,,", "2026-05-05,,11,daily,,", "2026-05-06,,1,soon,,"), "ana", path="p.csv")


@pytest.mark.parametrize("content, field, message", [
    (b"", "header", "empty"),
    (b"date,score,when,mood\n", "mood", "unknown column 'mood'"),
    (b"date,when\n", "score", "lacks the required column 'score'"),
    (b"date,score,when,date\n", "date", "appears twice"),
    (b"\xff\xfe d\x00", "file", "not UTF-8"),
])
def test_a_bad_header_or_file_is_refused(content, field, message):
    with pytest.raises(PainInputError) as caught:
        parse_csv(content, "ana", path="pain.csv")
    assert caught.value.field == field and message in str(caught.value)


def test_a_missing_file_is_an_error_not_a_traceback(tmp_path):
    with pytest.raises(PainInputError, match="cannot read"):
        read_csv(tmp_path / "nope.csv", "ana")


def test_store_round_trip_has_the_documented_columns(store):
    store.add_pain(parse_csv(_csv("2026-05-04,07:40,2,during,right,downhill", "2026-05-05,,3,next-morning,,"),
                             "ana"))
    frame = store.pain_frame("ana")
    assert list(frame.columns) == PAIN_COLUMNS == ["id", "athlete", "date", "time", "score", "when", "side",
                                                   "note", "activity_id"]
    assert frame.to_dict("records") == [
        {"id": 1, "athlete": "ana", "date": "2026-05-04", "time": "07:40", "score": 2.0, "when": "during",
         "side": "right", "note": "downhill", "activity_id": None},
        {"id": 2, "athlete": "ana", "date": "2026-05-05", "time": None, "score": 3.0, "when": "next-morning",
         "side": None, "note": None, "activity_id": None},
    ]


def test_re_adding_the_same_entries_adds_nothing_and_a_change_updates(store):
    entries = parse_csv(_csv("2026-05-04,07:40,2,during,right,", "2026-05-05,,3,next-morning,,"), "ana")
    assert store.add_pain(entries).added == 2
    again = store.add_pain(entries)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    changed = store.add_pain(parse_csv(_csv("2026-05-05,,4,next-morning,,"), "ana"))
    assert (changed.added, changed.updated) == (0, 1)
    assert store.pain_frame()["score"].tolist() == [2.0, 4.0]


def test_a_new_score_without_a_note_keeps_the_note(store):
    store.add_pain([make_entry("ana", score=2, date="2026-05-05", when="next-morning", note="stairs hurt")])
    changed = store.add_pain([make_entry("ana", score=5, date="2026-05-05", when="next-morning")])
    assert (changed.added, changed.updated) == (0, 1)
    [row] = store.pain_frame().to_dict("records")
    assert (row["score"], row["note"]) == (5.0, "stairs hurt")
    same = store.add_pain([make_entry("ana", score=5, date="2026-05-05", when="next-morning")])
    assert same.unchanged == 1
    store.add_pain([make_entry("ana", score=5, date="2026-05-05", when="next-morning", note="better")])
    assert store.pain_frame()["note"].tolist() == ["better"]  # a new note replaces it


def test_a_failing_write_leaves_nothing(store):
    good = make_entry("ana", score=1, date="2026-05-04", when="daily")

    class Broken:
        athlete, date, score, when, time, side, note = "ana", date(2026, 5, 5), 99.0, "daily", None, None, None

        def key(self):
            return ("ana", "2026-05-05", "", "daily", "")

    with pytest.raises(sqlite3.IntegrityError):
        store.add_pain([good, Broken()])  # the CHECK constraint refuses 99
    assert store.pain_frame().empty


def test_same_moment_on_the_other_knee_is_another_entry(store):
    store.add_pain(parse_csv(_csv("2026-05-05,,3,daily,left,", "2026-05-05,,1,daily,right,"), "ana"))
    assert len(store.pain_frame()) == 2


def test_during_and_after_link_to_that_days_run(store):
    history = runs("ana", [("2026-05-04", 5.0), ("2026-05-04", 12.0), ("2026-05-06", 8.0)])
    for summary in history.to_dict("records"):
        summary.update(sha256=summary["id"], source_path="x.fit")
        store.insert_activity(Activity(summary=summary, columns=empty_stream_columns()))
    # Runs on 4 May start 07:00 (5 km) and 08:00 (12 km).
    store.add_pain(parse_csv(_csv("2026-05-04,07:30,2,during,,", "2026-05-04,09:30,3,after,,",
                                  "2026-05-04,,3,during,left,", "2026-05-05,,3,next-morning,,",
                                  "2026-05-06,,1,daily,,", "2026-05-07,,1,after,,"), "ana"))
    linked = store.pain_frame().set_index(["date", "when", "side"], drop=False)["activity_id"]
    assert linked[("2026-05-04", "during", None)] == "ana-2026-05-04-0"   # started before 07:30
    assert linked[("2026-05-04", "after", None)] == "ana-2026-05-04-1"    # the last run before 09:30
    assert linked[("2026-05-04", "during", "left")] == "ana-2026-05-04-1"  # no time: the longest
    assert linked[("2026-05-05", "next-morning", None)] is None            # a morning is not a run
    assert linked[("2026-05-06", "daily", None)] is None
    assert linked[("2026-05-07", "after", None)] is None                   # no run that day


def test_the_sample_logs_read_cleanly():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "sample_data"
    assert len(read_csv(root / "ana" / "pain.csv", "ana")) == 68
    assert len(read_csv(root / "ben" / "pain.csv", "ben")) == 33


# -- pain logs found by ``strideload import`` ------------------------------------------------

def _team(tmp_path):
    from files import gpx_bytes, run_points, utc

    root = tmp_path / "team"
    for name, day in (("ana", 4), ("ben", 5)):
        folder = root / name
        (folder / "logs").mkdir(parents=True)
        (folder / "run.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 5, day, 6), km=3)))
        (folder / "logs" / "Pain-may.csv").write_bytes(_csv(f"2026-05-0{day},,2,during,,"))
        (folder / "notes.csv").write_bytes(b"not,a,pain,log\n")
    return root


def test_import_reads_pain_csvs_per_athlete_folder(store, tmp_path):
    from strideload.ingest.importer import import_paths

    result = import_paths(store, [_team(tmp_path)], team=True)
    assert result.counts()["added"] == 2 and not result.failed
    assert [(p.athlete, p.added) for p in result.pain] == [("ana", 1), ("ben", 1)]
    frame = store.pain_frame()
    assert frame[["athlete", "date"]].values.tolist() == [["ana", "2026-05-04"], ["ben", "2026-05-05"]]
    assert frame["activity_id"].notna().all()  # linked to each one's run that day


def test_reimporting_a_folder_adds_no_pain_twice(store, tmp_path):
    from strideload.ingest.importer import import_paths

    root = _team(tmp_path)
    import_paths(store, [root], team=True)
    again = import_paths(store, [root], team=True)
    assert [(p.added, p.unchanged) for p in again.pain] == [(0, 1), (0, 1)]
    assert len(store.pain_frame()) == 2


def test_a_bad_pain_csv_in_a_folder_fails_alone(store, tmp_path):
    from strideload.ingest.importer import import_paths

    root = _team(tmp_path)
    (root / "ana" / "pain.csv").write_bytes(_csv("2026-05-06,,1,daily,,", "2026-05-07,,12,daily,,"))
    result = import_paths(store, [root / "ana"], athlete="ana")
    assert result.counts()["added"] == 1  # the run still imports
    [failed] = result.failed
    assert failed.path.endswith("pain.csv")
    assert failed.reason == "pain log: line 3, field 'score': '12' is outside 0–10"
    assert store.pain_frame()["date"].tolist() == ["2026-05-04"]  # the good log only


def test_a_pain_csv_named_explicitly_is_a_pain_log(store, tmp_path):
    from strideload.ingest.importer import import_paths

    path = tmp_path / "pain.csv"
    path.write_bytes(_csv("2026-05-06,,1,daily,,"))
    result = import_paths(store, [path], athlete="ana")
    assert result.outcomes == [] and result.pain[0].added == 1


# -- invariants -------------------------------------------------------------------------------

ROWS = st.lists(st.tuples(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
                          st.integers(0, 20).map(lambda halves: halves / 2),
                          st.sampled_from(("during", "after", "next-morning", "daily")),
                          st.sampled_from(("", "left", "right", "both")),
                          st.text(alphabet="abc ,\"é", max_size=8)),
                min_size=1, max_size=12, unique_by=lambda row: (row[0], row[2], row[3]))


@settings(max_examples=examples(40), deadline=None)
@given(rows=ROWS)
def test_any_valid_csv_round_trips_and_imports_once(tmp_path_factory, rows):
    import csv
    import io

    from strideload.store import Store

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for day, score, when, side, note in rows:
        writer.writerow([day.isoformat(), "", f"{score:g}", when, side, note])
    entries = parse_csv(buffer.getvalue().encode(), "ana")
    assert [(e.date, e.score, e.when, e.side or "", e.note or "") for e in entries] == \
        [(d, s, w, side, n.strip()) for d, s, w, side, n in rows]
    with Store.open(tmp_path_factory.mktemp("db") / "p.db") as store:
        assert store.add_pain(entries).added == len(rows)
        again = store.add_pain(entries)
        assert (again.added, again.updated, again.unchanged) == (0, 0, len(rows))
        assert len(store.pain_frame()) == len(rows)
