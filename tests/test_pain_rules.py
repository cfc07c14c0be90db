"""Pain rules on small hand-built logs: each rule of each profile, one flag per score, the
week-over-week mean, and next-morning pain set against the previous day's load."""

from __future__ import annotations

import pandas as pd
import pytest
from factories import runs

from strideload import analyze
from strideload.analyze.pain import pain_flags, pain_vs_load
from strideload.analyze.runs import prepare_runs
from strideload.config import Config, parse_config
from strideload.pain import entries_frame, make_entry


def log(*entries: tuple, athlete: str = "ana") -> pd.DataFrame:
    """``(date, when, score)`` or ``(date, when, score, side)`` tuples as a pain frame."""
    made = [make_entry(athlete, date=e[0], when=e[1], score=e[2], side=e[3] if len(e) > 3 else None)
            for e in entries]
    return entries_frame(made)


RUN_4_MAY = runs("ana", [("2026-05-04", 8.0)])


def found(pain, history=RUN_4_MAY, config=None):
    return pain_flags(pain, prepare_runs(history), config or Config())


def brief(frame):
    return [(d.date().isoformat(), k, v, t) for d, k, v, t in
            zip(frame["date"], frame["kind"], frame["value"], frame["threshold"], strict=True)]


@pytest.mark.parametrize("when, score, expected", [
    ("during", 2, []),
    ("during", 2.5, [("pain_amber", 2.5, 2.0)]),
    ("during", 5, [("pain_amber", 5.0, 2.0)]),
    ("during", 5.5, [("pain_red", 5.5, 5.0)]),
    ("after", 4, []),                       # pfp grades pain during the run, not after
    ("after", 6, [("pain_red", 6.0, 5.0)]),
    ("daily", 6, [("pain_red", 6.0, 5.0)]),
])
def test_pfp_scores(when, score, expected):
    result = found(log(("2026-05-04", when, score)))
    assert [(k, v, t) for _, k, v, t in brief(result)] == expected
    assert set(result["source"]) <= {"trek_pfp"}


def test_next_morning_rise_is_dated_that_morning_and_names_the_run():
    result = found(log(("2026-05-04", "daily", 1), ("2026-05-05", "next-morning", 2)))
    assert brief(result) == [("2026-05-05", "pain_amber", 1.0, 1.0)]
    assert result["activity_id"].tolist() == ["ana-2026-05-04-0"]
    assert result["message"][0] == ("Next-morning pain 2/10: 1 point above the morning before the run on 4 May "
                                    "(1/10); patellofemoral (pfp) profile, amber: next morning 1 or more up.")


def test_a_rise_of_two_is_red():
    result = found(log(("2026-05-03", "next-morning", 1), ("2026-05-05", "next-morning", 3)))
    assert brief(result) == [("2026-05-05", "pain_red", 2.0, 2.0)]


def test_no_run_the_day_before_means_no_morning_rule():
    assert found(log(("2026-05-05", "daily", 1), ("2026-05-06", "next-morning", 4))).empty


@pytest.mark.parametrize("baseline_day, flagged", [("2026-05-01", True), ("2026-04-30", False)])
def test_the_morning_before_may_be_up_to_three_days_before_the_run(baseline_day, flagged):
    result = found(log((baseline_day, "daily", 0), ("2026-05-05", "next-morning", 1)))
    assert (len(result) == 1) is flagged


def test_sides_compare_like_with_like():
    pain = log(("2026-05-04", "daily", 1, "right"), ("2026-05-04", "daily", 3, "left"),
               ("2026-05-05", "next-morning", 4, "left"))
    assert brief(found(pain)) == [("2026-05-05", "pain_amber", 1.0, 1.0)]


def test_one_score_raises_one_flag_naming_every_red_rule():
    result = found(log(("2026-05-04", "daily", 1), ("2026-05-05", "next-morning", 6)))
    assert brief(result) == [("2026-05-05", "pain_red", 6.0, 5.0)]
    assert "any score above 5" in result["message"][0] and "next morning 2 or more up" in result["message"][0]


