"""Advisory locks beside the store, so two long-running writers never do the same work twice.

``strideload watch`` holds :func:`exclusive` on ``<store>.watch.lock`` while it runs: a second
watcher on the same store would import the same files and announce the same runs and flags
twice. The lock is ``flock``-based, so it is released by the kernel when its holder exits
however it exits (``kill -9`` included): a stale lock file is never a problem. The file holds
the holder's pid, start time and folders, for the message the second watcher prints.
On systems without ``fcntl`` (Windows) no lock is taken.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class LockHeld(StoreError):
    """Another process holds the lock; ``holder`` is what it wrote about itself (pid, since, folders)."""

    def __init__(self, message: str, holder: dict[str, Any]):
        self.holder = holder
        super().__init__(message)


def lock_path(store_path: Path, name: str) -> Path:
    return store_path.with_name(f"{store_path.name}.{name}.lock")


@contextmanager
def exclusive(store_path: Path, name: str, about: dict[str, Any]) -> Iterator[None]:
    """Hold the ``name`` lock of the store at ``store_path`` (raises :class:`LockHeld` if taken)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    path = lock_path(store_path, name)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise StoreError(f"cannot create the lock file {path}: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            raise LockHeld(f"another strideload {name} (pid {holder.get('pid', '?')}, since "
                           f"{holder.get('since', '?')}, on {', '.join(holder.get('folders', [])) or '?'}) "
                           f"is already importing into the store at {store_path}", holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "since": datetime.now().isoformat(timespec="seconds"),
                                  **about}).encode(), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def holder(store_path: Path, name: str) -> dict[str, Any] | None:
    """Who holds the ``name`` lock of the store at ``store_path`` now (None: nobody)."""
    path = lock_path(store_path, name)
    if fcntl is None or not path.exists():
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read(fd: int) -> dict[str, Any]:
    try:
        data = json.loads(os.pread(fd, 65536, 0) or b"{}")
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
