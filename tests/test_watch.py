"""The folder watcher, for real: a watchdog observer on a temp folder, files written into it.

Every wait polls the store (through its own connection, as another terminal would)
until a deadline; the settle time is 0.2 s so the whole module runs in seconds.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from files import fit_bytes, gpx_bytes, run_points, tcx_bytes, utc

from strideload.config import parse_config
from strideload.ingest import watch as watch_module
from strideload.ingest.importer import import_source
from strideload.ingest.scan import path_sources
from strideload.ingest.watch import BatchResult, Watcher, watch
from strideload.store import Store

SETTLE_S = 0.2
DEADLINE_S = 60.0  # generous: a loaded machine is slow, and every wait ends as soon as it can
CONFIG = parse_config({"settings": {"timezone": "Europe/Oslo", "watch_settle_s": SETTLE_S,
                                    "watch_poll_interval_s": 0.1, "watch_batch_max_wait_s": 5.0}})


def _gpx(day: int, km: float = 3.0) -> bytes:
    return gpx_bytes(run_points(utc(2026, 3, 1, 6) + timedelta(days=day), km=km))


def wait_until(check: Callable[[], object], what: str, timeout: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Running:
    """A watcher running in a thread, its batches, and a separate connection to read the store."""

    def __init__(self, watcher: Watcher, reader: Store):
        self.watcher, self.reader = watcher, reader
        self.batches: list[BatchResult] = []

    def activities(self) -> int:
        return len(self.reader.activities_frame())

    def outcomes(self, status: str) -> list:
        return [o for batch in list(self.batches) for o in batch.result.of(status)]

    def wait_for_activities(self, count: int) -> None:
        """Wait until ``count`` activities are in the store and their batches were reported."""
        wait_until(lambda: self.activities() >= count and len(self.outcomes("added")) >= count,
                   f"{count} activities")
        assert self.activities() == count

    def quiet(self) -> None:
        """Wait until no file is pending and a few settle times passed without a new batch."""
        seen = -1
        while seen != len(self.batches):
            seen = len(self.batches)
            wait_until(lambda: not self.watcher._pending, "pending files to be imported")
            time.sleep(4 * SETTLE_S)


@contextmanager
def running(folder: Path, tmp_path: Path, **options) -> Iterator[Running]:
    db = tmp_path / "watch.db"
    stop = threading.Event()
    with Store.open(db) as store, Store.open(db) as reader:
        state: Running
        watcher = Watcher(store, [folder], config=CONFIG, stop=stop,
                          on_batch=lambda batch: state.batches.append(batch), **options)
        state = Running(watcher, reader)
        errors: list[BaseException] = []

        def target() -> None:
            try:
                watcher.run()
            except BaseException as exc:  # surfaced in the test below, not lost in the thread
                errors.append(exc)

        thread = threading.Thread(target=target, daemon=True)
        with watcher:  # observing before the test writes anything
            thread.start()
            try:
                yield state
            finally:
                stop.set()
                thread.join(timeout=10)
        assert not thread.is_alive(), "the watcher did not stop within 10 s"
        assert not errors, errors


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "Sync" / "watch"
    path.mkdir(parents=True)
    return path


def test_files_already_there_are_imported_on_start(folder, tmp_path):
    (folder / "a.gpx").write_bytes(_gpx(0))
    (folder / "sub").mkdir()
    (folder / "sub" / "b.tcx").write_bytes(tcx_bytes(run_points(utc(2026, 3, 2, 6), km=4)))
    with running(folder, tmp_path) as watcher:
        watcher.wait_for_activities(2)
        assert watcher.batches[0].files == 2
        assert watcher.watcher.summary.observer == "native"


def test_a_slow_chunked_copy_is_read_once_after_it_completes(folder, tmp_path):
    data = fit_bytes(run_points(utc(2026, 3, 3, 6), km=5))
    with running(folder, tmp_path, settle_s=1.0) as watcher:
        target = folder / "long-run.fit"
        size = len(data) // 6 + 1
        with target.open("wb") as out:
            for start in range(0, len(data), size):  # each pause well under the settle time: still copying
                out.write(data[start:start + size])
                out.flush()
                time.sleep(0.2)
                assert watcher.activities() == 0 and not watcher.batches, "read before the copy finished"
        watcher.wait_for_activities(1)
        watcher.quiet()
        assert len(watcher.outcomes("added")) == 1
        assert watcher.outcomes("failed") == [] and watcher.reader.failures() == []


def test_a_burst_of_files_is_imported_in_few_batches_each_activity_once(folder, tmp_path):
    payloads = [_gpx(day, km=1.0 + day % 3) for day in range(50)]
    with running(folder, tmp_path) as watcher:
        for day, data in enumerate(payloads):
            (folder / f"run-{day:02d}.gpx").write_bytes(data)
        watcher.wait_for_activities(50)
        watcher.quiet()
        assert len(watcher.batches) <= 3
        assert len(watcher.outcomes("added")) == 50
        assert watcher.reader.activities_frame()["sha256"].is_unique


def test_a_bulk_export_larger_than_a_batch_is_split(folder, tmp_path, monkeypatch):
    config = parse_config({"settings": {**CONFIG.values, "watch_batch_max_files": 4}})
    for day in range(10):
        (folder / f"run-{day:02d}.gpx").write_bytes(_gpx(day))
    batches: list[BatchResult] = []
    with Store.open(tmp_path / "w.db") as store:
        summary = watch(store, [folder], config=config, once=True, on_batch=batches.append)
        assert [b.files for b in batches] == [4, 4, 2]
        assert summary.counts["added"] == 10 and len(store.activities_frame()) == 10


def test_a_renamed_or_moved_file_adds_nothing(folder, tmp_path):
    (folder / "a.gpx").write_bytes(_gpx(0))
    with running(folder, tmp_path) as watcher:
        watcher.wait_for_activities(1)
        (folder / "a.gpx").rename(folder / "renamed.gpx")
        (folder / "archive").mkdir()
        (folder / "renamed.gpx").rename(folder / "archive" / "moved.gpx")
        wait_until(lambda: len(watcher.outcomes("duplicate")) >= 1, "the moved file to be seen")
        watcher.quiet()
        assert watcher.activities() == 1 and len(watcher.outcomes("added")) == 1
        assert all("already imported" in o.reason for o in watcher.outcomes("duplicate"))


def test_a_deleted_file_leaves_its_activity(folder, tmp_path):
    (folder / "a.gpx").write_bytes(_gpx(0))
    with running(folder, tmp_path) as watcher:
        watcher.wait_for_activities(1)
        (folder / "a.gpx").unlink()
        (folder / "b.gpx").write_bytes(_gpx(1))  # a later file proves the watcher went on
        watcher.wait_for_activities(2)
        watcher.quiet()
        assert watcher.activities() == 2


def test_a_corrupt_file_is_reported_once_and_retried_only_when_it_changes(folder, tmp_path):
    bad = folder / "broken.gpx"
    with running(folder, tmp_path) as watcher:
        bad.write_bytes(b"<gpx><trk>cut off")
        wait_until(lambda: watcher.outcomes("failed"), "the failure")
        bad.write_bytes(b"<gpx><trk>cut off")  # written again, same bytes: not read again
        (folder / "ok.gpx").write_bytes(_gpx(2))
        watcher.wait_for_activities(1)
        watcher.quiet()
        assert len(watcher.outcomes("failed")) == 1
        assert [p for b in watcher.batches for p in b.passed_over] == [str(bad)]
        assert watcher.reader.failure(str(bad)) is not None

        bad.write_bytes(_gpx(3))  # fixed: new bytes are read, and the failure is cleared
        watcher.wait_for_activities(2)
        assert watcher.reader.failure(str(bad)) is None


def test_a_known_failure_is_not_reported_again_on_the_next_start(folder, tmp_path):
    (folder / "broken.tcx").write_bytes(b"<TrainingCenterDatabase>")
    with Store.open(tmp_path / "w.db") as store:
        first = watch(store, [folder], config=CONFIG, once=True)
        second = watch(store, [folder], config=CONFIG, once=True)
    assert first.failed == 1 and second.failed == 0


def test_partial_and_hidden_names_are_ignored(folder, tmp_path):
    with running(folder, tmp_path) as watcher:
        (folder / "a.gpx.part").write_bytes(_gpx(0))
        (folder / "b.fit.crdownload").write_bytes(fit_bytes(run_points(utc(2026, 3, 2, 6), km=3)))
        (folder / "~$c.gpx").write_bytes(_gpx(2))
        (folder / ".d.gpx").write_bytes(_gpx(3))
        (folder / ".stversions").mkdir()
        (folder / ".stversions" / "e.gpx").write_bytes(_gpx(4))
        (folder / "f.gpx").write_bytes(_gpx(5))  # the one real file
        watcher.wait_for_activities(1)
        watcher.quiet()
        assert watcher.activities() == 1 and watcher.batches[0].files == 1

        (folder / "a.gpx.part").rename(folder / "a.gpx")  # the download finished
        watcher.wait_for_activities(2)


def test_team_athletes_are_the_sub_folders(tmp_path):
    team = tmp_path / "team"
    (team / "ana").mkdir(parents=True)
    (team / "ana" / "a.gpx").write_bytes(_gpx(0))
    (team / "loose.gpx").write_bytes(_gpx(1))  # not in an athlete's folder: ignored
    with running(team, tmp_path, team=True) as watcher:
        watcher.wait_for_activities(1)
        (team / "ben" / "2026").mkdir(parents=True)  # a new athlete appears
        (team / "ben" / "2026" / "b.gpx").write_bytes(_gpx(2))
        watcher.wait_for_activities(2)
        watcher.quiet()
        assert sorted(watcher.reader.athlete_names()) == ["ana", "ben"]
        assert [b.athletes for b in watcher.batches] == [["ana"], ["ben"]]


def test_new_flags_are_only_those_the_batch_brings(folder, tmp_path):
    # A month of easy runs (a spike needs the 30 days before a run on record), then a long one.
    for day in range(6):
        (folder / f"easy-{day}.gpx").write_bytes(_gpx(day * 6, km=4.0))
    with running(folder, tmp_path) as watcher:
        watcher.wait_for_activities(6)
        before = len(watcher.batches)
        (folder / "long.gpx").write_bytes(_gpx(33, km=8.0))
        watcher.wait_for_activities(7)
        watcher.quiet()
        new = watcher.batches[before].new_flags
        assert "session_spike" in set(new["kind"])
        assert all(new["date"].astype(str).str[:10] >= "2026-04-03")
        assert "longer than your longest run" in new[new["kind"] == "session_spike"]["message"].iloc[0]


def test_polling_when_asked(folder, tmp_path):
    with running(folder, tmp_path, poll=True) as watcher:
        assert watcher.watcher.summary.observer == "polling"
        (folder / "a.gpx").write_bytes(_gpx(0))
        watcher.wait_for_activities(1)


def test_polling_when_native_events_cannot_start(folder, tmp_path, monkeypatch):
    class Broken:
        def schedule(self, *args, **kwargs):
            raise OSError(28, "inotify watch limit reached")

        def stop(self):
            pass

        def is_alive(self):
            return False

    monkeypatch.setattr(watch_module, "native_observer", Broken)
    with running(folder, tmp_path) as watcher:
        assert watcher.watcher.summary.observer == "polling"
        assert "inotify watch limit reached" in watcher.watcher.summary.fallback
        (folder / "a.gpx").write_bytes(_gpx(0))
        watcher.wait_for_activities(1)


def test_once_leaves_a_file_that_keeps_changing_for_the_next_run(folder, tmp_path):
    config = parse_config({"settings": {**CONFIG.values, "watch_batch_max_wait_s": 0.6}})
    (folder / "done.gpx").write_bytes(_gpx(0))
    growing = folder / "growing.gpx"
    stop = threading.Event()

    def keep_writing() -> None:
        with growing.open("wb") as out:
            while not stop.wait(0.05):
                out.write(b" ")
                out.flush()

    writer = threading.Thread(target=keep_writing, daemon=True)
    writer.start()
    try:
        with Store.open(tmp_path / "w.db") as store:  # written every 0.05 s: never settles in 1 s
            summary = watch(store, [folder], config=config, once=True, settle_s=1.0)
            assert len(store.activities_frame()) == 1
    finally:
        stop.set()
        writer.join(timeout=5)
    assert summary.unsettled == [str(growing)] and summary.failed == 0


def test_a_strava_export_unpacked_in_the_folder_keeps_its_names(folder, tmp_path):
    export = folder / "export_1234"
    (export / "activities").mkdir(parents=True)
    (export / "activities" / "99.gpx").write_bytes(_gpx(0))
    (export / "activities.csv").write_text("Activity ID,Activity Name,Activity Type,Filename\n"
                                           "99,Hill reps,Run,activities/99.gpx\n", encoding="utf-8")
    with Store.open(tmp_path / "w.db") as store:
        watch(store, [folder], config=CONFIG, once=True)
        assert store.activities_frame()["name"].tolist() == ["Hill reps"]


def test_stop_ends_a_batch_between_files(folder, tmp_path):
    for day in range(5):
        (folder / f"run-{day}.gpx").write_bytes(_gpx(day))
    stop = threading.Event()
    seen: list[str] = []

    def progress(event) -> None:
        if event.path:
            seen.append(event.path)
            stop.set()  # as a signal handler would, in the middle of the batch

    batches: list[BatchResult] = []
    with Store.open(tmp_path / "w.db") as store:
        watch(store, [folder], config=CONFIG, stop=stop, on_progress=progress, on_batch=batches.append)
        assert len(store.activities_frame()) == 1
    assert batches[0].interrupted and batches[0].files == 1


# -- import_source(retry_failed=False) ---------------------------------------------------------

def test_import_source_passes_over_a_known_failure_until_its_bytes_change(store, tmp_path):
    path = tmp_path / "bad.gpx"
    path.write_bytes(b"not xml at all")

    def once(**kwargs):
        [source] = path_sources(path, "ana", 1 << 20, 1)
        return import_source(store, source, CONFIG, **kwargs)

    assert once(retry_failed=False)[0].status == "failed"  # first time: read and reported
    assert once(retry_failed=False) == []  # same bytes: passed over
    assert once()[0].status == "failed"  # the default retries, as `strideload import` always did
    path.write_bytes(_gpx(0))
    assert once(retry_failed=False)[0].status == "added"
    assert store.failure(str(path)) is None


def test_import_source_remembers_a_broken_gzip_by_its_bytes(store, tmp_path):
    path = tmp_path / "run.gpx.gz"
    path.write_bytes(b"\x1f\x8b" + os.urandom(64))
    [source] = path_sources(path, "ana", 1 << 20, 1)
    assert import_source(store, source, CONFIG, retry_failed=False)[0].status == "failed"
    assert store.failure(str(path))["sha256"] is not None
    assert import_source(store, source, CONFIG, retry_failed=False) == []


def test_a_pain_log_dropped_in_the_folder_is_imported_and_rebuilds_its_athlete(folder, tmp_path):
    with running(folder, tmp_path, athlete="ana") as watcher:
        (folder / "a.gpx").write_bytes(_gpx(0))
        watcher.wait_for_activities(1)
        (folder / "pain.csv").write_text("date,time,score,when,side,note\n2026-03-02,07:00,3,next-morning,right,\n")
        wait_until(lambda: len(watcher.reader.pain_frame("ana")) == 1, "the pain entry")
        wait_until(lambda: any(b.result.pain for b in watcher.batches), "the pain batch")
        batch = next(b for b in watcher.batches if b.result.pain)
        assert batch.result.pain[0].added == 1 and batch.athletes == ["ana"]
