"""The file-system side of watching: folders as the user named them, where a changed path
sits in them and whose it is, watchdog's events on a queue, and a file's (size, mtime)
signature. :mod:`.watch` decides what to import and when."""

from __future__ import annotations

import os
import queue
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from ..errors import UsageError

#: Event kinds that mean a file's bytes may have changed (not "opened", "closed_no_write":
#: those are our own reads, and reacting to them would import in a loop).
CHANGE_EVENTS = ("created", "modified", "closed", "moved")


@dataclass(frozen=True)
class Root:
    """A watched folder: ``shown`` as the user gave it (display paths start there), ``real`` resolved."""

    shown: Path
    real: Path


@dataclass(frozen=True)
class Located:
    """A file under a watched folder: the folder, the path's parts below it, whose it is."""

    root: Root
    parts: tuple[str, ...]
    athlete: str

    @property
    def path(self) -> Path:
        """The path as shown to the user (it starts with the folder as the user gave it)."""
        return self.root.shown.joinpath(*self.parts)


class EventQueue(FileSystemEventHandler):
    """Puts (kind, path, is_directory) of watchdog events on a queue for the main loop."""

    def __init__(self, events: queue.SimpleQueue[tuple[str, str, bool]]):
        super().__init__()
        self.events = events

    def dispatch(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind == "moved":
            self.events.put(("deleted", os.fsdecode(event.src_path), event.is_directory))
            self.events.put(("created", os.fsdecode(event.dest_path), event.is_directory))
        elif kind == "deleted" or (kind in CHANGE_EVENTS and (kind == "created" or not event.is_directory)):
            self.events.put((kind, os.fsdecode(event.src_path), event.is_directory))


def native_observer() -> Any:
    from watchdog.observers import Observer

    return Observer()


def halt(observer: Any) -> None:
    try:
        observer.stop()
        if observer.is_alive():
            observer.join(timeout=5)
    except RuntimeError:  # never started: nothing to stop
        pass


def folder_root(path: str | Path) -> Root:
    shown = Path(path).expanduser()
    if not shown.is_dir():
        raise UsageError(f"{shown}: not a folder (strideload watch needs folders to watch)")
    return Root(shown, shown.resolve())


def relative_to(path: Path, root: Path) -> Path | None:
    """``path`` relative to ``root``, also when one spells it through a symlink (macOS /private)."""
    for candidate in (path, path.resolve()):
        try:
            return candidate.relative_to(root)
        except ValueError:
            continue
    return None


def is_within(path: Path, root: Path) -> bool:
    return relative_to(Path(os.path.abspath(path)), root) is not None


def file_signature(path: Path) -> tuple[int, int] | None:
    """(size in bytes, mtime in ns) of a file, or None when it is not (or no longer) a file."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns) if S_ISREG(stat.st_mode) else None
