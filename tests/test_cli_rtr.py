"""``strideload rtr start / set / status / protocols``, in-process, and every bad input."""

from __future__ import annotations

import json

import pytest
from test_rtr_plans import _import_intervals

from strideload.store import Store


@pytest.fixture
def sessions(db, tmp_path):
    with Store.open(db) as store:
        _import_intervals(store, tmp_path, [0, 2])
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
    assert ana["reasons"] == ["0 of 2 phase 2 sessions done as prescribed without pain"]
    assert ana["decisions"][-1] == {"date": "2026-09-19", "stage": 2, "note": "clean"}


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
