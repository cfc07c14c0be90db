"""A PT's return-to-run plan file (``rtr*.toml``) beside the exports: parsed with errors that
name the file and the key, imported idempotently by ``strideload import`` (per athlete folder
with --team) and by the watcher, and ana's in sample_data/ read as a PT's record."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from files import gpx_bytes, run_points, utc

from strideload import analyze, rtr
from strideload.cli.main import cli
from strideload.config import parse_config
from strideload.ingest.importer import import_paths
from strideload.ingest.scan import is_plan_file
from strideload.rtr.plan_file import PlanFileError, apply_plan_file, parse_plan_file, read_plan_file

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "ana"
OSLO = parse_config({"settings": {"timezone": "Europe/Oslo"}})

PLAN = """\
[plan]
protocol = "crowell2023"
start = 2026-09-15

[[decisions]]          # in any order
date = 2026-09-23
stage = 3

[[decisions]]
date = 2026-09-19
stage = 2
note = "two clean sessions"
"""


def _epoch_day(value: str) -> int:
    return (date.fromisoformat(value) - date(1970, 1, 1)).days


def _write(folder: Path, text: str = PLAN, name: str = "rtr-plan.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the format -----------------------------------------------------------------------------

def test_a_plan_file_is_named_rtr_something_toml():
    assert is_plan_file("rtr-plan.toml") and is_plan_file("RTR.toml") and is_plan_file("sub/rtr_ana.TOML")
    assert not is_plan_file("plan.toml") and not is_plan_file(".rtr-plan.toml") and not is_plan_file("rtr.csv")


def test_parse_a_valid_file(tmp_path):
    found = read_plan_file(_write(tmp_path))
    assert (found.protocol.key, found.start, found.stage) == ("crowell2023", date(2026, 9, 15), 1)
    assert [(d.day, d.stage, d.note) for d in found.decisions] == [
        (_epoch_day("2026-09-19"), 2, "two clean sessions"), (_epoch_day("2026-09-23"), 3, None)]


def test_a_protocol_path_is_relative_to_the_plan_file(tmp_path):
    own = rtr.shipped_protocol("crowell2023").text.replace('key = "crowell2023"', 'key = "clinic"')
    (tmp_path / "protocols").mkdir()
    (tmp_path / "protocols" / "clinic.toml").write_text(own, encoding="utf-8")
    found = parse_plan_file('[plan]\nprotocol = "protocols/clinic.toml"\nstart = 2026-09-15\nstage = 2\n',
                            tmp_path / "rtr.toml")
    assert (found.protocol.key, found.stage, found.decisions) == ("clinic", 2, ())


BAD = [
    ('[plan]\nprotocol = "nope"\nstart = 2026-09-15\n', "plan.protocol", "unknown protocol 'nope'"),
    ('[plan]\nprotocol = "missing/clinic.toml"\nstart = 2026-09-15\n', "plan.protocol", "cannot read"),
    ('[plan]\nprotocol = "crowell2023"\nstart = "next Monday"\n', "plan.start",
     "must be a date like 2026-09-15, got 'next Monday'"),
    ('[plan]\nprotocol = "crowell2023"\nstart = 2026-09-15T07:00:00\n', "plan.start", "not a date and time"),
    ('[plan]\nprotocol = "crowell2023"\n', "plan.start", "required"),
    ('[plan]\nprotocol = "crowell2023"\nstart = 2026-09-15\nstage = 0\n', "plan.stage", "phases 1 to 6, not 0"),
    ('[plan]\nprotocol = "crowell2023"\nstart = 2026-09-15\nathlete = "ana"\n', "plan.athlete", "unknown entry"),
    (PLAN + "\n[[decisions]]\ndate = 2026-09-28\nstage = 7\n", "decisions[3].stage", "phases 1 to 6, not 7"),
    (PLAN + '\n[[decisions]]\ndate = "2026-13-01"\nstage = 4\n', "decisions[3].date",
     "must be a date like 2026-09-15, got '2026-13-01'"),
    (PLAN + "\n[[decisions]]\ndate = 2026-09-10\nstage = 2\n", "decisions[3].date",
     "2026-09-10 is before the plan's start (2026-09-15)"),
    (PLAN + "\n[[decisions]]\ndate = 2026-09-19\nstage = 3\n", "decisions[3].date",
     "2026-09-19 already has a decision (decisions[2])"),
    (PLAN + "\n[[decisions]]\ndate = 2026-09-28\nstage = 4\nwhen = 1\n", "decisions[3].when", "unknown entry"),
    (PLAN + "\n[[decisions]]\ndate = 2026-09-28\n", "decisions[3].stage", "required"),
    (PLAN + "\n[[decisions]]\ndate = 2026-09-28\nstage = 4\nnote = 4\n", "decisions[3].note", "must be text"),
    ("[plans]\nprotocol = 1\n", "plans", "unknown section"),
    ('protocol = "crowell2023"\n', "protocol", "unknown section"),
    ('[protocol]\nkey = "x"\n', "protocol", "a protocol file, not a plan file"),
    ("[plan\n", None, "not valid TOML"),
]


@pytest.mark.parametrize(("text", "key", "message"), BAD, ids=[f"{k}-{m[:24]}" for _, k, m in BAD])
def test_a_bad_file_names_the_file_and_the_key(tmp_path, text, key, message):
    path = _write(tmp_path, text)
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(path)
    error = caught.value
    assert error.path == str(path) and error.key == key
    assert str(error).startswith(f"{path}: {key + ': ' if key else ''}") and message in str(error)


def test_an_unreadable_file_is_a_plan_file_error(tmp_path):
    with pytest.raises(PlanFileError, match="cannot read"):
        read_plan_file(tmp_path / "rtr-plan.toml")


# -- importing ------------------------------------------------------------------------------

def test_import_twice_adds_nothing(store, tmp_path):
    folder = tmp_path / "ana"
    _write(folder)
    first = import_paths(store, [folder], athlete="ana", config=OSLO)
    assert not first.failed and first.counts()["added"] == 0
    [applied] = first.plans
    assert (applied.athlete, applied.protocol, applied.start, applied.started, applied.added, applied.known) == (
        "ana", "crowell2023", "2026-09-15", True, 2, 0)
    [plan] = rtr.plans(store, "ana")
    assert [(d.day, d.stage, d.note) for d in plan.decisions] == [
        (_epoch_day("2026-09-15"), 1, "start"), (_epoch_day("2026-09-19"), 2, "two clean sessions"),
        (_epoch_day("2026-09-23"), 3, None)]
    again = import_paths(store, [folder], athlete="ana", config=OSLO)
    assert [(p.started, p.added, p.known) for p in again.plans] == [(False, 0, 2)]
    assert len(store.rtr_plans("ana")[0]["decisions"]) == 3
    assert len(rtr.plans(store, "ana")) == 1


def test_a_later_decision_in_the_file_is_recorded_and_the_rest_not_again(store, tmp_path):
    path = _write(tmp_path / "ana")
    apply_plan_file(store, path, "ana", OSLO)
    path.write_text(PLAN + "\n[[decisions]]\ndate = 2026-09-28\nstage = 4\n", encoding="utf-8")
    applied = apply_plan_file(store, path, "ana", OSLO)
    assert (applied.started, applied.added, applied.known) == (False, 1, 2)
    [now] = rtr.status(store, "ana", config=OSLO, as_of="2026-09-29")
    assert (now.stage, now.stage_since) == (4, "2026-09-28")


def test_a_plan_started_by_hand_is_the_same_plan(store, tmp_path):
    started = rtr.start(store, "ana", "crowell2023", on=date(2026, 9, 15), config=OSLO)
    rtr.set_stage(store, "ana", 2, on=date(2026, 9, 19), config=OSLO)
    applied = apply_plan_file(store, _write(tmp_path), "ana", OSLO)
    assert (applied.plan_id, applied.started, applied.added, applied.known) == (started.id, False, 1, 1)


def test_a_bad_plan_file_is_a_failed_outcome_and_writes_nothing(store, tmp_path):
    folder = tmp_path / "ana"
    path = _write(folder, PLAN + "\n[[decisions]]\ndate = 2026-09-28\nstage = 9\n")
    (folder / "run.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 9, 15, 6), km=2)))
    result = import_paths(store, [folder], athlete="ana", config=OSLO)
    assert result.counts()["added"] == 1 and not result.plans
    [failed] = result.failed
    assert (failed.path, failed.athlete) == (str(path), "ana")
    assert failed.reason == "return-to-run plan: decisions[3].stage: crowell2023 has phases 1 to 6, not 9"
    assert store.rtr_plans() == []


def test_a_plan_file_does_not_silently_replace_a_plan_started_by_hand(store, tmp_path):
    rtr.start(store, "ana", "delaware2018", on=date(2026, 10, 1), config=OSLO)
    path = _write(tmp_path / "ana")
    result = import_paths(store, [path], athlete="ana", config=OSLO)
    [failed] = result.failed
    assert failed.reason == ("return-to-run plan: ana already has a return-to-run plan (delaware2018 from "
                             "2026-10-01, started with 'strideload rtr start'); this file would replace it: add "
                             "'replace = true' to its [plan], or keep one of the two")
    assert not result.plans and len(rtr.plans(store, "ana")) == 1
    # Saying so in the file replaces it; the replaced plan stays in the history.
    path.write_text(PLAN.replace("[plan]\n", "[plan]\nreplace = true\n"), encoding="utf-8")
    [applied] = import_paths(store, [path], athlete="ana", config=OSLO).plans
    assert applied.started and applied.in_force
    assert applied.notes == ("replaces the plan delaware2018 from 2026-10-01, started with 'strideload rtr start', "
                             "which stays in the history",)
    assert [(p.protocol.key, p.source) for p in rtr.plans(store, "ana")] == [
        ("delaware2018", "cli"), ("crowell2023", str(path.resolve()))]
    [now] = rtr.status(store, "ana", config=OSLO, as_of="2026-10-05")
    assert now.protocol == "crowell2023" and now.plan_source == str(path.resolve())
    assert [(r["protocol"], r["in_force_until"]) for r in now.replaced] == [("delaware2018", "never")]


def test_an_edited_plan_file_replaces_its_own_plan(store, tmp_path):
    path = _write(tmp_path / "ana")
    apply_plan_file(store, path, "ana", OSLO)
    path.write_text(PLAN.replace("start = 2026-09-15", "start = 2026-09-16"), encoding="utf-8")
    applied = apply_plan_file(store, path, "ana", OSLO)
    assert applied.started and applied.in_force and "replaces the plan crowell2023 from 2026-09-15" in applied.notes[0]
    assert [p.start for p in rtr.plans(store, "ana")] == [_epoch_day("2026-09-15"), _epoch_day("2026-09-16")]


def test_a_replaced_plan_file_says_it_is_not_in_force(store, tmp_path):
    path = _write(tmp_path / "ana")
    apply_plan_file(store, path, "ana", OSLO)
    rtr.start(store, "ana", "delaware2018", on=date(2026, 10, 1), config=OSLO, replace=True)
    again = apply_plan_file(store, path, "ana", OSLO)
    assert (again.started, again.added, again.in_force) == (False, 0, False)
    assert again.notes == ("not in force: the plan delaware2018 from 2026-10-01, started with 'strideload rtr "
                           "start' replaced it",)


def test_a_decision_set_by_hand_over_the_files_is_named(store, tmp_path):
    path = _write(tmp_path / "ana")
    apply_plan_file(store, path, "ana", OSLO)
    plan = rtr.set_stage(store, "ana", 3, on=date(2026, 9, 19), config=OSLO)
    notes = rtr.decision_notes(plan)
    assert notes[0] == f"it replaces phase 2 for 2026-09-19, recorded from the plan file {path.resolve()}"
    assert notes[1].startswith(f"the plan comes from the plan file {path.resolve()}, which does not have this")
    again = apply_plan_file(store, path, "ana", OSLO)
    assert again.notes == ("2026-09-19: the file says phase 2, but phase 3 recorded later with 'strideload rtr set' "
                           "is in force",)
    [now] = rtr.status(store, "ana", config=OSLO, as_of="2026-09-20")
    assert now.stage == 3


def test_a_plan_file_named_on_the_command_line_is_read_as_one(store, tmp_path):
    result = import_paths(store, [_write(tmp_path)], athlete="ana", config=OSLO)
    assert not result.outcomes and [p.added for p in result.plans] == [2]


def test_a_team_import_reads_each_athletes_plan(store, tmp_path):
    root = tmp_path / "team"
    _write(root / "ana")
    _write(root / "ben" / "physio", PLAN.replace("crowell2023", "delaware2018").replace("2026-09-", "2026-10-"),
           name="RTR-ben.toml")
    (root / "ben" / "run.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 10, 15, 6), km=3)))
    result = import_paths(store, [root], team=True, config=OSLO)
    assert not result.failed and result.counts()["added"] == 1
    assert [(p.athlete, p.protocol, p.start, p.added) for p in result.plans] == [
        ("ana", "crowell2023", "2026-09-15", 2), ("ben", "delaware2018", "2026-10-15", 2)]
    assert [(p.athlete, p.protocol.key) for p in rtr.plans(store)] == [("ana", "crowell2023"), ("ben", "delaware2018")]


def test_the_import_command_prints_a_line_per_plan_file(tmp_path):
    folder = tmp_path / "ana"
    path = _write(folder)
    db = str(tmp_path / "cli.db")
    first = CliRunner().invoke(cli, ["import", str(folder), "--athlete", "ana", "--db", db], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert f"return-to-run plan {path} (ana): crowell2023 from 2026-09-15, 2 decisions recorded\n" in first.output
    again = CliRunner().invoke(cli, ["import", str(folder), "--athlete", "ana", "--db", db], catch_exceptions=False)
    assert "crowell2023 from 2026-09-15, 0 decisions recorded, 2 already recorded" in again.output
    path.write_text('[plan]\nprotocol = "crowell2023"\nstart = "soon"\n', encoding="utf-8")
    bad = CliRunner().invoke(cli, ["import", str(folder), "--athlete", "ana", "--db", db], catch_exceptions=False)
    assert bad.exit_code == 1
    assert f"FAILED {path}: return-to-run plan: plan.start: must be a date like 2026-09-15" in bad.output


def test_the_watcher_picks_up_a_plan_file(tmp_path):
    from test_watch import running, wait_until

    folder = tmp_path / "Sync" / "watch"
    folder.mkdir(parents=True)
    with running(folder, tmp_path, athlete="ana") as watcher:
        _write(folder)
        wait_until(lambda: [len(p["decisions"]) for p in watcher.reader.rtr_plans("ana")] == [3],
                   "the plan and its decisions")
        wait_until(lambda: any(b.result.plans for b in watcher.batches), "the plan batch")
        batch = next(b for b in watcher.batches if b.result.plans)
        assert batch.result.plans[0].added == 2 and batch.athletes == ["ana"] and not batch.result.failed


# -- ana's plan file in sample_data/ --------------------------------------------------------

@pytest.fixture(scope="module")
def ana(tmp_path_factory):
    """Everything in sample_data/ana (runs, pain log, plan file), imported into a store."""
    from strideload.store import Store

    if not (SAMPLE / "rtr-plan.toml").is_file():
        pytest.skip("sample_data/ana/rtr-plan.toml is absent")
    store = Store.open(tmp_path_factory.mktemp("ana-plan") / "ana.db")
    result = import_paths(store, [SAMPLE], athlete="ana", config=OSLO)
    assert not result.failed and [(p.started, p.known) for p in result.plans] == [(True, 0)]
    yield store
    store.close()


def test_the_sample_plan_file_is_a_pts_record(ana):
    found = read_plan_file(SAMPLE / "rtr-plan.toml")
    assert (found.protocol.key, found.start) == ("crowell2023", date(2026, 9, 15))
    in_force = max((d for d in found.decisions if d.day <= _epoch_day("2026-10-05")), key=lambda d: d.day)
    [now] = rtr.status(ana, "ana", config=OSLO, as_of="2026-10-05")
    assert now.stage == in_force.stage == 5 and now.stage_since == "2026-10-02"
    assert not now.ready and "red knee pain on 5 Oct" in " ".join(now.reasons)
    # the red score resets the count: the clean 2 Oct session no longer counts
    assert [(e["date"], e["counts"]) for e in now.session_log] == [("2026-10-02", False), ("2026-10-04", False)]
    # the hill run is the deviation at this phase; the run two days before was as prescribed
    assert {(d.as_dict()["date"], d.what) for d in now.deviations} == {("2026-10-04", "longer"),
                                                                       ("2026-10-04", "hilly")}
    # over the whole plan so far: the back-to-back day and the hill run, not every session
    flags = analyze.flags(ana.activities_frame(), OSLO, until="2026-10-05", pain=ana.pain_frame(),
                          rtr=rtr.inputs(ana, OSLO), kinds=["rtr_deviation", "rtr_hold"])
    deviations = flags[flags["kind"] == "rtr_deviation"]
    assert sorted({str(d)[:10] for d in deviations["date"]}) == ["2026-09-26", "2026-10-04"]
    assert "rest day" in deviations["message"].iloc[0]
    holds = sorted({str(d)[:10] for d in flags[flags["kind"] == "rtr_hold"]["date"]})
    assert holds == ["2026-09-26", "2026-09-27", "2026-10-04"]
    runs = ana.activities_frame("ana")
    sessions = runs[runs["running"].astype(bool) & runs["local_date"].between("2026-09-15", "2026-10-05")]
    assert len(deviations) == 3 and len(sessions) == 11


def test_the_sample_plan_ends_at_phase_6_by_mid_october(ana):
    [late] = rtr.status(ana, "ana", config=OSLO, as_of="2026-10-25")
    assert (late.stage, late.complete, late.deviations) == (6, True, [])
    again = import_paths(ana, [SAMPLE / "rtr-plan.toml"], athlete="ana", config=OSLO)
    assert [(p.started, p.added, p.known) for p in again.plans] == [(False, 0, 5)]