def test_the_seven_day_mean_rising_a_point_is_red_once():
    pain = log(("2026-05-01", "daily", 1), ("2026-05-03", "daily", 1), ("2026-05-05", "daily", 1),
               ("2026-05-08", "daily", 2), ("2026-05-10", "daily", 2), ("2026-05-12", "daily", 2),
               ("2026-05-14", "daily", 2))
    # 12 May: 8/10/12 May mean 2.0 against 1/3/5 May mean 1.0 (10 May: 1.67 against 1.0, not yet).
    result = found(pain, history=runs("ana", [("2026-04-20", 5.0)]))
    assert brief(result) == [("2026-05-12", "pain_red", 1.0, 1.0)]
    assert result["activity_id"].tolist() == [None]
    assert "7-day mean pain was 2.0/10, 1.0 points above the 7 days before (1.0)" in result["message"][0]


def test_a_weekly_mean_rising_from_0_to_1_is_no_flag():
    # The issue: a weekly mean of 1/10 against 0 was a red alert. A rise needs a mean of at least 2.
    pain = log(("2026-05-01", "daily", 0), ("2026-05-03", "daily", 0), ("2026-05-08", "daily", 1),
               ("2026-05-10", "daily", 1))
    assert found(pain, history=runs("ana", [("2026-04-20", 5.0)])).empty
    lower = parse_config({"athletes": {"ana": {"pain_week_min_mean": 1.0}}})
    assert brief(found(pain, history=runs("ana", [("2026-04-20", 5.0)]), config=lower)) == \
        [("2026-05-10", "pain_red", 1.0, 1.0)]


def test_one_flag_per_rule_and_day():
    # During 6 and after 6.5 on one day break the same red rule: one flag, for the higher score.
    result = found(log(("2026-05-04", "during", 6), ("2026-05-04", "after", 6.5)))
    assert brief(result) == [("2026-05-04", "pain_red", 6.5, 5.0)]
    assert result["message"][0].endswith("(the highest of 2 such scores that day).")
    # Different rules on one day stay apart: red above 5, amber during above 2.
    two_rules = found(log(("2026-05-04", "during", 4), ("2026-05-04", "after", 6)))
    assert sorted(brief(two_rules)) == [("2026-05-04", "pain_amber", 4.0, 2.0), ("2026-05-04", "pain_red", 6.0, 5.0)]


def test_a_week_needs_scores_on_two_days():
    pain = log(("2026-05-01", "daily", 0), ("2026-05-09", "daily", 3), ("2026-05-10", "daily", 3))
    assert found(pain, history=runs("ana", [("2026-04-20", 5.0)])).empty


SILBERNAGEL = parse_config({"athletes": {"ana": {"pain_profile": "silbernagel"}}})


@pytest.mark.parametrize("entries, expected", [
    ((("2026-05-04", "during", 5),), []),                                   # up to 5 is acceptable
    ((("2026-05-04", "after", 5.5),), [("2026-05-04", "pain_red", 5.5, 5.0)]),
    ((("2026-05-04", "daily", 1), ("2026-05-05", "next-morning", 3)),       # not settled: amber, not red
     [("2026-05-05", "pain_amber", 2.0, 1.0)]),
])
def test_silbernagel_profile(entries, expected):
    result = found(log(*entries), config=SILBERNAGEL)
    assert brief(result) == expected
    assert set(result["source"]) <= {"silbernagel2007"}
    assert all("tendon (silbernagel) profile" in m for m in result["message"])


def test_silbernagel_week_increase_is_amber():
    pain = log(("2026-05-01", "daily", 1), ("2026-05-03", "daily", 1), ("2026-05-08", "daily", 2),
               ("2026-05-10", "daily", 2))
    # 10 May: 8/10 May mean 2.0 against 1/3 May mean 1.0. (8 May: the week before has one score only.)
    result = found(pain, history=runs("ana", [("2026-04-20", 5.0)]), config=SILBERNAGEL)
    assert brief(result) == [("2026-05-10", "pain_amber", 1.0, 1.0)]


