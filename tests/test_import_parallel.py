"""Parallel import: worker processes read and decode, one process writes; the store comes out
the same as a serial import, a worker that dies fails only its file, and a folder imported
before is known from its files' size and modification time without reading them."""

from __future__ import annotations

import logging
import os
import signal
import threading
from multiprocessing import forkserver

import pandas as pd
import pytest
from files import gpx_bytes, run_points, utc
from fitbuild import run_fit

from strideload.config import parse_config
from strideload.ingest import executors, work
from strideload.ingest.executors import Alongside, Processes, Ready, Serial, _each, choose
from strideload.ingest.importer import import_paths
from strideload.store import Store

_real_process = work.process  # captured before any test replaces it


def crash_on_crash_files(task):
    """A worker that dies (SIGKILL, as a segfault or the OOM killer would) on files named crash*."""
    if os.path.basename(task.display_path).startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)
    return _real_process(task)


def never_read(task):
    raise AssertionError(f"{task.display_path} was read again")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Twelve runs on twelve days: FIT files (some gzipped) and GPX."""
    folder = tmp_path_factory.mktemp("exports")
    for i in range(12):
        points = run_points(utc(2026, 3, 2 + i, 6), km=1 + i % 3)
        if i % 3 == 2:
            (folder / f"run{i:02d}.gpx").write_bytes(gpx_bytes(points))
        else:
            (folder / f"run{i:02d}.fit").write_bytes(run_fit(points))
    return folder


@pytest.fixture
def parallel_config():
    """Every import parallel, however small (the default keeps tiny imports in one process)."""
    return parse_config({"settings": {"parallel_min_bytes": 0, "timezone": "Europe/Oslo"}})


def _snapshot(store: Store) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    frame = store.activities_frame().drop(columns=[]).sort_values("id").reset_index(drop=True)
    return frame, {activity_id: store.stream(activity_id) for activity_id in frame["id"]}


def test_the_executor_is_chosen_in_one_place():
    assert isinstance(choose(1), Serial)
    assert isinstance(choose(2, total_bytes=10, min_parallel_bytes=1000), Serial)
    pool = choose(2, total_bytes=10_000, min_parallel_bytes=1000)
    assert isinstance(pool, Processes) and pool.workers == 2
    pool.close()


class Sized:
    def __init__(self, name: str, size: int):
        self.name, self.size = name, size

    def __repr__(self) -> str:
        return self.name


def test_small_files_go_to_a_worker_in_chunks_in_their_order():
    pool = Processes.__new__(Processes)  # the chunking alone: no pool started
    pool.chunk_items, pool.chunk_bytes = 3, 100
    items = [Sized("a", 10), Sized("b", 10), Sized("c", 10), Sized("d", 10), Ready("known"), Sized("e", 500),
             Sized("f", 60), Sized("g", 60), Sized("h", 10)]
    chunks = [[getattr(item, "name", "ready") for item in chunk] for chunk in pool._chunks(items)]
    # three at most; a known file alone and never sent; past a chunk's first file, 100 bytes at most
    assert chunks == [["a", "b", "c"], ["d"], ["ready"], ["e", "f"], ["g", "h"]]


def test_an_error_escaping_one_item_of_a_chunk_is_that_items_result_alone():
    def invert(x):
        return 1 / x

    results = _each(invert, [1, 0, 4])
    assert results[0] == 1 and isinstance(results[1], ZeroDivisionError) and results[2] == 0.25


def test_two_workers_write_the_same_store_as_one_process(tmp_path, folder, parallel_config):
    with Store.open(tmp_path / "serial.db") as serial, Store.open(tmp_path / "parallel.db") as parallel:
        one = import_paths(serial, [folder], athlete="ana", config=parallel_config, jobs=1)
        two = import_paths(parallel, [folder], athlete="ana", config=parallel_config, jobs=2)
        assert one.counts() == two.counts() == {"added": 12, "non-running": 0, "duplicate": 0, "skipped": 0,
                                                "deleted": 0, "failed": 0}
        assert [(o.path, o.status, o.records) for o in one.outcomes] == \
            [(o.path, o.status, o.records) for o in two.outcomes]  # in the files' order, both ways
        (frame_one, streams_one), (frame_two, streams_two) = _snapshot(serial), _snapshot(parallel)
    pd.testing.assert_frame_equal(frame_one, frame_two)
    for activity_id, stream in streams_one.items():
        pd.testing.assert_frame_equal(stream, streams_two[activity_id])


def test_while_workers_read_the_importing_process_gets_on_with_what_comes_next(tmp_path, folder,
                                                                              parallel_config):
    calls = []

    def next_thing():
        calls.append(threading.current_thread() is threading.main_thread())

    with Store.open(tmp_path / "two.db") as two, Store.open(tmp_path / "one.db") as one:
        result = import_paths(two, [folder], athlete="ana", config=parallel_config, jobs=2, meanwhile=next_thing)
        assert calls == [False]  # once, in a thread of its own, over when the import returns
        assert result.counts()["added"] == 12
        import_paths(two, [folder], athlete="ana", config=parallel_config, jobs=2, meanwhile=next_thing)
        assert calls == [False]  # every file known: nothing read, no head start to give
        import_paths(one, [folder], athlete="ana", config=parallel_config, jobs=1, meanwhile=next_thing)
        assert calls == [False]  # reading here: no thread competes with it


def test_work_alongside_the_workers_never_fails_the_import(caplog):
    def broken():
        raise RuntimeError("head start failed")

    with caplog.at_level(logging.DEBUG, logger="strideload.ingest.executors"):
        pool = Processes(1)
        try:
            with Alongside(pool, broken) as aside:
                assert list(pool.run(_double, aside.with_work([Ready(0), 2, 3]))) == [(Ready(0), 0), (2, 4), (3, 6)]
        finally:
            pool.close()
    [logged] = [r for r in caplog.records if "alongside" in r.getMessage()]  # started once
    assert "head start failed" in caplog.text
    ran = []
    with Alongside(Serial(), lambda: ran.append(1)) as here, Alongside(pool, None) as nothing:
        assert list(here.with_work([1, 2])) == [1, 2] and list(nothing.with_work([3])) == [3]
    assert ran == []


def _double(x):
    return 2 * x


def test_warm_up_starts_the_fork_server_only_when_workers_may_read():
    server = forkserver._forkserver
    if server._forkserver_pid is not None:
        server._stop()
    executors.warm_up(jobs=1)
    executors.warm_up(jobs=4, scheduler="local")
    assert server._forkserver_pid is None
    executors.warm_up(jobs=2)
    assert server._forkserver_pid is not None
    pool = Processes(2)  # its workers come from the server started early
    try:
        assert [result for _, result in pool.run(_double, [1, 2, 3])] == [2, 4, 6]
        assert server._forkserver_pid is not None
    finally:
        pool.close()


def test_a_worker_that_dies_fails_only_its_file(tmp_path, folder, parallel_config, monkeypatch):
    (folder.parent / "with-crash").mkdir(exist_ok=True)
    crashing = folder.parent / "with-crash"
    for path in sorted(folder.iterdir())[:5]:
        (crashing / path.name).write_bytes(path.read_bytes())
    (crashing / "crash.fit").write_bytes((folder / "run00.fit").read_bytes())
    monkeypatch.setattr(work, "process", crash_on_crash_files)
    with Store.open(tmp_path / "s.db") as store:
        result = import_paths(store, [crashing], athlete="ana", config=parallel_config, jobs=2)
        assert result.counts()["added"] == 5
        [failed] = result.failed
        assert failed.path.endswith("crash.fit") and "worker process died" in failed.reason
        assert store.failures()[0]["source_path"] == failed.path


def test_a_known_folder_is_not_read_again_until_a_file_changes(tmp_path, folder, oslo_config, monkeypatch):
    with Store.open(tmp_path / "s.db") as store:
        import_paths(store, [folder], athlete="ana", config=oslo_config, jobs=1)
        monkeypatch.setattr(work, "process", never_read)
        again = import_paths(store, [folder], athlete="ana", config=oslo_config, jobs=1)
        assert again.counts()["duplicate"] == 12
        assert {o.reason for o in again.outcomes} == {"already imported"}

        changed = folder / "run00.fit"
        data = changed.read_bytes()
        changed.write_bytes(data)  # same bytes, new modification time: read, hashed, known
        os.utime(changed, ns=(1, 1))
        monkeypatch.setattr(work, "process", _real_process)
        touched = import_paths(store, [folder], athlete="ana", config=oslo_config, jobs=1)
        assert touched.counts()["duplicate"] == 12
        monkeypatch.setattr(work, "process", never_read)
        assert import_paths(store, [folder], athlete="ana", config=oslo_config, jobs=1).counts()["duplicate"] == 12


def endless_on_slow_files(task):
    """A worker whose decoder never ends on files named slow* (as on hostile bytes)."""
    from strideload.ingest import fit_columnar

    real_scan = fit_columnar._scan

    def endless(*args, **kwargs):
        while True:
            sum(range(1000))

    if os.path.basename(task.display_path).startswith("slow"):
        fit_columnar._scan = endless
    try:
        return _real_process(task)
    finally:
        fit_columnar._scan = real_scan


def test_the_time_budget_bounds_a_file_inside_a_worker_process(tmp_path, folder, monkeypatch):
    slow = tmp_path / "with-slow"
    slow.mkdir()
    for path in sorted(folder.glob("*.fit"))[:3]:
        (slow / path.name).write_bytes(path.read_bytes())
    (slow / "slow.fit").write_bytes((folder / "run04.fit").read_bytes())
    config = parse_config({"settings": {"parallel_min_bytes": 0, "max_file_seconds": 2.0}})
    monkeypatch.setattr(work, "process", endless_on_slow_files)
    with Store.open(tmp_path / "s.db") as store:
        result = import_paths(store, [slow], athlete="ana", config=config, jobs=2)
    [failed] = result.failed
    assert failed.path.endswith("slow.fit")
    assert failed.reason == "took longer than 2 s to read (setting max_file_seconds)"
    assert result.counts()["added"] == 3


def test_ctrl_c_stops_the_workers_and_keeps_what_was_written(tmp_path, folder, parallel_config, monkeypatch):
    from strideload.ingest import importer

    original, calls = importer.write_result, []

    def stop_at_the_fourth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(importer, "write_result", stop_at_the_fourth)
    with Store.open(tmp_path / "s.db") as store:
        with pytest.raises(importer.ImportInterrupted) as stopped:
            import_paths(store, [folder], athlete="ana", config=parallel_config, jobs=2)
        assert len(stopped.value.result.outcomes) == 3 and len(store.activities_frame()) == 3
        monkeypatch.setattr(importer, "write_result", original)
        again = import_paths(store, [folder], athlete="ana", config=parallel_config, jobs=2)
        assert again.counts()["added"] == 9 and again.counts()["duplicate"] == 3


def test_a_known_file_is_not_even_opened_to_look_for_a_zip(tmp_path, folder, oslo_config, monkeypatch):
    from strideload.ingest import scan

    def never_opened(path):
        raise AssertionError(f"{path} was opened")

    with Store.open(tmp_path / "s.db") as store:
        import_paths(store, [folder], athlete="ana", config=oslo_config, jobs=1)
        monkeypatch.setattr(scan, "open_regular", never_opened)
        monkeypatch.setattr(work, "process", never_read)
        again = import_paths(store, [folder], athlete="ana", config=oslo_config, jobs=1)
    assert again.counts()["duplicate"] == 12 and not again.failed
