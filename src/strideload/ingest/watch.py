"""Keep a store up to date with folders: import what is there, then each file as it lands.

::

    from threading import Event
    from strideload.ingest.watch import watch
    stop = Event()                      # set it (from a signal handler, a thread) to stop
    watch(store, ["~/Sync/watch"], config=config, stop=stop, on_batch=print)

A file is read only when it is complete: its size and modification time have not changed
for ``watch_settle_s`` seconds (a copy or a cloud sync in progress keeps changing them)
and it can be opened. Partial names (``*.part``, ``*.crdownload``, ``~$*``, see
:func:`.scan.is_candidate`), dot-files and anything inside a dot-folder are ignored.
Settled files are imported in batches: a batch starts once no file is still settling,
or when it is full (``watch_batch_max_files``), or when its oldest file has waited
``watch_batch_max_wait_s``; so a bulk export of thousands of files is a few batches, each
reported once through ``on_batch`` with a :class:`BatchResult`.

Pain logs (``pain*.csv``) and return-to-run plan files (``rtr*.toml``) are read as
``strideload import`` reads them (:func:`.importer.import_pain_log`,
:func:`.importer.import_plan_file`), each time their bytes change; both are idempotent.
Every activity file goes through :func:`.importer.import_source`, so a renamed or moved file
(same bytes) is a duplicate that adds nothing, a deleted file's activity stays, and a
file that failed before with the same bytes is passed over (``retry_failed=False``):
a bad file is reported once, and again only after its bytes change. Stopping (the
``stop`` event) happens between files, and each file is one store transaction, so the
store is never left mid-write.

Events come from watchdog's native observer (inotify, FSEvents, ReadDirectoryChangesW),
or from its polling observer with ``poll=True`` or when the native one cannot start.
A full rescan every ``watch_rescan_s`` catches what events miss (network drives report
none). With ``once=True`` nothing is observed: one pass over the folders, then return;
a file still changing after ``watch_settle_s`` + ``watch_batch_max_wait_s`` is left for
the next pass (:attr:`WatchSummary.unsettled`).
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import Config
from ..errors import FileImportError, UsageError
from ..store import Store
from . import localtime
from .folder_events import (
    EventQueue,
    Located,
    file_signature,
    folder_root,
    halt,
    is_within,
    native_observer,
    relative_to,
)
from .importer import ImportResult, Outcome, Progress, import_pain_log, import_plan_file, import_side_log, import_source
from .importer import sources as importer_sources
from .scan import (
    Source,
    failing_source,
    is_candidate,
    is_context_csv,
    is_pain_csv,
    is_plan_file,
    is_rpe_csv,
    is_side_file,
    open_regular,
    strava_hints,
)
from .stream import Hints

#: Longest sleep of the main loop between looks at the pending files, in seconds.
MAX_TICK_S = 0.25


@dataclass
class _Pending:
    """A file seen changing: its last (size, mtime) and when it last changed (monotonic s)."""

    where: Located
    signature: tuple[int, int] | None
    changed_at: float
    first_seen: float

    @property
    def path(self) -> Path:
        return self.where.path


@dataclass
class BatchResult:
    """One batch: what the import did, whose activities changed, and the flags that are new.

    ``number`` counts batches from 1; ``files`` is how many files were read;
    ``athletes`` those with activities added or replaced, pain entries added or changed, or
    a return-to-run plan started or decided on (a plan file); ``new_flags`` the flag records
    (``analyze.FLAG_COLUMNS``) that hold now and did not before the batch; ``passed_over``
    files that failed before with the same bytes and were not read again; ``interrupted``
    is true when ``stop`` ended the batch early; ``seconds`` its wall time.
    """

    number: int
    result: ImportResult
    files: int = 0
    athletes: list[str] = field(default_factory=list)
    new_flags: pd.DataFrame = field(default_factory=lambda: _no_flags())
    passed_over: list[str] = field(default_factory=list)
    interrupted: bool = False
    seconds: float = 0.0

    @property
    def added(self) -> list[Outcome]:
        """The runs (and non-running activities) this batch added."""
        return [o for o in self.result.outcomes if o.status in ("added", "non-running")]


@dataclass
class WatchSummary:
    """What a whole run of the watcher did.

    ``counts`` adds up the outcome statuses of every batch; ``unsettled`` (``once`` only)
    lists files that kept changing and were not read; ``observer`` is ``native``,
    ``polling`` or ``none`` (``once``), and ``fallback`` says why native events were not used.
    """

    batches: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    unsettled: list[str] = field(default_factory=list)
    observer: str = "none"
    fallback: str | None = None

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0)


class Watcher:
    """Imports the files under ``paths`` and, until ``stop`` is set, each one that changes.

    ``athlete`` names whose files these are (default: the ``default_athlete`` setting);
    with ``team`` a file's athlete is its immediate sub-folder under the watched folder
    (files directly in it are ignored). ``on_batch`` receives each :class:`BatchResult`,
    ``on_progress`` the bytes done within a batch. ``poll`` forces the polling observer;
    ``once`` makes :meth:`run` one pass with no observer. ``settle_s`` overrides the
    ``watch_settle_s`` setting (seconds). Use as a context manager, or call :meth:`run`.
    """

    def __init__(self, store: Store, paths: Iterable[str | Path], *, config: Config | None = None,
                 athlete: str | None = None, team: bool = False, stop: threading.Event | None = None,
                 on_batch: Callable[[BatchResult], None] | None = None,
                 on_progress: Callable[[Progress], None] | None = None,
                 poll: bool = False, once: bool = False, settle_s: float | None = None,
                 flags: bool = True):
        if athlete and team:
            raise UsageError("--athlete and --team exclude each other")
        self.store = store
        self.config = config or Config()
        self.roots = [folder_root(path) for path in paths]
        if not self.roots:
            raise UsageError("give at least one folder to watch")
        self.team = team
        self.athlete = athlete or self.config.get("default_athlete")
        self.stop = stop or threading.Event()
        self.on_batch, self.on_progress = on_batch, on_progress
        self.poll, self.once, self.with_flags = poll, once, flags
        self.settle_s = float(settle_s if settle_s is not None else self.config.get("watch_settle_s"))
        self.summary = WatchSummary()
        self._pending: dict[str, _Pending] = {}
        self._handled: dict[str, tuple[int, int]] = {}
        self._events: queue.SimpleQueue[tuple[str, str, bool]] = queue.SimpleQueue()
        self._hints: dict[Path, tuple[tuple[int, int], dict[str, Hints]]] = {}
        self._observer: Any = None
        self._lock: AbstractContextManager[None] | None = None

    # -- observer ------------------------------------------------------------------------
    def start(self) -> None:
        """Take the store's watch lock (:class:`~strideload.store.locks.LockHeld` if another
        watcher has it), then start observing (native events, else polling; none with ``once``)."""
        if self._lock is None:
            lock = self.store.lock("watch", folders=[str(root.shown) for root in self.roots])
            lock.__enter__()
            self._lock = lock
        if self.once or self._observer is not None:
            return
        from watchdog.observers.polling import PollingObserver

        if not self.poll:
            try:
                self._observer = self._started(native_observer())
                self.summary.observer = "native"
                return
            except Exception as exc:  # any failure of the native backend (inotify limits, ...): poll instead
                self.summary.fallback = f"native file events unavailable ({exc}); polling instead"
        self._observer = self._started(PollingObserver(timeout=self.config.get("watch_poll_interval_s")))
        self.summary.observer = "polling"

    def _started(self, observer: Any) -> Any:
        handler = EventQueue(self._events)
        try:
            for root in self.roots:
                observer.schedule(handler, str(root.real), recursive=True)
            observer.start()
        except BaseException:
            halt(observer)
            raise
        return observer

    def close(self) -> None:
        """Stop the observer (if any) and wait briefly for its threads."""
        observer, self._observer = self._observer, None
        if observer is not None:
            halt(observer)
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.__exit__(None, None, None)

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- main loop -----------------------------------------------------------------------
    def run(self) -> WatchSummary:
        """Import what is there, then keep up until ``stop`` is set (or one pass with ``once``).

        One watcher per store: while another holds the store's watch lock this raises
        :class:`~strideload.store.locks.LockHeld` (naming it) before importing anything.
        """
        self.start()
        try:
            self._loop()
        finally:
            self.close()
        return self.summary

    def _loop(self) -> None:
        max_wait = self.config.get("watch_batch_max_wait_s")
        max_files = self.config.get("watch_batch_max_files")
        rescan = self.config.get("watch_rescan_s")
        tick = min(MAX_TICK_S, self.settle_s / 4)
        self._scan()
        next_rescan = time.monotonic() + rescan
        while not self.stop.is_set():
            self._drain_events()
            now = time.monotonic()
            if rescan and not self.once and now >= next_rescan:
                self._scan()
                next_rescan = now + rescan
            ready, settling = self._settle(now)
            oldest = min((p.changed_at + self.settle_s for p in ready), default=now)
            if ready and (not settling or len(ready) >= max_files or now - oldest >= max_wait):
                batch = self._openable(ready[:max_files], now)
                if batch:
                    self._import_batch(batch)
                    continue
            if self.once and not ready and all(now - p.first_seen >= self.settle_s + max_wait for p in settling):
                self.summary.unsettled = sorted(str(p.path) for p in settling)
                return
            self.stop.wait(tick)

    def _settle(self, now: float) -> tuple[list[_Pending], list[_Pending]]:
        """Split pending files into ready (unchanged for the settle time) and still settling."""
        ready, settling = [], []
        for key, item in list(self._pending.items()):
            signature = file_signature(item.path)
            if signature is None:  # deleted (or moved away) before it settled
                del self._pending[key]
                continue
            if signature != item.signature:
                item.signature, item.changed_at = signature, now
            if now - item.changed_at >= self.settle_s:
                ready.append(item)
            else:
                settling.append(item)
        ready.sort(key=lambda p: str(p.path))
        return ready, settling

    def _openable(self, items: list[_Pending], now: float) -> list[_Pending]:
        """Those ``items`` that can be opened for reading now; the others settle again.

        Windows refuses to open a file another program is still writing.
        """
        openable = []
        for item in items:
            try:
                with open_regular(item.path):  # never blocks, even on a FIFO swapped in since the scan
                    openable.append(item)
            except (OSError, FileImportError):
                item.changed_at = now
        return openable

    # -- finding files -------------------------------------------------------------------
    def _scan(self, folder: Path | None = None) -> None:
        """Offer every file under ``folder`` (default: every watched folder)."""
        for root in self.roots:
            start = root.real if folder is None else folder
            if folder is not None and not is_within(folder, root.real):
                continue
            for dirpath, dirnames, filenames in os.walk(start):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    self._offer(Path(dirpath) / name, event=False)

    def _drain_events(self) -> None:
        while True:
            try:
                kind, path, is_dir = self._events.get_nowait()
            except queue.Empty:
                return
            if kind == "deleted":
                located = self._locate(Path(path))
                if located is not None:
                    self._pending.pop(str(located.path), None)
                    self._handled.pop(str(located.path), None)
            elif is_dir:
                self._scan(Path(path))
            else:
                self._offer(Path(path), event=True)

    def _locate(self, path: Path) -> Located | None:
        """Where a file sits under a watched folder and whose it is, or None to ignore it."""
        path = Path(os.path.abspath(path))
        for root in self.roots:
            rel = relative_to(path, root.real)
            if rel is None:
                continue
            parts = rel.parts
            if not parts or any(part.startswith(".") for part in parts) or \
                    not (is_candidate(parts[-1]) or is_side_file(parts[-1])):
                return None
            if self.team:
                return Located(root, parts, parts[0]) if len(parts) >= 2 else None
            return Located(root, parts, self.athlete)
        return None

    def _offer(self, path: Path, *, event: bool) -> None:
        """Note that ``path`` may have changed; it is read once it settles."""
        located = self._locate(path)
        if located is None:
            return
        shown = located.path
        key, now = str(shown), time.monotonic()
        item = self._pending.get(key)
        if item is not None:
            if event:  # an event means new bytes even when a coarse mtime has not moved yet
                item.changed_at = now
            return
        signature = file_signature(shown)
        if signature is None or signature == self._handled.get(key):
            return  # gone already, or unchanged since it was read
        self._pending[key] = _Pending(located, signature, now, now)

    # -- importing -----------------------------------------------------------------------
    def _import_batch(self, items: list[_Pending]) -> None:
        started = time.monotonic()
        self.summary.batches += 1
        batch = BatchResult(self.summary.batches, ImportResult())
        total = sum(item.signature[0] for item in items if item.signature) or 1
        done = 0
        for item in items:
            if self.stop.is_set():
                batch.interrupted = True
                break
            del self._pending[str(item.path)]
            if item.signature is not None:
                self._handled[str(item.path)] = item.signature
            batch.files += 1
            if is_pain_csv(item.path.name):
                import_pain_log(self.store, item.path, item.where.athlete, batch.result, self.config)
                continue
            if is_plan_file(item.path.name):
                import_plan_file(self.store, item.path, item.where.athlete, batch.result, self.config)
                continue
            if is_rpe_csv(item.path.name) or is_context_csv(item.path.name):
                import_side_log(self.store, item.path, item.where.athlete, batch.result,
                                "rpe" if is_rpe_csv(item.path.name) else "context")
                continue
            for source in self._sources(item):
                outcomes = import_source(self.store, source, self.config, retry_failed=False)
                if outcomes:
                    batch.result.outcomes.extend(outcomes)
                else:
                    batch.passed_over.append(source.display_path)
                done += source.size
                if self.on_progress:
                    self.on_progress(Progress(source.display_path, min(done, total), total))
        if self.on_progress:
            self.on_progress(Progress("", total, total))
        for status, count in batch.result.counts().items():
            self.summary.counts[status] = self.summary.counts.get(status, 0) + count
        localtime.refresh(self.store, self.config, {o.athlete for o in batch.result.outcomes if o.activity_id})
        self._changes(batch)
        batch.seconds = time.monotonic() - started
        if self.on_batch:
            self.on_batch(batch)

    def _sources(self, item: _Pending) -> list[Source]:
        try:
            sources = list(importer_sources(item.path, item.where.athlete, self.config))
        except OSError as exc:
            if not item.path.exists():
                return []  # deleted between settling and reading: nothing to import
            sources = [failing_source(str(item.path), item.where.athlete, exc)]
        for source in sources:
            if source.display_path == str(item.path):
                source.hints = self._strava_hint(item.where)
        return sources

    def _strava_hint(self, where: Located) -> Hints:
        """Name and sport from the ``activities.csv`` of an unpacked Strava export above the file."""
        for depth in range(len(where.parts) - 1, -1, -1):
            csv = where.root.shown.joinpath(*where.parts[:depth], "activities.csv")
            stamp = file_signature(csv)
            if stamp is None:
                continue
            cached = self._hints.get(csv)
            if cached is None or cached[0] != stamp:
                cached = (stamp, strava_hints(csv, self.config.get("max_file_bytes")))
                self._hints[csv] = cached
            return cached[1].get("/".join(where.parts[depth:]).lower(), Hints())
        return Hints()

    def _changes(self, batch: BatchResult) -> None:
        """Fill in whose activities changed and the flags that are new since before the batch."""
        touched = {o.athlete for o in batch.result.outcomes if o.activity_id}
        side_only = ({log.athlete for log in batch.result.pain if log.added or log.updated}
                     | {plan.athlete for plan in batch.result.plans if plan.started or plan.added}) - touched
        if not touched:
            batch.athletes = sorted(side_only)
            return
        ids = {o.activity_id for o in batch.result.outcomes if o.activity_id}
        added = {o.activity_id for o in batch.added if o.activity_id}
        frames = {athlete: self.store.activities_frame(athlete) for athlete in sorted(touched)}
        batch.athletes = sorted({athlete for athlete, frame in frames.items() if frame["id"].isin(ids).any()}
                                | side_only)
        if self.with_flags and added:
            batch.new_flags = new_flags(frames, added, self.config)


def watch(store: Store, paths: Iterable[str | Path], **options: Any) -> WatchSummary:
    """Run a :class:`Watcher` (same arguments) until its ``stop`` event is set."""
    return Watcher(store, paths, **options).run()


def new_flags(frames: dict[str, pd.DataFrame], added: set[str], config: Config) -> pd.DataFrame:
    """Flags that hold with the ``added`` activities and did not without them.

    ``frames`` maps each athlete to their activity summaries (``Store.activities_frame``).
    A flag is the same one when athlete, date, kind and activity agree (its value may move).
    """
    from .. import analyze  # only for the summary line of a batch; the import itself needs none

    found = []
    for frame in frames.values():
        after = analyze.flags(frame, config)
        before = analyze.flags(frame[~frame["id"].isin(added)], config)
        known = {_flag_key(row) for row in before.to_dict("records")}
        fresh = [_flag_key(row) not in known for row in after.to_dict("records")]
        found.append(after[pd.Series(fresh, index=after.index, dtype=bool)])
    if not found:
        return _no_flags()
    return pd.concat(found, ignore_index=True).sort_values(["athlete", "date"], kind="stable")


def _no_flags() -> pd.DataFrame:
    from ..analyze import FLAG_COLUMNS

    return pd.DataFrame(columns=FLAG_COLUMNS)


def _flag_key(row: dict[Any, Any]) -> tuple[Any, ...]:
    activity = row["activity_id"]
    return (row["athlete"], str(row["date"])[:10], row["kind"], None if pd.isna(activity) else activity)


