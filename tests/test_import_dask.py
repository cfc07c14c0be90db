"""Import on a Dask cluster: workers that share the folder read and decode, this process writes.

Runs against a real ``LocalCluster`` of two worker processes; skipped when Dask (the
optional ``strideload[dask]`` extra) is not installed.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pandas as pd
import pytest
from files import gpx_bytes, run_points, utc
from fitbuild import run_fit

from strideload.config import parse_config
from strideload.ingest import work
from strideload.ingest.importer import import_paths
from strideload.store import Store

distributed = pytest.importorskip("dask.distributed",
                                  reason="Dask is an optional extra: pip install 'strideload[dask]'")
cloudpickle = pytest.importorskip("cloudpickle")
cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers need not import this test module

CONFIG = parse_config({"settings": {"timezone": "Europe/Oslo"}})


def slow_process(task):
    """The real worker, slowed down so that a worker can be killed while files are in flight."""
    time.sleep(0.3)
    return work.process(task)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shared-exports")
    for i in range(10):
        points = run_points(utc(2026, 4, 1 + i, 6), km=1 + i % 2)
        name, data = (f"run{i}.gpx", gpx_bytes(points)) if i % 4 == 3 else (f"run{i}.fit", run_fit(points))
        (folder / name).write_bytes(data)
    return folder


def _frame(store: Store) -> pd.DataFrame:
    return store.activities_frame().sort_values("id").reset_index(drop=True)


def test_a_dask_cluster_writes_the_same_store_as_the_local_path(tmp_path, folder, cluster):
    with Store.open(tmp_path / "local.db") as local, Store.open(tmp_path / "dask.db") as remote:
        here = import_paths(local, [folder], athlete="ana", config=CONFIG, jobs=1)
        there = import_paths(remote, [folder], athlete="ana", config=CONFIG, scheduler=cluster.scheduler_address)
        assert here.counts() == there.counts() and here.counts()["added"] == 10
        pd.testing.assert_frame_equal(_frame(local), _frame(remote))
        for activity_id in _frame(local)["id"]:
            pd.testing.assert_frame_equal(local.stream(activity_id), remote.stream(activity_id))


def test_a_worker_killed_mid_run_loses_nothing(tmp_path, folder, cluster, monkeypatch):
    monkeypatch.setattr(work, "process", slow_process)
    done: list[str] = []
    client = distributed.Client(cluster)
    victim = next(iter(client.run(os.getpid).values()))

    def kill_after_two() -> None:
        while len(done) < 2:
            time.sleep(0.05)
        os.kill(victim, signal.SIGKILL)

    killer = threading.Thread(target=kill_after_two, daemon=True)
    killer.start()
    with Store.open(tmp_path / "killed.db") as store:
        result = import_paths(store, [folder], athlete="ana", config=CONFIG, scheduler=cluster.scheduler_address,
                              on_progress=lambda event: done.append(event.path))
        killer.join(timeout=30)
        assert not killer.is_alive(), "the worker was never killed"
        assert result.counts()["added"] == 10 and not result.failed
        assert len(store.activities_frame()) == 10
    client.close()
