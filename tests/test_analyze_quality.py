"""Plausibility: a glitch "run" is set aside with its reason, left out of load and of every flag,
and the runner's include / exclude decides in the end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from factories import every, frame, runs, summary

from strideload.analyze import analyze, daily_load, flags
from strideload.analyze.quality import judge, with_quality
from strideload.config import parse_config

#: Six weeks of 10 km every third day, on record.
BASE = every("ana", "2024-01-01", "2024-02-11", 10.0)
#: The issue's glitch: a 998 km "run" at 374 m/s.
GLITCH = runs("ana", [("2024-02-12", 998.0, {"timer_s": 998_000 / 374, "avg_speed_mps": 374.0, "id": "glitch"})])
#: A real 17 % spike a week later: 11.7 km against the 10 km runs.
REAL_SPIKE = runs("ana", [("2024-02-19", 11.7)])


def test_a_glitch_run_is_set_aside_with_its_reason():
    verdict = judge(frame(BASE, GLITCH), parse_config({}))
    row = verdict.iloc[-1]
    assert bool(row["quarantined"])
    assert row["quarantine_reason"] == ("average speed 374.0 m/s is above 7 m/s; 998.0 km is longer than 330 km")
    assert not verdict["quarantined"].iloc[:-1].any()


def test_a_glitch_is_no_load_and_hides_no_real_spike():
    analysis = analyze(frame(BASE, GLITCH, REAL_SPIKE))
    assert "glitch" not in set(analysis.runs["id"])
    days = analysis.daily.set_index("date")
    assert days.loc["2024-02-12", "distance_km"] == 0.0
    assert days["distance_km"].max() == pytest.approx(11.7)
    found = analysis.flags
    assert found["kind"].tolist() == ["session_spike"]            # nothing from the glitch
    assert found["value"].iloc[0] == pytest.approx(1.17) and found["severity"].iloc[0] == "caution"
    assert list(analysis.set_aside["id"]) == ["glitch"]


def test_without_the_rule_the_glitch_would_hide_the_spike():
    lenient = parse_config({"settings": {"plausible_max_speed_mps": 400.0, "plausible_max_distance_km": 1000.0}})
    found = flags(frame(BASE, GLITCH, REAL_SPIKE), lenient)
    assert "2024-02-19" not in set(found["date"].dt.strftime("%Y-%m-%d"))
    assert found[found["kind"] == "session_spike"]["value"].max() > 90


@pytest.mark.parametrize("fields, reason", [
    ({"sustained_speed_mps": 15.0}, "fastest minute 15.0 m/s is above 10 m/s"),
    ({"timer_s": 50 * 3600.0, "avg_speed_mps": np.nan}, "50.0 h is longer than 48 h"),
    ({"descent_m": 9000.0}, "900 m of climb or descent per km is above 600"),
])
def test_each_rule_names_itself(fields, reason):
    run = runs("ana", [("2024-02-12", 10.0, fields)])
    assert judge(run, parse_config({}))["quarantine_reason"].iloc[0] == reason


def test_unknown_values_and_other_sports_are_never_a_reason():
    unknown = runs("ana", [("2024-02-12", 10.0, {"avg_speed_mps": np.nan, "timer_s": np.nan,
                                                 "sustained_speed_mps": np.nan, "descent_m": np.nan})])
    ride = pd.DataFrame([summary("ana", "2024-02-13", 80.0, sport="cycling", running=False, avg_speed_mps=9.0,
                                 id="ride")])
    verdict = judge(frame(unknown, ride), parse_config({}))
    assert not verdict["quarantined"].any()


def test_the_runners_decision_overrides_the_rule():
    decided = frame(BASE, GLITCH.assign(decision="include"), REAL_SPIKE.assign(decision="exclude"))
    verdict = with_quality(decided).set_index("id")
    assert not verdict.loc["glitch", "quarantined"]
    assert verdict.loc["glitch", "quarantine_reason"].startswith("counted by your decision, although average speed")
    spike = REAL_SPIKE["id"].iloc[0]
    assert verdict.loc[spike, "quarantined"] and verdict.loc[spike, "quarantine_reason"] == "excluded by you"
    days = daily_load(decided, until="2024-02-20").set_index("date")
    assert days.loc["2024-02-12", "distance_km"] == 998.0 and days.loc["2024-02-19", "distance_km"] == 0.0


def test_a_set_aside_run_still_counts_as_recorded_for_coverage():
    # The watch was in use: the glitch day is on record, so the 14 days around it are no gap.
    quiet = frame(every("ana", "2024-01-01", "2024-01-31", 10.0),
                  runs("ana", [("2024-02-10", 998.0, {"avg_speed_mps": 374.0})]),
                  runs("ana", [("2024-02-20", 11.7)]))
    days = analyze(quiet).daily.set_index("date")
    assert days.loc["2024-01-31":"2024-02-20", "covered"].all()


def test_gps_spikes_removed_are_a_data_quality_note():
    run = runs("ana", [("2024-02-12", 10.0, {"gps_spikes_removed": 2})])
    assert judge(run, parse_config({}))["data_quality"].iloc[0] == "2 GPS spikes removed"
