"""``strideload watch``: keep the store (and the reports) up to date with export folders."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as Bar

from ..analyze import words
from ..config import Config
from ..errors import StrideloadError
from ..ingest.importer import Progress
from ..ingest.watch import BatchResult, Watcher
from ..store import Store
from ..store.locks import LockHeld
from .main import Context, common_options
from .render import say

#: Most new flags written out under one batch's summary line; the rest are counted.
SHOWN_FLAGS = 5


def rebuild_reports(store: Store, config: Config, out_dir: Path, athletes: list[str] | None) -> str:
    """Rebuild the pages of ``athletes`` (None: everyone) and the index; the one call into the reports."""
    from ..report import build_reports  # lazily: only --report-out needs plotly

    result = build_reports(store, config, out_dir, athletes=athletes)
    return f"reports updated ({', '.join(result.pages) or 'index only'}): {result.index}"


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM set ``stop`` (the watcher ends between files); a second one aborts now."""

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # asked twice: the open transaction rolls back, nothing half-written
        stop.set()

    names = ("SIGINT", "SIGTERM", "SIGBREAK")  # SIGBREAK: Ctrl-Break on Windows
    wanted = [getattr(signal, name) for name in names if hasattr(signal, name)]
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, handler) for sig in wanted}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class Display:
    """One progress bar per batch on stderr, one summary line per batch on stdout."""

    def __init__(self, ctx: Context, report_out: Path | None, quiet: bool):
        self.ctx, self.report_out = ctx, report_out
        self.err = Console(stderr=True, soft_wrap=True)
        self.show_bar = not quiet and self.err.is_terminal
        self.bar: Bar | None = None
        self.task: Any = None

    def progress(self, event: Progress) -> None:
        if not self.show_bar:
            return
        if self.bar is None:
            self.bar = Bar(TextColumn("[bold]importing"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                           TextColumn("{task.fields[path]}", style="dim", markup=False), console=self.err,
                           transient=True)
            self.bar.start()
            self.task = self.bar.add_task("import", total=None, path="")
        self.bar.update(self.task, completed=event.done, total=event.total, path=Path(event.path).name[-40:])

    def batch(self, batch: BatchResult) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
        note = self._reports(batch)
        say(summary_line(batch) + (f"; {note}" if note else ""))
        for outcome in batch.result.failed:
            say(f"  FAILED {outcome.path}: {outcome.reason or ''}")
        flags = batch.new_flags.sort_values("date", ascending=False, kind="stable")
        for row in flags.head(SHOWN_FLAGS).to_dict("records"):
            severity = words.SEVERITY_WORDS.get(row["severity"], row["severity"])
            say(f"  {row['athlete']} {str(row['date'])[:10]} {severity} · {words.label(row['kind'])}: {row['message']}")
        if len(flags) > SHOWN_FLAGS:
            say(f"  … and {len(flags) - SHOWN_FLAGS} more: strideload flags")

    def _reports(self, batch: BatchResult) -> str:
        if self.report_out is None:
            return ""
        if batch.interrupted:
            return "stopping, reports not rebuilt"
        if batch.athletes:
            athletes: list[str] | None = batch.athletes
        elif not (self.report_out / "index.html").exists() and self.ctx.store.athlete_names():
            athletes = None  # nothing new, but no reports yet: write everyone's
        else:
            return ""
        try:
            return rebuild_reports(self.ctx.store, self.ctx.config, self.report_out, athletes)
        except StrideloadError as exc:  # a full disk must not stop the import
            return f"reports not rebuilt: {exc}"


def summary_line(batch: BatchResult) -> str:
    """One line (plain text, printed literally): the time, what was added per athlete,
    duplicates, failures, new flags."""
    counts = batch.result.counts()
    parts = []
    by_athlete: dict[str, list[float]] = {}
    for outcome in batch.added:
        by_athlete.setdefault(outcome.athlete, []).append((outcome.distance_m or 0.0) / 1000)
    for athlete, kms in by_athlete.items():
        parts.append(f"{athlete} +{len(kms)} ({sum(kms):.1f} km)")
    for log in batch.result.pain:
        if log.added or log.updated:
            label = {"pain": "pain log", "rpe": "RPE log", "context": "context periods"}[log.kind]
            parts.append(f"{log.athlete} {label} +{log.added} ({log.updated} updated)")
    for plan in batch.result.plans:
        if plan.started or plan.added or plan.notes:
            parts.append(f"{plan.athlete} return-to-run plan +{plan.added} decisions"
                         + "".join(f" ({note})" for note in plan.notes))
    if not parts:
        parts.append("nothing new")
    for status, label in (("duplicate", "already in the store"), ("skipped", "without activity"),
                          ("deleted", "deleted earlier"), ("failed", "failed")):
        if counts.get(status):
            parts.append(f"{counts[status]} {label}")
    if batch.passed_over:
        parts.append(f"{len(batch.passed_over)} failed before, unchanged")
    flags = len(batch.new_flags)
    if flags:
        parts.append(f"{flags} new flag{'s' if flags != 1 else ''}")
    when = datetime.now().strftime("%H:%M:%S")
    stopped = " (stopped early)" if batch.interrupted else ""
    return f"{when} batch {batch.number}, {batch.files} file{'s' if batch.files != 1 else ''}{stopped}: " \
           + "; ".join(parts)


@click.command("watch")
@click.argument("folders", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--athlete", help="Whose activities these are [default: the config's default_athlete, 'me'].")
@click.option("--team", is_flag=True,
              help="Each immediate sub-folder of FOLDER is one athlete, named after the folder.")
@click.option("--report-out", type=click.Path(file_okay=False, path_type=Path),
              help="Rebuild the changed athletes' HTML reports and the index here after each batch.")
@click.option("--once", is_flag=True, help="Import what is there, then exit (for cron and schedulers).")
@click.option("--poll", is_flag=True,
              help="Look at the folders every few seconds instead of waiting for file events "
                   "(network drives, some synced folders).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar; only the summary lines.")
@common_options
def watch_command(ctx: Context, folders: tuple[Path, ...], athlete: str | None, team: bool,
                  report_out: Path | None, once: bool, poll: bool, quiet: bool) -> None:
    """Import everything in FOLDER, then each watch export that lands there, until stopped.

    A file is read once it has stopped changing (so a copy or a cloud sync in progress is
    never read half-way); partial downloads (*.part, *.crdownload, ~$*) and dot-files are
    ignored. Files arriving together are imported as one batch, with one summary line
    (and, with --report-out, one report rebuild) per batch. Renamed or moved files are not
    imported again; deleting a file keeps its activity. A file that fails is reported once,
    and read again only when it changes.

    Stop with Ctrl-C (or SIGTERM): the watcher finishes the file it is on and exits 0.
    With --once the exit status is 1 when some file failed, as for import.
    """
    if athlete and team:
        raise click.UsageError("--athlete and --team exclude each other")
    ctx.creates_store = True
    stop = threading.Event()
    display = Display(ctx, report_out, quiet)
    watcher = Watcher(ctx.store, folders, config=ctx.config, athlete=athlete, team=team, stop=stop,
                      on_batch=display.batch, on_progress=display.progress, poll=poll, once=once)
    try:
        watcher.start()
    except LockHeld as exc:
        if not once:
            raise
        say(f"Nothing to do: {exc}, which keeps it up to date.")
        return
    with stop_on_signals(stop), watcher:
        if not once:
            how = {"native": "file events", "polling": "polling"}[watcher.summary.observer]
            if watcher.summary.fallback:
                say(watcher.summary.fallback, err=True)
            say(f"Watching {', '.join(str(f) for f in folders)} ({how}); Ctrl-C to stop.", err=True)
        summary = watcher.run()
    if summary.unsettled:
        say(f"{len(summary.unsettled)} file(s) still changing, left for the next run: " + ", ".join(summary.unsettled))
    if once and not summary.batches:
        say("Nothing new.")
    if stop.is_set():
        say("Stopped.", err=True)
    if once and summary.failed:
        sys.exit(1)
