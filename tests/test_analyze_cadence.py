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


def then(cadence: float, offset: int = 20, speed: float = 3.0, start: str = "2024-03-01"):
    """One run ``offset`` days after ``start``: the line is fitted on runs at least 14 days before it."""
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
                               "that your own line (your runs of the 60 days to 14 days before) predicts at "
                               "this pace (5:33 /km).")
    assert (flag["severity"], flag["threshold"], flag["source"], flag["evidence"]) == \
        ("info", 5.0, "heiderscheit2011", "moderate")


def test_the_line_follows_speed():
    # At 3.5 m/s the line predicts 171: 162 is 5.3 % below it.
    found = low(frame(base(), then(162, speed=3.5)))
    assert found["value"].tolist() == [pytest.approx(100 * 9 / 171)]


def test_needs_five_runs_with_cadence():
    history = frame(base(speeds=SPEEDS[:4]), then(140))
    assert np.isnan(analyze(history).runs["cadence_predicted_spm"].iloc[-1])
    assert low(history).empty
    assert not np.isnan(analyze(frame(base(speeds=SPEEDS[:5]), then(140))).runs
                        ["cadence_predicted_spm"].iloc[-1])


def test_the_line_ends_two_weeks_before_the_run():
    assert np.isnan(analyze(frame(base(), then(140, offset=18))).runs["cadence_predicted_spm"].iloc[-1])
    assert not np.isnan(analyze(frame(base(), then(140, offset=19))).runs["cadence_predicted_spm"].iloc[-1])


def test_only_the_60_days_before_count():
    assert not np.isnan(analyze(frame(base(), then(140, offset=74))).runs["cadence_predicted_spm"].iloc[-1])
    assert np.isnan(analyze(frame(base(), then(140, offset=80))).runs["cadence_predicted_spm"].iloc[-1])


def test_one_speed_only_gives_a_flat_line_at_the_mean():
    history = runs("ana", [(day("2024-03-01", i), 8.0, {"cadence_spm": c})
                           for i, c in enumerate([166, 168, 170, 172, 174])])
    last = analyze(frame(history, then(161))).runs.iloc[-1]
    assert last["cadence_predicted_spm"] == pytest.approx(170.0)
    assert last["cadence_drop_pct"] == pytest.approx(100 * 9 / 170)


def on_the_line(first: str, days: int, step: int = 2, drop: float = 0.0, seed: int = 3):
    """Runs every ``step`` days at 2.6–3.4 m/s whose cadence is ``drop`` % under 150 + 6 · speed."""
    rng = np.random.default_rng(seed)
    speeds = rng.uniform(2.6, 3.4, len(range(0, days, step)))
    return runs("ana", [(day(first, i), 8.0, {"avg_speed_mps": s, "cadence_spm": (150 + 6 * s) * (1 - drop / 100)})
                        for i, s in zip(range(0, days, step), speeds)])


def test_a_low_cadence_block_after_a_normal_block_is_found_whole_and_raised_once():
    # Six normal weeks, then five weeks 7 % under the line: the line must not absorb the block.
    history = frame(on_the_line("2024-01-01", 42), on_the_line("2024-02-12", 35, drop=7.0, seed=4))
    analysis = analyze(history)
    block = analysis.runs[analysis.runs["day"] >= analysis.runs["day"].iloc[21]]
    assert len(block) == 18
    np.testing.assert_allclose(block["cadence_drop_pct"], 7.0, atol=0.01)     # each against the normal line
    np.testing.assert_allclose(block["cadence_predicted_spm"], 150 + 6 * block["run_speed_mps"])
    found = low(history)
    assert len(found) == 1
    assert found["date"].iloc[0].date().isoformat() == "2024-02-12"
    assert found["message"].iloc[0].endswith("It has held on 18 runs (7 % below) so far (to 17 Mar).")


def test_the_line_is_fitted_on_running_speed_not_on_walk_breaks():
    # A run/walk session: 2.0 m/s on average with the walking, 3.0 m/s while running.
    walk_run = runs("ana", [("2024-03-21", 5.0, {"avg_speed_mps": 2.0, "run_speed_mps": 3.0, "cadence_spm": 159})])
    last = analyze(frame(base(), walk_run)).runs.iloc[-1]
    assert last["cadence_predicted_spm"] == pytest.approx(168.0)
    assert len(low(frame(base(), walk_run))) == 1


def test_an_odd_run_does_not_bend_the_line_of_later_runs():
    odd = runs("ana", [("2024-03-08", 8.0, {"avg_speed_mps": 3.0, "cadence_spm": 120.0})])  # a bad sensor
    later = analyze(frame(base(), odd, then(168, offset=30))).runs
    assert later["cadence_baseline"].tolist() == [True] * 6 + [True, True]  # no line yet when it ran
    with_line = analyze(frame(base(), then(168, offset=20), odd.assign(local_date="2024-03-22", id="odd",
                                                                      start_time="2024-03-22T07:00:00+00:00"),
                              then(168, offset=40))).runs
    assert not with_line.set_index("id").loc["odd", "cadence_baseline"]      # 29 % under its line
    assert with_line["cadence_predicted_spm"].iloc[-1] == pytest.approx(168.0, abs=0.5)


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


def test_hint_once_per_stretch_of_easy_runs_under_166_with_their_number():
    found = flags(easy_runs(160, range(40)), kinds=["cadence_hint"])
    assert [d.date().isoformat() for d in found["date"]] == ["2024-03-01"]
    flag = found.iloc[0]
    assert (flag["value"], flag["threshold"], flag["severity"], flag["evidence"]) == (160.0, 166.0, "info", "weak")
    assert flag["message"] == ("Your cadence on this easy run was 160 steps/min, below 166. A step rate "
                               "5–10 % higher at the same pace, for you about 8–16 more steps a minute, "
                               "lowers the load on the knee; change it gradually. It has held on 40 easy runs "
                               "so far (to 9 Apr).")
    assert "180" not in flag["message"]


def test_a_new_hint_only_after_a_month_at_or_above_it():
    history = frame(easy_runs(160, range(10)), easy_runs(170, range(10, 20)), easy_runs(160, range(20, 30)),
                    easy_runs(170, range(30, 70)), easy_runs(160, range(70, 75)))
    found = flags(history, kinds=["cadence_hint"])
    assert [d.date().isoformat() for d in found["date"]] == ["2024-03-01", "2024-05-10"]
    assert "It held on 20 easy runs, to 30 Mar." in found["message"].iloc[0]


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
    # The week holds two runs (median 163.5 steps/min), both judged against the line (168):
    # one on it, one 5.4 % under it.
    row = status(frame(base(), then(168, offset=19), then(159)), as_of="2024-03-21").iloc[0]
    assert row["cadence_spm"] == pytest.approx(163.5)
    assert row["cadence_expected_spm"] == pytest.approx(168.0)
    assert row["cadence_vs_normal_pct"] == pytest.approx(-100 * 9 / 168 / 2)
