"""Increase over the usual week (Nielsen 2014): the last 7 days more than 30 % over the mean of
the 4 weeks before, when that usual week had at least 10 km."""

from __future__ import annotations

import numpy as np
import pytest
from factories import daily_runs, frame, runs

from strideload.analyze import daily_load, flags

TEN_KM_WEEKS = [5, 0, 0, 5, 0, 0, 0] * 4     # four weeks of 10 km: 1–28 January
BIG_WEEKS = [7, 0, 0, 7, 0, 0, 0] * 2        # then 14 km a week from 29 January


def weekly(kms, **kwargs):
    return flags(daily_runs("ana", "2024-01-01", kms), kinds=["weekly_increase"], **kwargs)


def test_forty_percent_more_than_four_ten_km_weeks():
    found = weekly(TEN_KM_WEEKS + BIG_WEEKS, until="2024-02-04")   # five weeks are complete on 4 February
    assert len(found) == 1
    flag = found.iloc[0]
    assert flag["date"].date().isoformat() == "2024-02-04"
    assert flag["value"] == pytest.approx(40.0)
    assert flag["message"] == ("You ran 14.0 km in the last 7 days, 40 % more than your usual 10.0 km "
                               "(the 7-day mean of the 28 days before).")
    assert (flag["severity"], flag["threshold"], flag["source"], flag["evidence"]) == \
        ("info", 30.0, "nielsen2014", "weak")


def test_a_stretch_of_days_over_the_threshold_is_one_flag_with_its_length():
    # 4–7 February: 14 km against a usual week of 10, then 10.5 (+33 %); on 8 February the
    # usual week holds both big runs (11 km): +27 %.
    found = weekly(TEN_KM_WEEKS + BIG_WEEKS, until="2024-02-10")
    assert len(found) == 1
    assert found["message"].iloc[0].endswith("It stayed more than 30 % above for 4 days, to 7 Feb.")


def test_a_run_on_the_edge_of_the_week_is_no_increase():
    # A third 5 km run lands on the last day of the fifth week: the 7 days to it hold 14 km
    # (+40 %), but the day before they held 10 and the day after 9: the same runs every third
    # day, not more running. Counted noon to noon, those 7 days hold 12 km (+20 %).
    days = daily_load(daily_runs("ana", "2024-01-01", TEN_KM_WEEKS + [5, 0, 0, 5, 0, 0, 4]))
    assert days["weekly_increase_pct"].iloc[34] == pytest.approx(40.0)
    assert weekly(TEN_KM_WEEKS + [5, 0, 0, 5, 0, 0, 4]).empty


def test_needs_five_full_weeks_of_history():
    days = daily_load(daily_runs("ana", "2024-01-01", TEN_KM_WEEKS + [5, 0, 0, 5, 0, 0, 4]))
    assert days["weekly_increase_pct"].iloc[:34].isna().all()
    assert days["usual_7d_km"].iloc[34] == 10.0


def test_a_usual_week_under_10_km_never_flags():
    assert weekly([9, 0, 0, 0, 0, 0, 0] * 4 + [5, 0, 0, 0, 0, 0, 15]).empty


def test_exactly_30_percent_is_not_more_than_30():
    assert weekly(TEN_KM_WEEKS + [6.5, 0, 0, 6.5, 0, 0, 0], until="2024-02-04").empty


def test_a_steady_runner_every_other_day_is_no_increase():
    # 8 km every other day: any 7 days hold 4 runs or 3 (32 or 24 km), so one week against the
    # week before reads +33 % twice a week; against the mean of four weeks (14 runs) it never
    # reads more than +14 %.
    kms = [8, 0] * 56
    days = daily_load(daily_runs("ana", "2024-01-01", kms))
    seven = days["acute_7d_km"].to_numpy()
    week_over_week = 100 * (seven[7:] / seven[:-7] - 1)
    assert (week_over_week > 30).sum() > 20                       # what the old rule would have raised
    assert np.nanmax(days["weekly_increase_pct"]) == pytest.approx(100 * (32 / 28 - 1))
    assert weekly(kms).empty


def test_after_a_gap_in_the_records_there_is_no_percentage():
    kms = [10] * 35 + [0] * 20 + [5]
    days = daily_load(daily_runs("ana", "2024-01-01", kms))
    assert np.isnan(days["weekly_increase_pct"].iloc[55])


def test_a_flag_on_a_rest_day_after_the_last_run_shows_once_the_series_reaches_it():
    # The first complete five weeks end on 4 February, a rest day after the last run.
    kms = [5, 0, 0, 0, 0, 0, 5.5] * 4 + [5, 0, 0, 0, 10, 6]
    assert weekly(kms).empty
    found = weekly(kms, until="2024-02-10")
    assert [d.date().isoformat() for d in found["date"]] == ["2024-02-04"]
    assert found["value"].tolist() == [pytest.approx(100 * (21 - 10.5) / 10.5)]
    assert weekly(kms, until="2024-02-03").empty


def test_other_athletes_weeks_never_mix():
    history = frame(daily_runs("ana", "2024-01-01", TEN_KM_WEEKS + BIG_WEEKS), runs("bob", [("2024-02-03", 30.0)]))
    assert flags(history, kinds=["weekly_increase"])["athlete"].tolist() == ["ana"]
