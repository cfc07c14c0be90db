"""Budgets per imported file: how big, how many sessions and records, how long.

A hostile or broken file must stop only itself, and quickly: every budget is a setting
(``max_file_bytes``, ``max_sessions_per_file``, ``max_records_per_file``,
``max_file_seconds``) and going beyond one raises :class:`~strideload.errors.BudgetError`
naming that setting.

The readers do not take a config: the importer makes the file's :class:`Limits` current
(:func:`applied`) and a reader calls :func:`count` where it counts sessions and records,
so a file with 20,000 sessions stops at the 101st, not after decoding them all.

The time budget (:func:`time_budget`) interrupts pure-Python work with ``SIGALRM`` in the
main thread (the CLI and the watcher); elsewhere :func:`count` checks the clock. A time-out
is raised as :class:`OutOfTime`, a ``BaseException``, so no ``except Exception`` inside a
decoder swallows it, and turned into a ``BudgetError`` at the end of the budget.
"""

from __future__ import annotations

import functools
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ..config import Config
from ..errors import BudgetError

#: What each counted kind is called in messages, and the setting that bounds it.
COUNTED = {"session": ("sessions", "max_sessions_per_file"), "record": ("records", "max_records_per_file")}
_CLOCK_EVERY = 4096  # counted items between clock checks outside the main thread


@dataclass(frozen=True)
class Limits:
    """The budgets of one file (bytes, counts, s)."""

    max_bytes: int
    max_sessions: int
    max_records: int
    max_seconds: float

    @classmethod
    def from_config(cls, config: Config | None = None) -> Limits:
        config = config or Config()
        return cls(config.get("max_file_bytes"), config.get("max_sessions_per_file"),
                   config.get("max_records_per_file"), config.get("max_file_seconds"))

    def most(self, kind: str) -> int:
        return self.max_sessions if kind == "session" else self.max_records


class OutOfTime(BaseException):  # noqa: N818 - a signal, not an error class of ours
    """The file's time budget ran out (raised from the alarm, or by :func:`count`)."""


_current: ContextVar[Limits | None] = ContextVar("strideload_limits", default=None)
_deadline: ContextVar[float | None] = ContextVar("strideload_deadline", default=None)


def current() -> Limits:
    """The limits of the file being read (the defaults outside an import)."""
    return _current.get() or _defaults()


@functools.cache
def _defaults() -> Limits:
    """The default limits (settings' defaults: constant), made once rather than once per file read."""
    return Limits.from_config()


@contextmanager
def applied(limits: Limits) -> Iterator[None]:
    """Make ``limits`` those of the file read inside the block."""
    token = _current.set(limits)
    try:
        yield
    finally:
        _current.reset(token)


def count(kind: str, n: int, path: str, within: Limits | None = None) -> None:
    """A reader has now read ``n`` items of ``kind`` (``"session"`` or ``"record"``) from ``path``:
    raise :class:`BudgetError` past the budget (and :class:`OutOfTime` past the deadline).
    ``within`` is :func:`current`, fetched once by a reader that counts often."""
    limits = within or current()
    if n > limits.most(kind):
        label, setting = COUNTED[kind]
        raise BudgetError(f"more than {limits.most(kind):,} {label} in one file", setting=setting, path=path)
    if n % _CLOCK_EVERY == 0:
        check_clock()


def check_clock() -> None:
    """Raise :class:`OutOfTime` when the current file's deadline has passed."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise OutOfTime()


def check_size(size: int, path: str, limits: Limits | None = None) -> None:
    """Refuse an activity file of ``size`` bytes beyond ``max_file_bytes``."""
    limits = limits or current()
    if size > limits.max_bytes:
        raise BudgetError(f"larger than {limits.max_bytes:,} bytes ({size:,} or more)",
                          setting="max_file_bytes", path=path)


@contextmanager
def time_budget(seconds: float, path: str) -> Iterator[None]:
    """Run the block within ``seconds``; past it, :class:`BudgetError` naming ``max_file_seconds``.
    Budgets do not nest (an inner one ends the outer one's alarm)."""
    token = _deadline.set(time.monotonic() + seconds)
    live = [True]  # the alarm raises only while the block runs, never in the clean-up below

    def alarm(signum: int, frame: object) -> None:
        if live[0]:
            raise OutOfTime()

    armed = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    previous = None
    if armed:
        try:
            previous = signal.signal(signal.SIGALRM, alarm)
            signal.setitimer(signal.ITIMER_REAL, seconds)
        except ValueError:  # not the main interpreter
            armed = False
    try:
        yield
    except OutOfTime:
        live[0] = False
        raise BudgetError(f"took longer than {seconds:g} s to read", setting="max_file_seconds",
                          path=path) from None
    finally:
        live[0] = False
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        _deadline.reset(token)
