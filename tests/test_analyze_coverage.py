"""Coverage: a run, or a rest day among regular records, is known; 14 days without any activity,
and the days before the history starts, are a gap. And the status says when the data is old."""

from __future__ import annotations

import pandas as pd
import pytest
from factories import daily_runs, every, frame, runs, summary

from strideload.analyze import analyze, status
from strideload.config import parse_config


def covered(history, **kwargs) -> pd.Series:
    return analyze(history, **kwargs).daily.set_index("date")["covered"]


def test_thirteen_days_off_are_rest_and_the_fourteenth_starts_a_gap():
    days = covered(runs("ana", [("2024-03-01", 5.0), ("2024-03-20", 5.0)]))
    assert days["2024-03-01":"2024-03-14"].all()            # 13 days off: rest
    assert not days["2024-03-15":"2024-03-19"].any()        # the 14th day off on: a gap
    assert days["2024-03-20"]


def test_any_sport_keeps_the_records_covered():
    walks = pd.DataFrame([summary("ana", d, 4.0, sport="walking", running=False, id=f"walk-{d}")
                          for d in ("2024-03-10", "2024-03-18")])
    days = covered(frame(runs("ana", [("2024-03-01", 5.0), ("2024-03-25", 5.0)]), walks))
    assert days.all()


def test_the_gap_length_is_a_setting():
    config = parse_config({"settings": {"coverage_gap_days": 7}})
    days = covered(runs("ana", [("2024-03-01", 5.0), ("2024-03-12", 5.0)]), config=config)
    assert days["2024-03-07"] and not days["2024-03-08"]


def test_a_later_activity_never_changes_whether_an_earlier_day_was_covered():
    short = covered(runs("ana", [("2024-03-01", 5.0)]), until="2024-03-31")
    longer = covered(runs("ana", [("2024-03-01", 5.0), ("2024-04-01", 5.0)]))
    pd.testing.assert_series_equal(longer[:"2024-03-31"], short)


def test_ratios_come_back_four_weeks_after_a_return():
    history = frame(daily_runs("ana", "2024-01-01", [8.0, 0.0] * 21),
                    every("ana", "2024-03-27", "2024-05-10", 6.0, step=2))
    days = analyze(history).daily.set_index("date")
    assert days.loc["2024-03-27":"2024-04-23", "acwr_coupled"].isna().all()
    assert days.loc["2024-04-24":, "acwr_coupled"].notna().all()


# -- staleness -------------------------------------------------------------------------------

FIVE_STEADY_WEEKS = daily_runs("ana", "2026-09-21", [8.0, 0.0] * 17 + [8.0])   # 21 Sep – 25 Oct


def test_a_status_five_weeks_after_the_last_run_says_so_first():
    row = status(FIVE_STEADY_WEEKS, as_of="2026-11-29").iloc[0]
    assert row["stale"] and row["days_since_run"] == 35
    assert row["data_note"] == row["headline"] == "No runs recorded since 25 Oct — 35 days."
    assert row["acwr_ewma"] is None and row["acwr_ewma_band"] == "no activity recorded for 35 days"
    assert row["acwr_coupled_band"] != "low"


def test_a_status_within_a_week_of_the_last_run_is_not_stale():
    row = status(FIVE_STEADY_WEEKS, as_of="2026-11-01").iloc[0]
    assert not row["stale"] and row["data_note"] is None and row["days_since_run"] == 7


def test_the_status_says_when_the_last_pain_entry_was():
    from strideload.pain import entries_frame, make_entry

    pain = entries_frame([make_entry("ana", date="2026-10-20", when="daily", score=1),
                          make_entry("ana", date="2026-12-01", when="daily", score=1)])
    row = status(FIVE_STEADY_WEEKS, as_of="2026-11-29", pain=pain).iloc[0]
    assert row["last_pain"].isoformat() == "2026-10-20"     # the December entry is after as_of


@pytest.mark.parametrize("stale_after, stale", [(7, True), (40, False)])
def test_when_data_counts_as_stale_is_a_setting(stale_after, stale):
    config = parse_config({"settings": {"stale_after_days": stale_after}})
    assert status(FIVE_STEADY_WEEKS, config, as_of="2026-11-29").iloc[0]["stale"] == stale
