"""The flags of the committed sample data: every planted event of sample_data/README.md fires, and
nothing fires that the history cannot support (its first month, a run-day pattern).

Imports the sample once for the module (about ten seconds): there is no smaller way to see
the whole pipeline on realistic files. The planted events and the steady every-other-day
runners come from ``benchmarks/flag_noise.py``, which prints the flags per athlete-week.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from strideload import analyze, rtr
from strideload.analyze.cadence import line_on
from strideload.analyze.runs import date_to_day
from strideload.config import parse_config
from strideload.ingest.importer import import_paths
from strideload.store import Store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from flag_noise import LOAD_KINDS, PLANTED, ZONES, steady_runners  # noqa: E402

SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(activity summaries, flags) of the sample data."""
    if not SAMPLE.is_dir():
        pytest.skip("sample_data/ is absent")
    config = parse_config(ZONES)
    with Store.open(tmp_path_factory.mktemp("sample") / "sample.db") as store:
        import_paths(store, [SAMPLE], team=True, config=config)
        summaries = store.activities_frame()
        found = analyze.flags(summaries, config, pain=store.pain_frame(), rtr=rtr.inputs(store, config))
    return summaries, found.assign(day=found["date"].dt.strftime("%Y-%m-%d"))


@pytest.fixture(scope="module")
def sample_flags(sample) -> pd.DataFrame:
    return sample[1]


@pytest.mark.parametrize("athlete, kind, first, last, what", PLANTED, ids=[p[4] for p in PLANTED])
def test_every_planted_event_fires(sample_flags, athlete, kind, first, last, what):
    hits = sample_flags[(sample_flags["athlete"] == athlete) & (sample_flags["kind"] == kind)
                        & (sample_flags["day"] >= first) & (sample_flags["day"] <= last)]
    assert len(hits), f"{what}: no {kind} for {athlete} between {first} and {last}"


def test_the_low_cadence_block_is_one_flag_for_its_13_runs(sample_flags):
    low = sample_flags[sample_flags["kind"] == "low_cadence"]
    assert low["day"].tolist() == ["2026-08-11"]
    assert "It held on 13 runs" in low["message"].iloc[0]


def test_no_session_spike_leans_on_the_first_month(sample_flags):
    spikes = sample_flags[sample_flags["kind"] == "session_spike"]
    assert spikes[["athlete", "day"]].values.tolist() == [["ana", "2026-08-30"], ["ana", "2026-10-04"],
                                                          ["ben", "2026-09-12"]]


def test_one_pain_flag_per_rule_and_day(sample_flags):
    pain = sample_flags[sample_flags["kind"].str.startswith("pain")]
    assert not pain.duplicated(["athlete", "day", "kind", "activity_id"]).any()


def test_a_steady_runner_every_other_day_sees_no_load_flag_in_8_weeks():
    found = analyze.flags(steady_runners(weeks=8), parse_config(ZONES))
    assert found[found["kind"].isin(LOAD_KINDS)].empty


def test_anas_cadence_line_rises_with_speed_as_planted(sample):
    # Planted: +10 steps/min per m/s; a line that took in the low block sloped −1.2.
    summaries, _ = sample
    analysis = analyze.analyze(summaries, parse_config(ZONES))
    line = line_on(analysis.runs, "ana", date_to_day("2026-10-25"), analysis.config)
    assert 8.5 < line["slope"] < 11.5
    during_block = line_on(analysis.runs, "ana", date_to_day("2026-09-03"), analysis.config)
    assert 8.5 < during_block["slope"] < 11.5
