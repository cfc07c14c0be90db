"""Cadence against the athlete's own cadence-vs-speed line, and the gentler absolute hint."""

from __future__ import annotations

import numpy as np
import pytest
from factories import day, frame, runs

from strideload.analyze import analyze, flags, status
from strideload.config import parse_config

SPEEDS = [2.5, 2.75, 3.0, 3.25, 3.5, 3.0]


def base(start: str = "2024-03-01", speeds=SPEEDS):
    """Six runs whose cadence is exactly 150 + 6 · speed (m/s): the line predicts 168 at 3 m/s."""
    return runs("ana", [(day(start, i), 8.0, {"avg_speed_mps": s, "cadence_spm": 150 + 6 * s})
                        for i, s in enumerate(speeds)])


def then(cadence: float, offset: int = 6, speed: float = 3.0, start: str = "2024-03-01"):
    return runs("ana", [(day(start, offset), 8.0, {"avg_speed_mps": speed, "cadence_spm": cadence})])


def low(history):
    return flags(history, kinds=["low_cadence"])


def test_prediction_from_the_athletes_own_line():
    last = analyze(frame(base(), then(160))).runs.iloc[-1]
    assert last["cadence_predicted_spm"] == pytest.approx(168.0)
    assert last["cadence_drop_pct"] == pytest.approx(100 * 8 / 168)     # 4.8 %: no flag
    assert low(frame(base(), then(160))).empty


def test_five_percent_below_the_line_is_flagged():
    found = low(frame(base(), then(159)))
    assert len(found) == 1
    flag = found.iloc[0]
    assert flag["value"] == pytest.approx(100 * 9 / 168)
    assert flag["message"] == ("Your cadence on this run was 159 steps/min, 5 % below the 168 steps/min "
                               "that your runs of the previous 60 days predict at this pace (5:33 /km).")
    assert (flag["severity"], flag["threshold"], flag["source"], flag["evidence"]) == \
        ("info", 5.0, "heiderscheit2011", "moderate")


def test_the_line_follows_speed():
    # At 3.5 m/s the line predicts 171: 162 is 5.3 % below it.
    found = low(frame(base(), then(162, speed=3.5)))
    assert found["value"].tolist() == [pytest.approx(100 * 9 / 171)]


def test_needs_five_runs_with_cadence():
    history = frame(base(speeds=SPEEDS[:4]), then(140, offset=4))
    assert np.isnan(analyze(history).runs["cadence_predicted_spm"].iloc[-1])
    assert low(history).empty
    assert not np.isnan(analyze(frame(base(speeds=SPEEDS[:5]), then(140, offset=5))).runs
                        ["cadence_predicted_spm"].iloc[-1])


def test_only_the_previous_60_days_count():
    history = frame(base(), then(140, offset=70))
    assert np.isnan(analyze(history).runs["cadence_predicted_spm"].iloc[-1])


def test_one_speed_only_gives_a_flat_line_at_the_mean():
    history = runs("ana", [(day("2024-03-01", i), 8.0, {"cadence_spm": c})
                           for i, c in enumerate([166, 168, 170, 172, 174])])
    last = analyze(frame(history, then(161, offset=5))).runs.iloc[-1]
    assert last["cadence_predicted_spm"] == pytest.approx(170.0)
    assert last["cadence_drop_pct"] == pytest.approx(100 * 9 / 170)


def test_a_runner_without_cadence_data():
    history = runs("ana", [(day("2024-03-01", i), 8.0) for i in range(20)], cadence_spm=np.nan)
    analysis = analyze(history)
    assert analysis.runs["cadence_predicted_spm"].isna().all()
    assert not analysis.runs["easy"].any()
    assert not set(analysis.flags["kind"]) & {"low_cadence", "cadence_hint"}
    row = status(history, as_of="2024-03-20").iloc[0]
    assert row[["cadence_spm", "cadence_expected_spm", "cadence_vs_normal_pct"]].isna().all()


# --- the absolute hint --------------------------------------------------------------------

def easy_runs(cadence: float, days: range, athlete: str = "ana"):
    return runs(athlete, [(day("2024-03-01", i), 8.0, {"avg_speed_mps": 3.0, "cadence_spm": cadence})
                          for i in days])


def test_hint_on_an_easy_run_under_166_at_most_every_28_days():
    found = flags(easy_runs(160, range(40)), kinds=["cadence_hint"])
    assert [d.date().isoformat() for d in found["date"]] == ["2024-03-01", "2024-03-29"]
    flag = found.iloc[0]
    assert (flag["value"], flag["threshold"], flag["severity"], flag["evidence"]) == (160.0, 166.0, "info", "weak")
    assert flag["message"] == ("Your cadence on this easy run was 160 steps/min, below 166. A step rate "
                               "5–10 % higher at the same pace, for you about 8–16 more steps a minute, "
                               "lowers the load on the knee; change it gradually.")
    assert "180" not in flag["message"]


def test_no_hint_for_faster_than_median_runs():
    # Easy runs at 3.0 m/s with 170 steps/min, faster runs at 4.0 m/s with 160.
    history = runs("ana", [(day("2024-03-01", i), 8.0,
                            {"avg_speed_mps": 3.0 if i % 2 == 0 else 4.0,
                             "cadence_spm": 170.0 if i % 2 == 0 else 160.0}) for i in range(20)])
    assert flags(history, kinds=["cadence_hint"]).empty


def test_the_hint_threshold_is_per_athlete():
    config = parse_config({"athletes": {"ana": {"cadence_hint_spm": 155}}})
    history = frame(easy_runs(160, range(5)), easy_runs(160, range(5), athlete="bob"))
    found = flags(history, config, kinds=["cadence_hint"])
    assert found["athlete"].tolist() == ["bob"]


def test_status_compares_this_weeks_cadence_with_the_athletes_normal():
    # The week holds all seven runs (median 168 steps/min); two had a prediction, both 168:
    # the sixth run sat on the line, the seventh 5.4 % under it.
    row = status(frame(base(), then(159)), as_of="2024-03-07").iloc[0]
    assert row["cadence_spm"] == pytest.approx(168.0)
    assert row["cadence_expected_spm"] == pytest.approx(168.0)
    assert row["cadence_vs_normal_pct"] == pytest.approx(-100 * 9 / 168 / 2)
