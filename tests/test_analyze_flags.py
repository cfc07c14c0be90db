"""Flag records: one shape for every signal, sources from science.md, easy to extend."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factories import daily_runs, every, frame, runs

from strideload import science
from strideload.analyze import FLAG_COLUMNS, KINDS, SEVERITIES, SIGNALS, SOURCES, Analysis, Flag, flags
from strideload.analyze.flags import EVIDENCE, flag_frame
from strideload.config import SETTINGS, Config

SCIENCE = Path(__file__).resolve().parents[2] / "shared" / "science.md"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def test_every_kind_names_a_known_source_grade_and_severity():
    for name, kind in KINDS.items():
        assert kind.source in SOURCES, name
        assert kind.evidence in EVIDENCE, name
        assert kind.severity in SEVERITIES, name
    assert list(Flag.__dataclass_fields__) == FLAG_COLUMNS


@pytest.mark.skipif(not SCIENCE.exists(), reason="../shared/science.md is not beside the repository")
def test_sources_and_dois_are_those_of_science_md():
    text = SCIENCE.read_text(encoding="utf-8")
    keys = set(re.findall(r"`([a-z_]+\d{4}|trek_pfp)`", text))
    for key, source in SOURCES.items():
        assert key in keys, key
        if source.doi:
            assert source.doi in text, key
    noted = set(science.keys())  # a data-hygiene rule (local_dates) has a note but no reference
    for setting in SETTINGS.values():
        assert setting.source in keys or setting.source in noted or setting.source == "-", setting.name


def test_flags_are_sorted_by_athlete_date_and_severity():
    history = frame(daily_runs("bob", "2024-01-01", [5, 6]), daily_runs("ana", "2024-01-01", [5] * 31 + [20]))
    found = flags(history)
    assert list(found.columns) == FLAG_COLUMNS
    assert found["athlete"].tolist() == sorted(found["athlete"])
    last_day = found[found["date"] == found["date"].max()]
    assert last_day["severity"].tolist()[0] == "alert"


def test_filters_by_date_and_kind():
    history = frame(every("ana", "2024-01-28", "2024-02-29", 10.0),
                    runs("ana", [("2024-03-01", 10), ("2024-03-02", 12), ("2024-03-10", 15), ("2024-03-20", 20)]))
    all_spikes = flags(history, kinds=["session_spike"])
    assert len(all_spikes) == 3
    window = flags(history, since="2024-03-02", until="2024-03-10", kinds=["session_spike"])
    assert [d.date().isoformat() for d in window["date"]] == ["2024-03-02", "2024-03-10"]
    assert flags(history, kinds=["monotony_high"]).empty


def test_a_new_signal_joins_the_same_records():
    def pain_amber(analysis: Analysis) -> pd.DataFrame:
        runs = analysis.runs.iloc[:1]
        return flag_frame("session_spike", athlete=runs["athlete"], day=runs["day"].to_numpy(), value=[4.0],
                          threshold=3.0, message=["Pain 4/10 during this run."], activity_id=runs["id"],
                          severity="caution")

    analysis = Analysis(runs("ana", [("2024-03-01", 10)]), Config(), signals=[*SIGNALS, pain_amber])
    assert analysis.flags["message"].tolist() == ["Pain 4/10 during this run."]


def test_every_message_is_a_plain_sentence_on_a_busy_history():
    from bench_analysis import summaries

    found = flags(summaries(athletes=3, years=1, seed=7))
    assert set(found["kind"]) >= {"session_spike", "weekly_increase", "low_cadence", "cadence_hint",
                                  "surface_change", "monotony_high", "downhill_spike"}
    for kind, message in zip(found["kind"], found["message"], strict=True):
        assert message.endswith("."), message
        assert not re.search(r"\b(nan|inf)\b", message), message
        if kind == "cadence_hint":
            assert "180" not in message, message
    assert not np.isinf(found["value"].to_numpy()).any()
    assert set(found["severity"]) <= set(SEVERITIES)
    assert (found["evidence"] == found["kind"].map(lambda k: KINDS[k].evidence)).all()