def test_thresholds_are_per_athlete_settings():
    config = parse_config({"athletes": {"ana": {"pain_during_green_max": 3.0}}})
    assert found(log(("2026-05-04", "during", 3)), config=config).empty
    assert len(found(log(("2026-05-04", "during", 3, "left"), athlete="ana"))) == 1


def test_pain_flags_join_the_others_in_flags_and_status():
    history = runs("ana", [("2026-05-01", 8.0), ("2026-05-04", 8.0)])
    pain = log(("2026-05-04", "daily", 1), ("2026-05-05", "next-morning", 3))
    assert analyze.flags(history).query("kind.str.startswith('pain')").empty
    flagged = analyze.flags(history, pain=pain, kinds=["pain_red"])
    assert brief(flagged) == [("2026-05-05", "pain_red", 2.0, 2.0)]
    assert flagged["evidence"].tolist() == ["weak"]
    today = analyze.status(history, as_of="2026-05-06", pain=pain).iloc[0]
    assert today["concern"] == "alert"
    assert [f["kind"] for f in today["flags"]] == ["pain_red"]
    before = analyze.status(history, as_of="2026-05-04", pain=pain).iloc[0]
    assert [f["kind"] for f in before["flags"]] == []  # a score after as_of is not yet known


def test_pain_of_an_athlete_without_runs_is_left_out_of_load_flags():
    pain = log(("2026-05-04", "daily", 7), athlete="zoe")
    assert analyze.flags(RUN_4_MAY, pain=pain, kinds=["pain_red"]).empty


# -- next-morning pain against the previous day's load ---------------------------------------

def test_pain_vs_load_by_hand():
    history = runs("ana", [("2026-05-01", 2.0, {"downhill_5pct_m": 500.0}), ("2026-05-03", 4.0),
                           ("2026-05-05", 6.0, {"downhill_5pct_m": 1000.0})])
    daily = analyze.daily_load(history)
    pain = log(("2026-05-02", "next-morning", 1), ("2026-05-03", "next-morning", 0),
               ("2026-05-04", "next-morning", 2), ("2026-05-06", "next-morning", 3),
               ("2026-05-06", "daily", 9),          # not a next-morning score
               ("2026-04-30", "next-morning", 5))   # no series the day before: left out
    config = parse_config({"settings": {}, "athletes": {"ana": {"pain_link_min_days": 3}}})
    result = pain_vs_load(pain, daily, config).set_index("factor")
    # Pairs (km the day before, score): (2, 1), (0, 0), (4, 2), (6, 3): ranks agree exactly;
    # slope = sum(dx*dy)/sum(dx^2) = 10 / 20 = 0.5 points per km.
    assert result.loc["distance", "days"] == 4
    assert result.loc["distance", "rho"] == pytest.approx(1.0)
    assert result.loc["distance", "slope_per_unit"] == pytest.approx(0.5)
    # Downhill the day before: 0.5, 0, 0, 1.0 km against scores 1, 0, 2, 3. Ranks (ties share):
    # (3, 1.5, 1.5, 4) and (2, 1, 3, 4): Sxy 3, Sxx 4.5, Syy 5, rho = 3 / sqrt(22.5).
    assert result.loc["downhill distance", "rho"] == pytest.approx(3 / 22.5 ** 0.5)
    caveat = result.loc["distance", "caveat"]
    assert "4 mornings" in caveat and "not what caused them" in caveat


def test_pain_vs_load_needs_enough_mornings():
    history = runs("ana", [("2026-05-01", 2.0)])
    result = pain_vs_load(log(("2026-05-02", "next-morning", 1)), analyze.daily_load(history))
    assert result["days"].tolist() == [1, 1]
    assert result["rho"].isna().all()
    assert result["message"][0] == "Only 1 next-morning scores with a day before on record; 8 needed."
