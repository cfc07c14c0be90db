"""Importing folders: outcomes per file, idempotence, duplicates across formats, bad files."""

from __future__ import annotations

import gzip
import sqlite3

from budget import examples
from files import fit_bytes, gpx_bytes, run_points, tcx_bytes, utc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strideload.ingest.importer import import_paths
from strideload.store import Store


def _write(folder, name, data):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def test_a_folder_of_runs_is_imported_with_one_outcome_per_file(tmp_path, store, oslo_config):
    _write(tmp_path / "in", "a.gpx", gpx_bytes(run_points(utc(2026, 5, 4, 6), km=5)))
    _write(tmp_path / "in" / "sub", "b.tcx", tcx_bytes(run_points(utc(2026, 5, 6, 6), km=8)))
    _write(tmp_path / "in", "notes.txt", b"not an activity, not a candidate")

    result = import_paths(store, [tmp_path / "in"], athlete="ana", config=oslo_config)

    assert result.counts() == {"added": 2, "non-running": 0, "duplicate": 0, "skipped": 0, "deleted": 0,
                                "failed": 0}
    frame = store.activities_frame("ana")
    assert sorted(frame["format"]) == ["gpx", "tcx"]
    assert frame["running"].all()
    assert sorted(frame["local_date"]) == ["2026-05-04", "2026-05-06"]


def test_importing_the_same_folder_twice_adds_nothing(tmp_path, store, oslo_config):
    _write(tmp_path / "in", "a.gpx", gpx_bytes(run_points(utc(2026, 5, 4, 6))))
    import_paths(store, [tmp_path / "in"], athlete="ana", config=oslo_config)

    again = import_paths(store, [tmp_path / "in"], athlete="ana", config=oslo_config)

    assert again.counts()["added"] == 0
    assert again.counts()["duplicate"] == 1
    assert len(store.activities_frame()) == 1


def test_a_gzipped_copy_is_the_same_activity(tmp_path, store, oslo_config):
    data = tcx_bytes(run_points(utc(2026, 5, 4, 6)))
    _write(tmp_path / "in", "run.tcx", data)
    _write(tmp_path / "in", "run.tcx.gz", gzip.compress(data))

    result = import_paths(store, [tmp_path / "in"], athlete="ana", config=oslo_config)

    assert result.counts()["added"] == 1 and result.counts()["duplicate"] == 1


def test_one_corrupt_file_is_reported_and_the_rest_still_import(tmp_path, store, oslo_config):
    good = _write(tmp_path / "in", "good.gpx", gpx_bytes(run_points(utc(2026, 5, 4, 6))))
    bad = _write(tmp_path / "in", "broken.tcx", tcx_bytes(run_points(utc(2026, 5, 5, 6)))[:3000])
    _write(tmp_path / "in", "garbage.fit", b"\x00" * 100)

    result = import_paths(store, [tmp_path / "in"], athlete="ana", config=oslo_config)

    assert result.counts()["added"] == 1
    failed = {o.path: o.reason for o in result.failed}
    assert set(failed) == {str(bad), str(tmp_path / "in" / "garbage.fit")}
    assert all(reason for reason in failed.values())
    assert [f["source_path"] for f in store.failures()] == sorted(failed)
    assert store.activities_frame()["source_path"].tolist() == [str(good)]


def test_a_failed_file_that_is_fixed_imports_and_leaves_the_failure_list(tmp_path, store, oslo_config):
    path = _write(tmp_path / "in", "run.gpx", b"<gpx><trk><trkseg><trkpt")
    import_paths(store, [path], athlete="ana", config=oslo_config)
    assert len(store.failures()) == 1

    path.write_bytes(gpx_bytes(run_points(utc(2026, 5, 4, 6))))
    result = import_paths(store, [path], athlete="ana", config=oslo_config)

    assert result.counts()["added"] == 1
    assert store.failures() == []


def test_the_same_run_as_gpx_then_fit_keeps_the_fit(tmp_path, store, oslo_config):
    points = run_points(utc(2026, 5, 4, 6), km=6)
    _write(tmp_path / "a", "run.gpx", gpx_bytes(points))
    _write(tmp_path / "b", "run.fit", fit_bytes(points))

    first = import_paths(store, [tmp_path / "a"], athlete="ana", config=oslo_config)
    second = import_paths(store, [tmp_path / "b"], athlete="ana", config=oslo_config)

    assert first.counts()["added"] == 1
    assert second.counts()["duplicate"] == 1
    assert "kept this richer FIT" in second.of("duplicate")[0].reason
    assert store.activities_frame()["format"].tolist() == ["fit"]


