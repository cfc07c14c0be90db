"""Protocol files: the two shipped ones as transcribed from science.md, and every way a PT's
own file can be wrong, each named by file and key."""

from __future__ import annotations

import pytest

from strideload.rtr import ProtocolError, describe, find_protocol, parse_protocol, shipped_protocol
from strideload.rtr.protocols import MILE_M, available_protocols

MINIMAL = """
[protocol]
key = "clinic"
name = "Clinic walk/run"
citation = "Our clinic 2026"

[[stages]]
walk_min = 1
run_min = 2
distance_km = 2
"""


def test_crowell_has_six_phases_as_in_science_md():
    crowell = shipped_protocol("crowell2023")
    got = [(s.walk_s, s.run_s, s.distance_m / MILE_M, s.rpe, s.continuous) for s in crowell.stages]
    assert got == [(120, 180, 1.0, 3, False), (120, 180, 1.5, 3, False), (120, 240, 1.5, 4, False),
                   (120, 240, 2.0, 4, False), (60, 240, 2.0, 5, False), (None, None, 2.0, 5, True)]
    rules = crowell.rules
    assert (rules.sessions_per_stage, rules.rest_days_between_runs, rules.level_ground) == (2, 1, True)
    assert crowell.source == "crowell2023" and "10.1186/s13063-023-07502-x" in crowell.citation


def test_delaware_has_eight_levels_as_in_science_md():
    delaware = shipped_protocol("delaware2018")
    miles = [None if s.distance_m is None else round(s.distance_m / MILE_M, 6) for s in delaware.stages]
    assert miles == [2.0, 2.0, 2.0, 2.0, 2.0, 2.5, 3.0, None]  # level 1: (0.1 + 0.1) × 10
    assert [round(s.run_m / MILE_M, 6) if s.run_m else None for s in delaware.stages[:4]] == [0.1, 0.2, 0.3, 0.4]
    assert [s.continuous for s in delaware.stages] == [False] * 4 + [True] * 4
    rules = delaware.rules
    assert (rules.sessions_per_stage, rules.rest_days_between_runs, rules.max_runs_per_7_days,
            rules.max_stages_per_7_days) == (1, 1, 4, 2)
    assert delaware.surface == "treadmill"


def test_describe_reads_like_a_prescription():
    crowell = shipped_protocol("crowell2023")
    assert describe(crowell, crowell.stage(1)) == ("phase 1: walk 2 min / run 3 min, 1 mi (1.61 km) in all, RPE 3, "
                                                   "on level ground")
    delaware = shipped_protocol("delaware2018")
    assert describe(delaware, delaware.stage(1)).startswith("level 1: walk 0.1 mi / run 0.1 mi × 10, 2 mi")


def test_a_minimal_own_protocol():
    protocol = parse_protocol(MINIMAL)
    assert (protocol.key, protocol.stage_name, protocol.last) == ("clinic", "stage", 1)
    assert protocol.stage(1).distance_m == 2000.0
    assert protocol.rules.sessions_per_stage == 1


def _with(text: str) -> str:
    return MINIMAL + text


@pytest.mark.parametrize("text, key, message", [
    ("[protocol\nkey=1", None, "not valid TOML"),
    ("[[stages]]\nrun_min = 2\n", "protocol", "missing the [protocol] table"),
    (MINIMAL.replace('name = "Clinic walk/run"\n', ""), "protocol.name", "required"),
    (MINIMAL.replace('"clinic"', '"my clinic!"'), "protocol.key", "letters, digits"),
    (MINIMAL.replace("[[stages]]\nwalk_min = 1\nrun_min = 2\ndistance_km = 2\n", ""), "stages", "no stages"),
    (_with("[extra]\na = 1\n"), "extra", "unknown section"),
    (_with("[[stages]]\nwalk_min = 1\nrun_min = 2\npace = 5\n"), "stages[2].pace", "unknown entry"),
    (_with("[[stages]]\nwalk_min = 1\n"), "stages[2]", "both a walk and a run interval"),
    (_with("[[stages]]\ncontinuous = true\nrun_min = 3\n"), "stages[2]", "no walk/run intervals"),
    (_with("[[stages]]\nwalk_min = 1\nrun_mi = 0.2\n"), "stages[2]", "must both be times or both distances"),
    (_with("[[stages]]\nwalk_min = 1\nrun_min = -3\n"), "stages[2].run_min", "above 0"),
    (_with("[[stages]]\nwalk_min = 1\nwalk_s = 60\nrun_min = 3\n"), "stages[2]", "not several"),
    (_with("[[stages]]\ncontinuous = true\nrpe = 11\n"), "stages[2].rpe", "0 to 10"),
    (_with("[[stages]]\ncontinuous = \"yes\"\n"), "stages[2].continuous", "true or false"),
    (_with("[[stages]]\ncontinuous = true\nrepeats = 2.5\n"), "stages[2].repeats", "whole number"),
    (_with("[rules]\nsessions_per_stage = 0\n"), "rules.sessions_per_stage", "above 0"),
    (_with("[rules]\nlevel_ground = \"yes\"\n"), "rules.level_ground", "true or false"),
    (_with("[rules]\nrest_days = 1\n"), "rules.rest_days", "unknown rule"),
])
def test_a_bad_protocol_names_file_and_key(text, key, message):
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(text, "mine.toml")
    error = caught.value
    assert error.key == key
    assert message in str(error)
    assert str(error).startswith("mine.toml" + (f": {key}" if key else ""))


def test_own_protocols_are_found_by_key_or_path(tmp_path):
    folder = tmp_path / "protocols"
    folder.mkdir()
    (folder / "clinic.toml").write_text(MINIMAL, encoding="utf-8")
    assert find_protocol("clinic", folder).name == "Clinic walk/run"
    assert find_protocol(str(folder / "clinic.toml")).key == "clinic"
    assert [p.key for p in available_protocols(folder)] == ["crowell2023", "delaware2018", "clinic"]
    with pytest.raises(ProtocolError, match=r"unknown protocol 'nope' \(known: crowell2023, delaware2018, clinic"):
        find_protocol("nope", folder)


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(ProtocolError, match="cannot read"):
        find_protocol(str(tmp_path / "gone.toml"))


def test_stage_out_of_range():
    with pytest.raises(ProtocolError, match="phases 1 to 6, not 7"):
        shipped_protocol("crowell2023").stage(7)
