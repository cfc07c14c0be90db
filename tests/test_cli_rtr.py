"""``strideload rtr start / set / status / plans / protocols``, in-process, and every bad input."""

from __future__ import annotations

import json

import pytest
from test_rtr_plans import _import_intervals

from strideload.pain import make_entry
from strideload.store import Store


@pytest.fixture
def sessions(db, tmp_path):
    """Two phase-1 sessions (15 and 17 Sep 2026), each with its next-morning score."""
    with Store.open(db) as store:
        _import_intervals(store, tmp_path, [0, 2])
        store.add_pain([make_entry("ana", score=1, date=day, when="next-morning")
                        for day in ("2026-09-16", "2026-09-18")])
    return db


def test_start_status_and_set(run, sessions):
    started = run("rtr", "start", "--athlete", "ana", "--protocol", "crowell2023", "--date", "2026-09-15")
    assert started.exit_code == 0, started.output
    assert "ana: Walk/run progression (Crowell et al. 2023) from 2026-09-15, at phase 1: walk 2 min / run 3 min" \
        in started.output
    status = run("rtr", "status", "--athlete", "ana", "--as-of", "2026-09-18")
    assert status.exit_code == 0, status.output
    assert "criteria met: the decision is yours" in status.output and "rtr set --stage 2" in status.output
    moved = run("rtr", "set", "--athlete", "ana", "--stage", "2", "--date", "2026-09-19", "--note", "clean")
    assert moved.exit_code == 0 and "phase 2: walk 2 min / run 3 min, 1.5 mi" in moved.output
    rows = json.loads(run("rtr", "status", "--format", "json", "--as-of", "2026-09-19").output)
    [ana] = rows
    assert (ana["stage"], ana["stage_since"], ana["sessions"], ana["ready"]) == (2, "2026-09-19", 0, False)
    assert ana["reasons"] == ["0 phase 2 sessions done as prescribed without pain, with the next-morning score "
                              "in (2 needed)"]
    assert ana["decisions"][-1] == {"date": "2026-09-19", "stage": 2, "note": "clean", "source": "cli"}


def test_status_says_which_sessions_were_not_as_prescribed_and_why(run, sessions, tmp_path):
    with Store.open(sessions) as store:  # a continuous 3.2 km run on 19 Sep, no next-morning score
        _import_intervals(store, tmp_path, [4], pattern=[("run", 1460)])
    run("rtr", "start", "--athlete", "ana", "--protocol", "crowell2023", "--date", "2026-09-15")
    shown = run("rtr", "status", "--athlete", "ana", "--as-of", "2026-09-21")
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.output.split())  # the table wraps long cells
    assert "3 at this phase: 2 as prescribed, 1 not; 2 count toward progressing (2 needed)" in text
    assert "Sessions at this phase" in text and "why not counted" in text
    [ana] = json.loads(run("rtr", "status", "--format", "json", "--as-of", "2026-09-21").output)
    assert [e["counts"] for e in ana["session_log"]] == [True, True, False]
    longer, walk_breaks, awaiting = ana["session_log"][2]["why_not_counted"]
    assert (longer, awaiting) == ("3.21 km, longer than the 1 mi (1.61 km) prescribed",
                                  "awaiting the next-morning score of 20 Sep")
    assert walk_breaks.endswith(" min of running without a walk break (3-min run intervals prescribed)")
    assert ana["not_counted"] == {"off_prescription": 1} and ana["verdict"] == "not yet"


