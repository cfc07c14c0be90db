"""Week-over-week increase (Nielsen 2014): more than 30 % over a previous week of at least 10 km."""

from __future__ import annotations

import numpy as np
import pytest
from factories import daily_runs

from strideload.analyze import daily_load, flags


def weekly(kms, **kwargs):
    return flags(daily_runs("ana", "2024-01-01", kms), kinds=["weekly_increase"], **kwargs)


def test_forty_percent_more_after_a_ten_km_week():
    #       week 1: 10 km            week 2: 14 km
    kms = [5, 0, 0, 5, 0, 0, 0, 5, 0, 0, 5, 0, 0, 4]
    found = weekly(kms)
    assert len(found) == 1
    flag = found.iloc[0]
    assert flag["date"].date().isoformat() == "2024-01-14"
    assert flag["value"] == pytest.approx(40.0)
    assert flag["message"] == "You ran 14.0 km in the last 7 days, 40 % more than the 10.0 km of the 7 days before."
    assert (flag["severity"], flag["threshold"], flag["source"], flag["evidence"]) == \
        ("info", 30.0, "nielsen2014", "weak")


def test_needs_two_full_weeks_of_history():
    days = daily_load(daily_runs("ana", "2024-01-01", [5, 0, 0, 5, 0, 0, 0, 5, 0, 0, 5, 0, 0, 4]))
    assert days["weekly_increase_pct"].iloc[:13].isna().all()
    assert days["previous_7d_km"].iloc[13] == 10.0


def test_a_previous_week_under_10_km_never_flags():
    assert weekly([9, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 15]).empty


def test_exactly_30_percent_is_not_more_than_30():
    assert weekly([5, 0, 0, 5, 0, 0, 0, 5, 0, 0, 5, 0, 0, 3]).empty


def test_a_stretch_of_days_over_the_threshold_is_one_flag():
    # Day 15: last 7 days 5 + 4 + 6 = 15 against 10 before: still over 30 %, no new flag.
    kms = [5, 0, 0, 5, 0, 0, 0, 5, 0, 0, 5, 0, 0, 4, 6]
    assert daily_load(daily_runs("ana", "2024-01-01", kms))["weekly_increase_pct"].iloc[14] == pytest.approx(50.0)
    assert len(weekly(kms)) == 1


def test_after_a_week_off_there_is_no_percentage():
    days = daily_load(daily_runs("ana", "2024-01-01", [10] * 7 + [0] * 13 + [5]))
    assert np.isnan(days["weekly_increase_pct"].iloc[20])


def test_a_flag_on_a_rest_day_after_the_last_run_shows_once_the_series_reaches_it():
    # Two full weeks are first complete on 14 January, a rest day.
    kms = [5, 0, 0, 0, 0, 0, 5.5, 16]
    assert weekly(kms).empty
    found = weekly(kms, until="2024-01-20")
    assert [d.date().isoformat() for d in found["date"]] == ["2024-01-14"]
    assert found["value"].tolist() == [pytest.approx(100 * (16 - 10.5) / 10.5)]
    assert weekly(kms, until="2024-01-13").empty
