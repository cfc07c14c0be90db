"""One run recorded by two watches worn together: the richer recording is kept, whichever file
is imported first, and the other is reported as a duplicate."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from files import FENIX3, FR255, FR735XT, device_fit_bytes, run_points, utc

from strideload.ingest.importer import import_paths

START = utc(2026, 6, 7, 7, 30)


def _hills(d):
    return 100 + 10 * np.sin(2 * np.pi * d / 1000)


def _two_watches(folder, *, fenix_name: str, forerunner_name: str):
    """An FR735XT (GPS elevation) on one wrist and a fēnix 3 (barometer) on the other."""
    folder.mkdir()
    forerunner = run_points(START, km=3, speed_mps=3.0, elevation=_hills)
    fenix = run_points(START + timedelta(seconds=4), km=3.04, speed_mps=3.0, elevation=_hills)
    (folder / forerunner_name).write_bytes(device_fit_bytes(forerunner, product=FR735XT))
    (folder / fenix_name).write_bytes(device_fit_bytes(fenix, product=FENIX3))


@pytest.mark.parametrize("fenix_name, forerunner_name",
                         [("a-fenix.fit", "b-fr735.fit"), ("b-fenix.fit", "a-fr735.fit")])
def test_the_barometric_watch_is_kept_whichever_sorts_first(tmp_path, store, oslo_config, fenix_name,
                                                            forerunner_name):
    _two_watches(tmp_path / "runs", fenix_name=fenix_name, forerunner_name=forerunner_name)
    result = import_paths(store, [tmp_path / "runs"], athlete="ana", config=oslo_config)
    frame = store.activities_frame("ana")
    assert len(frame) == 1
    kept = frame.iloc[0]
    assert (kept["device"], kept["elevation_source"]) == ("garmin fenix3", "barometric")
    [duplicate] = result.of("duplicate")
    assert "same run as" in duplicate.reason and "garmin" in duplicate.reason
    if duplicate.path.endswith(fenix_name):  # the fēnix came second and replaced the Forerunner
        assert "kept this richer FIT, garmin fenix3" in duplicate.reason


def test_with_barometers_on_both_wrists_cadence_decides(tmp_path, store, oslo_config):
    """A fēnix 3 without its foot pod records no cadence; a Forerunner 255 beside it does."""
    folder = tmp_path / "runs"
    folder.mkdir()
    no_cadence = run_points(START, km=3, elevation=_hills)
    for p in no_cadence:
        p.cadence_spm = 0
    (folder / "a-fenix.fit").write_bytes(device_fit_bytes(no_cadence, product=FENIX3))
    (folder / "b-fr255.fit").write_bytes(device_fit_bytes(run_points(START, km=3, elevation=_hills), product=FR255))
    import_paths(store, [folder], athlete="ana", config=oslo_config)
    assert store.activities_frame("ana")["device"].tolist() == ["garmin fr255"]


def test_a_second_import_changes_nothing(tmp_path, store, oslo_config):
    _two_watches(tmp_path / "runs", fenix_name="a.fit", forerunner_name="b.fit")
    import_paths(store, [tmp_path / "runs"], athlete="ana", config=oslo_config)
    again = import_paths(store, [tmp_path / "runs"], athlete="ana", config=oslo_config)
    assert again.counts()["duplicate"] == 2 and again.counts()["added"] == 0
    assert store.activities_frame("ana")["device"].tolist() == ["garmin fenix3"]