def test_start_refuses_a_second_plan_unless_replace(run, sessions):
    run("rtr", "start", "--athlete", "ana", "--protocol", "crowell2023", "--date", "2026-09-15")
    run("rtr", "set", "--athlete", "ana", "--stage", "2", "--date", "2026-09-19")
    _bad(run("rtr", "start", "--athlete", "ana", "--protocol", "delaware2018", "--date", "2026-10-01"),
         "ana already has a return-to-run plan (crowell2023 from 2026-09-15, started with 'strideload rtr start')",
         "--replace")
    again = run("rtr", "start", "--athlete", "ana", "--protocol", "crowell2023", "--date", "2026-09-15")
    assert again.exit_code == 0 and "nothing new recorded" in again.output
    replaced = run("rtr", "start", "--athlete", "ana", "--protocol", "delaware2018", "--date", "2026-10-01",
                   "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "It replaces the plan crowell2023 from 2026-09-15" in replaced.output
    history = json.loads(run("rtr", "plans", "--athlete", "ana", "--format", "json").output)
    assert [(r["protocol"], r["in_force"], r["date"], r["stage"], r["source"]) for r in history] == [
        ("crowell2023", "until 2026-09-30", "2026-09-15", 1, "rtr start"),
        ("crowell2023", "until 2026-09-30", "2026-09-19", 2, "rtr set"),
        ("delaware2018", "in force", "2026-10-01", 1, "rtr start")]
    shown = " ".join(run("rtr", "status", "--athlete", "ana", "--as-of", "2026-10-02").output.split())
    assert "Plan in force │ Delaware running progression" in shown
    assert "crowell2023 from 2026-09-15 (rtr start, 2 decisions), in force until 2026-09-30" in shown


def test_set_over_a_plan_files_decision_says_so(run, tmp_path):
    plan = tmp_path / "ana" / "rtr-plan.toml"
    plan.parent.mkdir()
    plan.write_text('[plan]\nprotocol = "crowell2023"\nstart = 2026-09-15\n[[decisions]]\ndate = 2026-09-19\n'
                    "stage = 2\n", encoding="utf-8")
    assert run("import", str(plan.parent), "--athlete", "ana").exit_code == 0
    moved = run("rtr", "set", "--athlete", "ana", "--stage", "3", "--date", "2026-09-19")
    assert moved.exit_code == 0, moved.output
    text = " ".join(moved.output.split())
    assert f"Note: it replaces phase 2 for 2026-09-19, recorded from the plan file {plan.resolve()}." in text
    assert "which does not have this decision" in text
    again = run("import", str(plan.parent), "--athlete", "ana")
    assert "the file says phase 2, but phase 3 recorded later with 'strideload rtr set' is in force" in \
        " ".join(again.output.split())


def test_rtr_flags_in_flags_and_status(run, sessions):
    run("rtr", "start", "--athlete", "ana", "--protocol", "crowell2023", "--date", "2026-09-15")
    found = json.loads(run("flags", "--kind", "rtr_ready", "--until", "2026-09-20", "--format", "json").output)
    assert [(f["date"], f["source"]) for f in found] == [("2026-09-18", "crowell2023")]
    status = run("status", "--athlete", "ana", "--as-of", "2026-09-18")
    assert "Return to run: ready to progress" in status.output and "rtr_ready" not in status.output


def test_status_without_plans(run):
    assert "No return-to-run plans yet" in run("rtr", "status").output
    assert json.loads(run("rtr", "status", "--format", "json").output) == []


def test_protocols_lists_and_checks(run, tmp_path):
    listed = run("rtr", "protocols")
    assert "crowell2023" in listed.output and "delaware2018" in listed.output
    mine = tmp_path / "mine.toml"
    mine.write_text('[protocol]\nkey = "mine"\nname = "Mine"\ncitation = "me"\n[[stages]]\ncontinuous = true\n'
                    "distance_km = 2\n", encoding="utf-8")
    checked = run("rtr", "protocols", str(mine))
    assert checked.exit_code == 0 and "mine is valid" in checked.output and "continuous running, 2 km in all" \
        in checked.output
    started = run("rtr", "start", "--athlete", "ana", "--protocol", str(mine), "--date", "2026-09-15")
    assert started.exit_code == 0 and "Mine from 2026-09-15" in started.output


def _bad(result, *parts: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 or code == 2, result.output
    for part in parts:
        assert part in result.output, result.output


def test_bad_start_inputs(run, tmp_path):
    _bad(run("rtr", "start", "--athlete", "ana", "--protocol", "nope"), "unknown protocol 'nope'",
         "crowell2023, delaware2018")
    _bad(run("rtr", "start", "--athlete", "ana", "--protocol", "crowell2023", "--stage", "9"),
         "phases 1 to 6, not 9")
    _bad(run("rtr", "start", "--athlete", "ana", "--protocol", "crowell2023", "--date", "15/09/2026"),
         "--date", code=2)
    broken = tmp_path / "broken.toml"
    broken.write_text('[protocol]\nkey = "b"\nname = "B"\ncitation = "c"\n[[stages]]\nwalk_min = 1\nrun_min = 0\n',
                      encoding="utf-8")
    _bad(run("rtr", "start", "--athlete", "ana", "--protocol", str(broken)), "broken.toml: stages[1].run_min",
         "above 0")
    _bad(run("rtr", "protocols", str(broken)), "stages[1].run_min")
    _bad(run("rtr", "start", "--athlete", "ana", "--protocol", str(tmp_path / "gone.toml")), "cannot read")


def test_bad_set_and_status_inputs(run):
    _bad(run("rtr", "set", "--athlete", "ana", "--stage", "2"), "no return-to-run plan for 'ana'")
    _bad(run("rtr", "status", "--athlete", "ana"), "no return-to-run plan for 'ana'")
    run("rtr", "start", "--athlete", "ana", "--protocol", "delaware2018", "--date", "2026-09-15")
    _bad(run("rtr", "set", "--athlete", "ana", "--stage", "0"), "levels 1 to 8, not 0")
    _bad(run("rtr", "set", "--athlete", "ana", "--stage", "2", "--date", "2026-09-01"), "before the plan's start")
    _bad(run("rtr", "set", "--athlete", "ana", "--stage", "two"), "--stage", code=2)
    _bad(run("rtr", "set", "--athlete", "ana"), "--stage", code=2)


def test_the_config_protocol_folder_is_searched(run):
    from strideload.rtr import user_protocol_dir

    folder = user_protocol_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "clinic.toml").write_text('[protocol]\nkey = "clinic"\nname = "Clinic"\ncitation = "c"\n'
                                        "[[stages]]\ncontinuous = true\n", encoding="utf-8")
    assert "clinic" in run("rtr", "protocols").output
    assert run("rtr", "start", "--athlete", "ana", "--protocol", "clinic", "--date", "2026-09-15").exit_code == 0