def test_the_same_run_as_fit_then_gpx_keeps_the_fit(tmp_path, store, oslo_config):
    points = run_points(utc(2026, 5, 4, 6), km=6)
    _write(tmp_path / "a", "run.fit", fit_bytes(points))
    _write(tmp_path / "b", "run.gpx", gpx_bytes(points))

    import_paths(store, [tmp_path / "a"], athlete="ana", config=oslo_config)
    second = import_paths(store, [tmp_path / "b"], athlete="ana", config=oslo_config)

    assert second.counts()["duplicate"] == 1
    assert "which is kept" in second.of("duplicate")[0].reason
    assert store.activities_frame()["format"].tolist() == ["fit"]


def test_two_runs_starting_together_but_of_different_length_are_both_kept(tmp_path, store, oslo_config):
    _write(tmp_path / "in", "a.gpx", gpx_bytes(run_points(utc(2026, 5, 4, 6), km=5)))
    _write(tmp_path / "in", "b.tcx", tcx_bytes(run_points(utc(2026, 5, 4, 6), km=6)))

    result = import_paths(store, [tmp_path / "in"], athlete="ana", config=oslo_config)

    assert result.counts()["added"] == 2


def test_the_same_run_for_two_athletes_is_not_a_duplicate(tmp_path, store, oslo_config):
    points = run_points(utc(2026, 5, 4, 6))
    _write(tmp_path / "team" / "ana", "run.gpx", gpx_bytes(points))
    _write(tmp_path / "team" / "ben", "run.tcx", tcx_bytes(points))

    result = import_paths(store, [tmp_path / "team"], team=True, config=oslo_config)

    assert result.counts()["added"] == 2
    assert store.athlete_names() == ["ana", "ben"]


def test_cycling_is_kept_but_never_counts_as_running(tmp_path, store, oslo_config):
    _write(tmp_path / "in", "ride.gpx", gpx_bytes(run_points(utc(2026, 5, 4, 6), speed_mps=8), sport="cycling"))

    result = import_paths(store, [tmp_path / "in"], athlete="ana", config=oslo_config)

    assert result.counts()["non-running"] == 1
    assert not store.activities_frame()["running"].any()


def test_a_track_without_timestamps_is_skipped_not_failed(tmp_path, store, oslo_config):
    _write(tmp_path / "in", "plan.gpx", gpx_bytes(run_points(utc(2026, 5, 4, 6)), with_time=False))

    result = import_paths(store, [tmp_path / "in"], athlete="ana", config=oslo_config)

    assert result.counts()["skipped"] == 1 and not result.failed
    assert "time" in result.of("skipped")[0].reason


def test_an_interrupted_write_leaves_nothing_half_written(tmp_path, oslo_config, monkeypatch):
    """A failure inside the file's transaction (as a kill would) rolls back every row of it."""
    db = tmp_path / "s.db"
    _write(tmp_path / "in", "a.gpx", gpx_bytes(run_points(utc(2026, 5, 4, 6))))
    store = Store.open(db)
    original = Store._insert

    def insert_then_die(self, connection, activity):
        original(self, connection, activity)
        raise KeyboardInterrupt  # after the activity row, before the stream and file rows commit

    monkeypatch.setattr(Store, "_insert", insert_then_die)
    try:
        import_paths(store, [tmp_path / "in"], athlete="ana", config=oslo_config)
    except KeyboardInterrupt:
        pass
    monkeypatch.setattr(Store, "_insert", original)

    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT COUNT(*) FROM activities").fetchone()[0] == 0
        assert raw.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 0
    result = import_paths(store, [tmp_path / "in"], athlete="ana", config=oslo_config)
    assert result.counts()["added"] == 1
    store.close()


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(["a.gpx", "b.tcx", "c.fit", "d.gpx"]))
def test_import_order_does_not_change_what_is_stored(tmp_path_factory, order, oslo_config):
    """Whatever order files arrive in, the store ends with the same activities (richest kept)."""
    base = tmp_path_factory.mktemp("order")
    same = run_points(utc(2026, 5, 4, 6), km=4)
    files = {"a.gpx": gpx_bytes(same), "b.tcx": tcx_bytes(same), "c.fit": fit_bytes(same),
             "d.gpx": gpx_bytes(run_points(utc(2026, 5, 6, 6), km=7))}
    with Store.open(base / "s.db") as store:
        for name in order:
            import_paths(store, [_write(base, name, files[name])], athlete="ana", config=oslo_config)
        frame = store.activities_frame()
    assert sorted(frame["format"]) == ["fit", "gpx"]
    assert sorted(frame["local_date"]) == ["2026-05-04", "2026-05-06"]
