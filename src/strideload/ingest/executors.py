"""Where import work runs: in this process, in a pool of worker processes, or on a Dask cluster.

One seam, chosen in one place (:func:`choose`): every executor takes a function and an
iterable of items and yields ``(item, result)`` in the items' order, with at most a window
of items in flight (so memory stays bounded however large the folder). A result is what
the function returned, or the exception that stopped it outside the function (a worker
that died). :class:`Ready` items pass through untouched, in order, without running.

Worker processes start from a fork server that has imported the importer and its readers once, so
they start in milliseconds and inherit nothing of the parent's state (open store, threads).
A worker that dies (segfault, killed, out of memory) breaks the pool: the items then in
flight are run again one at a time in a fresh pool, so only the item that kills a worker
fails (:class:`WorkerDied`), and the rest go on.

A pool of processes gets small items in chunks (:data:`CHUNK_ITEMS`, up to :data:`CHUNK_BYTES`):
each submission costs about 0.3 ms of the parent's CPU and as much of a worker's, a tenth of
what reading a small file costs; a chunk pays it once.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError

log = logging.getLogger(__name__)

#: Submissions in flight per worker: enough to keep every worker busy, few enough to bound memory.
WINDOW_PER_WORKER = 4
#: What a worker's first file would import (the readers, Arrow for the stream bytes: about 0.15 s),
#: loaded once by the fork server that every worker process starts from.
WORKER_MODULES = ("strideload.ingest.importer", "strideload.ingest.fit", "strideload.ingest.gpx",
                  "strideload.ingest.tcx", "pyarrow.ipc")
#: A chunk of work sent to a worker process at once: at most this many items...
CHUNK_ITEMS = 4
#: ... and, past its first item, at most this many bytes (``item.size``) of them.
CHUNK_BYTES = 1024**2
PARENT_CHECK_S = 1.0  # how often a worker looks whether the importing process still runs


class WorkerDied(Exception):
    """The worker process running an item died (crashed, was killed, ran out of memory)."""


@dataclass(frozen=True)
class Ready:
    """An item whose result is already known (passed through in order, never run)."""

    value: Any


def cpu_count() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Serial:
    """Run each item here, now: no processes, no pickling."""

    workers = 1

    def run(self, func: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        for item in items:
            yield item, item.value if isinstance(item, Ready) else func(item)

    def close(self) -> None:
        pass


class _Windowed:
    """The shared loop: submit ahead up to the window, collect in order.

    Items go out in chunks of up to ``chunk_items`` (and ``chunk_bytes``): a :class:`Ready` item
    is never sent, and closes the chunk before it, so results come back in the items' order."""

    workers = 1
    chunk_items = 1
    chunk_bytes = 0

    def _submit(self, func: Callable[[Any], Any], items: list[Any]) -> Any:
        """A future of the list of ``items``' results (see :func:`_each`)."""
        raise NotImplementedError

    def _collect(self, func: Callable[[Any], Any], items: list[Any], future: Any,
                 pending: deque[tuple[list[Any], Any]]) -> Iterator[tuple[Any, Any]]:
        """``(item, result)`` of each of ``items`` from their ``future``; what is lost when a
        worker dies is each executor's own (``pending``: the submissions after this one)."""
        raise NotImplementedError

    def run(self, func: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        pending: deque[tuple[list[Any], Any]] = deque()
        window = max(1, self.workers * WINDOW_PER_WORKER)
        for chunk in self._chunks(items):
            ready = isinstance(chunk[0], Ready)
            pending.append((chunk, _done([chunk[0].value]) if ready else self._submit(func, chunk)))
            while len(pending) >= window:
                done, future = pending.popleft()
                yield from self._collect(func, done, future, pending)
        while pending:
            done, future = pending.popleft()
            yield from self._collect(func, done, future, pending)

    def _chunks(self, items: Iterable[Any]) -> Iterator[list[Any]]:
        """``items`` in order, as lists to submit: a :class:`Ready` item alone, the others up to
        ``chunk_items`` together while the chunk's bytes past its first item stay within ``chunk_bytes``."""
        chunk: list[Any] = []
        size = 0
        for item in items:
            if isinstance(item, Ready):
                if chunk:
                    yield chunk
                    chunk, size = [], 0
                yield [item]
                continue
            item_size = getattr(item, "size", 0) or 0
            if chunk and (len(chunk) >= self.chunk_items or size + item_size > self.chunk_bytes):
                yield chunk
                chunk, size = [], 0
            chunk.append(item)
            size += item_size if len(chunk) > 1 else 0
        if chunk:
            yield chunk


def _each(func: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """In a worker: ``func`` of every item, in order; an exception that escaped ``func`` is that
    item's result, and the others still run."""
    results = []
    for item in items:
        try:
            results.append(func(item))
        except Exception as exc:
            results.append(exc)
    return results


def _start_worker(parent_pid: int) -> None:
    """In a worker: Ctrl-C is the parent's to handle (it stops the import and shuts the pool);
    a worker that took it too would die with a traceback on the terminal. And a worker ends
    when the importing process is gone (``kill -9``): it would otherwise wait for work forever,
    and keep the fork server alive with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with, args=(parent_pid,), name="strideload-parent-watch", daemon=True).start()


def _end_with(parent_pid: int, every_s: float = PARENT_CHECK_S) -> None:
    """Exit this process as soon as ``parent_pid`` no longer runs (checked every ``every_s`` s)."""
    while True:
        time.sleep(every_s)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # alive, owned by someone else (cannot happen for our parent)
            pass


def _forkserver() -> multiprocessing.context.BaseContext:
    """The start method of worker processes: forked from a server process that imported
    :data:`WORKER_MODULES` (one per importing process, started with its first worker)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_MODULES))
    return context


