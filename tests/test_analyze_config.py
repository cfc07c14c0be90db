"""Analysis settings: names, units, defaults and sources in one registry; TOML overrides; clear errors."""

from __future__ import annotations

import pytest
from factories import every, frame, runs

from strideload.analyze import SOURCES, flags
from strideload.config import SETTINGS, Config, load_config, parse_config
from strideload.errors import ConfigError

#: The defaults science.md and the issue state.
DEFAULTS = {
    "session_spike_window_days": 30, "session_spike_small": 1.10, "session_spike_moderate": 1.30,
    "session_spike_large": 2.00, "acwr_acute_days": 7, "acwr_chronic_days": 28, "acwr_min_history_days": 28,
    "acwr_sweet_low": 0.8, "acwr_sweet_high": 1.3, "acwr_high": 1.5, "load_unit": "distance",
    "weekly_increase_days": 7, "weekly_increase_pct": 30.0, "weekly_increase_min_km": 10.0,
    "downhill_spike_window_days": 30, "downhill_spike_ratio": 1.3, "downhill_spike_min_km": 1.0,
    "cadence_fit_days": 60, "cadence_fit_min_runs": 5, "low_cadence_drop_pct": 5.0, "cadence_hint_spm": 166.0,
    "surface_recent_days": 7, "surface_previous_days": 28, "surface_previous_max_pct": 10.0,
    "surface_recent_min_pct": 30.0, "monotony_days": 7, "monotony_high": 2.0,
}


def test_defaults_are_those_of_science_md():
    config = Config()
    for name, value in DEFAULTS.items():
        assert config.get(name) == value, name


def test_every_analysis_setting_has_a_unit_a_source_and_a_description():
    for name in DEFAULTS:
        setting = SETTINGS[name]
        assert setting.unit and setting.description, name
        assert setting.source in SOURCES, name


def test_a_toml_file_overrides_globally_and_per_athlete(tmp_path):
    path = tmp_path / "strideload.toml"
    path.write_text('[settings]\nsession_spike_small = 1.25\n\n[athletes.bob]\ncadence_hint_spm = 150\n',
                    encoding="utf-8")
    config = load_config(path)
    assert config.get("session_spike_small") == 1.25
    assert (config.get("cadence_hint_spm", "bob"), config.get("cadence_hint_spm", "ana")) == (150.0, 166.0)
    assert config.origin("cadence_hint_spm", "bob") == f"{path} [athletes.bob]"
    history = frame(every("ana", "2024-01-28", "2024-02-29", 10.0), every("bob", "2024-01-28", "2024-02-29", 10.0),
                    runs("ana", [("2024-03-01", 10), ("2024-03-02", 12)]),
                    runs("bob", [("2024-03-01", 10), ("2024-03-02", 13)]))
    assert flags(history, config, kinds=["session_spike"])["athlete"].tolist() == ["bob"]


@pytest.mark.parametrize("document, key", [
    ({"settings": {"session_spike_tiny": 1.05}}, "session_spike_tiny"),
    ({"settings": {"session_spike_small": "big"}}, "session_spike_small"),
    ({"settings": {"acwr_chronic_days": 2.5}}, "acwr_chronic_days"),
    ({"settings": {"weekly_increase_pct": -5}}, "weekly_increase_pct"),
    ({"settings": {"load_unit": "heart_rate"}}, "load_unit"),
    ({"athletes": {"ana": {"session_spike_small": 1.2}}}, "session_spike_small"),
    ({"athletes": {"ana": {"cadence_hint": 160}}}, "cadence_hint"),
    ({"settings": {"acwr_acute_days": 28}}, "acwr_acute_days"),
    ({"settings": {"session_spike_moderate": 2.5}}, "session_spike_moderate"),
    ({"athletes": 3}, "athletes"),
    ({"settings": "strict"}, "settings"),
])
def test_unknown_keys_and_bad_values_name_the_key(document, key):
    with pytest.raises(ConfigError) as raised:
        parse_config(document)
    assert raised.value.key == key
    assert key in str(raised.value)
