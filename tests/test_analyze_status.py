"""The Monday-morning status: last 7 / 28 days, ratios with bands, spike limit, the week's flags."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from factories import daily_runs, frame, runs

from strideload.analyze import STATUS_COLUMNS, status
from strideload.config import parse_config

STEADY = daily_runs("ana", "2024-01-01", [10] * 35)      # 1 January – 4 February


def test_a_quiet_week_after_five_steady_weeks():
    row = status(STEADY, as_of="2024-02-05").iloc[0]      # a rest day, day 36
    assert list(row.index) == STATUS_COLUMNS
    assert row["as_of"] == date(2024, 2, 5)
    assert row["last_run"] == date(2024, 2, 4)
    assert (row["last_7d_km"], row["last_28d_km"]) == (60.0, 270.0)
    assert row["acwr_coupled"] == pytest.approx(60 / (270 / 4))         # 0.89
    assert row["acwr_uncoupled"] == pytest.approx(60 / (210 / 3))       # 0.86
    assert (row["acwr_coupled_band"], row["acwr_uncoupled_band"]) == ("sweet spot", "sweet spot")
    assert (row["longest_30d_km"], row["spike_limit_km"]) == (10.0, pytest.approx(11.0))
    assert (row["concern"], row["alerts"], row["cautions"], row["notes"]) == ("none", 0, 0, 0)
    assert row["headline"] == "No flags in the last 7 days."
    assert row["flags"] == []


def test_the_weeks_flags_worst_first():
    history = frame(STEADY, runs("ana", [("2024-02-06", 14.0)]))
    row = status(history, as_of="2024-02-07").iloc[0]
    assert (row["concern"], row["alerts"]) == ("alert", 1)
    assert row["headline"] == ("This 14.0 km run was 40 % longer than your longest run in the previous "
                               "30 days (10.0 km).")
    assert row["flags"][0] == {"date": "2024-02-06", "kind": "session_spike", "severity": "alert",
                               "message": row["headline"]}
    assert row["spike_limit_km"] == pytest.approx(14.0 * 1.1)


def test_runs_after_as_of_are_ignored():
    later = frame(STEADY, runs("ana", [("2024-02-10", 30.0)]))
    pd_row = status(later, as_of="2024-02-05")
    expected = status(STEADY, as_of="2024-02-05")
    assert pd_row.drop(columns=["flags"]).equals(expected.drop(columns=["flags"]))


def test_insufficient_history_is_said_not_computed():
    row = status(daily_runs("ana", "2024-01-01", [8] * 10), as_of="2024-01-12").iloc[0]
    assert pd.isna(row["acwr_ewma"])
    assert row["acwr_ewma_band"] == row["acwr_coupled_band"] == "insufficient history (11 of 28 days)"
    assert row["history_note"] == "insufficient history (11 of 28 days)"


def test_several_athletes_most_concerning_first():
    history = frame(
        daily_runs("bob", "2024-01-01", [10] * 35),                                   # nothing new
        daily_runs("ana", "2024-01-01", [10] * 35), runs("ana", [("2024-02-06", 14.0)]),   # alert
        daily_runs("cid", "2024-01-01", [10] * 35), runs("cid", [("2024-02-06", 11.5)]),   # caution
        runs("dan", [("2024-03-01", 5.0)]),                                            # not started yet
    )
    rows = status(history, as_of="2024-02-07")
    assert rows["athlete"].tolist() == ["ana", "cid", "bob", "dan"]
    assert rows["concern"].tolist() == ["alert", "caution", "none", "none"]
    assert rows.iloc[-1]["headline"] == "No runs on or before this date."
    assert rows.iloc[-1][["last_7d_km", "longest_30d_km"]].isna().all()


def test_as_of_defaults_to_each_athletes_local_today():
    config = parse_config({"athletes": {"ana": {"timezone": "Pacific/Kiritimati"},
                                        "bob": {"timezone": "Pacific/Pago_Pago"}}})
    history = frame(runs("ana", [("2024-01-01", 5.0)]), runs("bob", [("2024-01-01", 5.0)]))
    rows = status(history, config).set_index("athlete")
    assert rows.loc["ana", "as_of"] in {datetime.now(ZoneInfo("Pacific/Kiritimati")).date()}
    assert rows.loc["bob", "as_of"] in {datetime.now(ZoneInfo("Pacific/Pago_Pago")).date()}