def warm_up(jobs: int | None = None, scheduler: str | None = None) -> None:
    """Start the worker processes' fork server now, when an import may read in workers: it
    imports the readers (about 0.4 s) while this process loads the rest. Call it first thing.

    It costs a process that imports and ends with this one, when the import turns out to run in
    this process (a folder under ``parallel_min_bytes``, or nothing new to read)."""
    if scheduler or (jobs or cpu_count()) < 2:
        return
    from multiprocessing import forkserver

    _forkserver()  # the server's preload list
    forkserver.ensure_running()


def _done(value: Any) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


class Processes(_Windowed):
    """A pool of ``workers`` processes on this machine."""

    chunk_items = CHUNK_ITEMS
    chunk_bytes = CHUNK_BYTES

    def __init__(self, workers: int):
        self.workers = workers
        self._context = _forkserver()
        self._pool = self._new_pool(workers)

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=self._context, initializer=_start_worker,
                                   initargs=(os.getpid(),))

    def _submit(self, func: Callable[[Any], Any], items: list[Any]) -> Any:
        return self._pool.submit(_each, func, items)

    def _collect(self, func: Callable[[Any], Any], items: list[Any], future: Any,
                 pending: deque[tuple[list[Any], Any]]) -> Iterator[tuple[Any, Any]]:
        try:
            results = future.result()
        except BrokenProcessPool:
            pass
        except Exception as exc:  # the chunk never ran (it could not be sent, say)
            yield from ((item, exc) for item in items)
            return
        else:
            yield from zip(items, results)
            return
        # A worker died. Which item killed it is unknown: run every item in flight again, alone.
        suspects = items + [other for chunk, _ in pending for other in chunk]
        pending.clear()
        log.warning("a worker process died; running the %d files in flight again one at a time", len(suspects))
        self._pool.shutdown(wait=False, cancel_futures=True)
        for suspect in suspects:
            if isinstance(suspect, Ready):
                yield suspect, suspect.value
                continue
            self._pool = self._new_pool(1)
            try:
                yield suspect, self._pool.submit(func, suspect).result()
            except BrokenProcessPool as exc:
                yield suspect, WorkerDied(f"the worker process died while reading this file ({exc})")
            except Exception as exc:
                yield suspect, exc
            finally:
                self._pool.shutdown(wait=True)
        self._pool = self._new_pool(self.workers)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class Dask(_Windowed):
    """Workers of a Dask cluster: ``address`` of a running scheduler, or ``local`` for a
    ``LocalCluster`` of ``workers`` single-threaded worker processes on this machine."""

    def __init__(self, address: str, workers: int):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:
            raise UsageError("--scheduler needs Dask: pip install 'strideload[dask]'") from exc
        self._cluster = None
        try:
            if address == "local":
                self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None)
                self._client = Client(self._cluster)
            else:
                self._client = Client(address, timeout=30)
        except OSError as exc:
            if self._cluster is not None:
                self._cluster.close()
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        self.workers = max(1, sum(self._client.nthreads().values()))

    def _submit(self, func: Callable[[Any], Any], items: list[Any]) -> Any:
        return self._client.submit(_each, func, items, pure=False)

    def _collect(self, func: Callable[[Any], Any], items: list[Any], future: Any,
                 pending: deque[tuple[list[Any], Any]]) -> Iterator[tuple[Any, Any]]:
        try:
            results = future.result()
        except Exception as exc:  # KilledWorker: the task took down every worker it was tried on
            died = WorkerDied(f"Dask workers died while reading this file ({type(exc).__name__}: {exc})")
            results = [died] * len(items)
        finally:
            if hasattr(future, "release"):
                future.release()
        yield from zip(items, results)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


class Alongside:
    """``func`` in a thread of this process, when ``executor``'s workers do the work elsewhere
    and this process mostly waits on them: a head start on what comes next, such as loading
    modules. Never with :class:`Serial`, whose work is this process's. Used as a context
    manager: the thread has ended when the block does. An error in ``func`` is logged, never raised."""

    def __init__(self, executor: Serial | Processes | Dask, func: Callable[[], object] | None):
        self._func = None if isinstance(executor, Serial) else func
        self._thread: threading.Thread | None = None

    def _start(self) -> None:
        if self._func is not None and self._thread is None:
            self._thread = threading.Thread(target=_quietly, args=(self._func,), name="strideload-alongside")
            self._thread.start()

    def with_work(self, items: Iterable[Any]) -> Iterator[Any]:
        """``items`` as they are, starting ``func`` as the first that is work (not :class:`Ready`)
        goes out: this process then waits for the workers to start, one core left idle meanwhile.
        An import with nothing to read starts nothing."""
        for item in items:
            if not isinstance(item, Ready):
                self._start()  # once
            yield item

    def __enter__(self) -> Alongside:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._thread.join()


def _quietly(func: Callable[[], object]) -> None:
    try:
        func()
    except Exception:  # a head start only: whatever failed will fail again where it is needed
        log.debug("work alongside the workers failed", exc_info=True)


def choose(jobs: int | None = None, scheduler: str | None = None, *, total_bytes: int | None = None,
           min_parallel_bytes: int = 0) -> Serial | Processes | Dask:
    """The executor for an import: Dask with a ``scheduler`` (an address, or ``local``); else a
    pool of ``jobs`` processes (default: every core), or :class:`Serial` for one job or for
    less than ``min_parallel_bytes`` of files (starting workers would cost more than it saves)."""
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    workers = jobs or cpu_count()
    if scheduler:
        return Dask(scheduler, workers)
    if workers == 1 or (total_bytes is not None and total_bytes < min_parallel_bytes):
        return Serial()
    return Processes(workers)
