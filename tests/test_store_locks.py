"""One watcher per store: a second one on the same store says who is already watching,
instead of importing the same files and announcing the same runs and flags twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from strideload.cli.main import cli
from strideload.ingest.watch import Watcher
from strideload.store import Store
from strideload.store.locks import LockHeld


def test_a_second_watcher_on_the_same_store_is_refused_with_who_holds_it(tmp_path):
    folder = tmp_path / "sync"
    folder.mkdir()
    with Store.open(tmp_path / "s.db") as store, store.lock("watch", folders=["~/Sync/watch-exports"]):
        with pytest.raises(LockHeld, match=rf"pid {os.getpid()}, since .*~/Sync/watch-exports"):
            Watcher(store, [folder], athlete="ana", once=True).run()
    with Store.open(tmp_path / "s.db") as store:  # released: the next watcher runs
        assert Watcher(store, [folder], athlete="ana", once=True, settle_s=0).run().batches == 0


def test_the_cli_refuses_a_second_long_running_watcher_and_once_has_nothing_to_do(tmp_path):
    folder = tmp_path / "sync"
    folder.mkdir()
    db = tmp_path / "s.db"
    with Store.open(db) as store, store.lock("watch", folders=[str(folder)]):
        busy = CliRunner().invoke(cli, ["watch", str(folder), "--athlete", "ana", "--db", str(db)])
        assert busy.exit_code == 1
        assert "another strideload watch" in busy.output and "Traceback" not in busy.output
        once = CliRunner().invoke(cli, ["watch", str(folder), "--athlete", "ana", "--once", "--db", str(db)])
        assert once.exit_code == 0
        assert once.output.startswith("Nothing to do: another strideload watch")


def test_a_killed_watcher_leaves_no_stale_lock(tmp_path):
    db = tmp_path / "s.db"
    Store.open(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom strideload.store import Store\n"
         "store = Store.open(sys.argv[1])\nwith store.lock('watch', folders=['x']):\n"
         "    print('held', flush=True)\n    time.sleep(600)\n", str(db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with Store.open(db) as store:
            with pytest.raises(LockHeld, match=f"pid {holder.pid}"), store.lock("watch"):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        deadline = time.monotonic() + 10
        with Store.open(db) as store:
            while True:  # the kernel drops a dead process's locks at once; allow for a slow machine
                try:
                    with store.lock("watch"):
                        break
                except LockHeld:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
    finally:
        holder.kill()
        holder.wait()
