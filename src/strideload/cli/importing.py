"""``strideload import``: files, folders and zips into the store, with progress and a summary.

The command starts the workers' fork server before it loads anything else (the importer,
rich): the server's own imports then run beside this process's instead of after them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..ingest import executors
from .main import Context, common_options

if TYPE_CHECKING:
    from ..ingest.importer import ImportResult


def _summary(result: ImportResult, verbose: bool) -> None:
    """Counts first; then what needs a person: failures, files that belong to someone else.

    Duplicates, skipped and deleted files are counted, and listed one per line only with
    ``verbose``. Everything from files and names is printed literally.
    """
    from .render import say

    counts = result.counts()
    line = (f"{counts['added']} added, {counts['duplicate']} duplicates, {counts['non-running']} non-running, "
            f"{counts['skipped']} skipped (no activity), {counts['failed']} failed")
    if counts.get("deleted"):
        line += f", {counts['deleted']} deleted earlier (import --force brings them back)"
    say(line)
    for log in result.pain:
        label = {"pain": "pain log", "rpe": "RPE log", "context": "context periods"}[log.kind]
        say(f"  {label} {log.path} ({log.athlete}): {log.added} entries added, "
            f"{log.updated} updated, {log.unchanged} already logged")
    for plan in result.plans:
        known = f", {plan.known} already recorded" if plan.known else ""
        say(f"  return-to-run plan {plan.path} ({plan.athlete}): {plan.protocol} from {plan.start}, "
            f"{plan.added} decision{'s' if plan.added != 1 else ''} recorded{known}"
            + "".join(f"; {note}" for note in plan.notes))
    elsewhere = [o for o in result.of("duplicate") if o.other_athlete]
    for outcome in elsewhere:
        say(f"  already imported for {outcome.other_athlete}: {outcome.path}. If it is {outcome.athlete}'s: "
            f"'strideload activities --athlete {outcome.other_athlete}' shows its ID, "
            f"'strideload activities move ID --athlete {outcome.athlete}' moves it")
    for outcome in result.failed:
        say(f"  FAILED {outcome.path}: {outcome.reason}")
    listed = [o for status in ("duplicate", "skipped", "deleted") for o in result.of(status) if o not in elsewhere]
    if verbose:
        for outcome in listed:
            say(f"  {outcome.status} {outcome.path}: {outcome.reason}")
    elif listed:
        say("  (--verbose lists the duplicates and the skipped files one by one)")


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--athlete", help="Whose activities these are [default: the config's default_athlete, 'me'].")
@click.option("--team", is_flag=True,
              help="Each immediate sub-folder of PATH is one athlete, named after the folder.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar; only the summary.")
@click.option("--verbose", "-v", is_flag=True, help="List every duplicate and skipped file, not just their counts.")
@click.option("--force", is_flag=True,
              help="Import again files whose activities you deleted ('strideload activities delete').")
@click.option("--jobs", "-j", type=int, default=None,
              help="Worker processes that read and decode files [default: one per core].")
@click.option("--scheduler", metavar="ADDRESS",
              help="Read and decode on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' "
                   "for a cluster of --jobs workers on this machine. Needs pip install 'strideload[dask]'.")
@common_options
def import_command(ctx: Context, paths: tuple[Path, ...], athlete: str | None, team: bool,
                   quiet: bool, verbose: bool, force: bool, jobs: int | None, scheduler: str | None) -> None:
    """Import watch exports: FIT, GPX, TCX, gzipped, and Strava / Garmin bulk-export zips.

    PATH may be files, folders (searched recursively) or zip archives. The format is
    recognised from the content. Your files are never moved, renamed or deleted, and
    importing the same files again adds nothing. A pain log (pain*.csv) and a PT's
    return-to-run plan file (rtr*.toml) found there are read for the same athlete.

    Files are read and decoded by worker processes (one per core; --jobs), or by the
    workers of a Dask cluster that see the same paths (--scheduler); this process alone
    writes the store. Files already imported and unchanged (same path, size and
    modification time) are not read again.

    The summary counts what happened; failures are listed, and duplicates one by one
    with --verbose. Ctrl-C stops at once: the file being read is left out whole, every
    file before it is kept, and running the same import again finishes the job.

    Exit status: 0 when every file imported (or was a duplicate / held no activity),
    1 when some file failed (the rest are still imported), 2 for usage errors, 130 when
    stopped with Ctrl-C.
    """
    if athlete and team:
        raise click.UsageError("--athlete and --team exclude each other")
    executors.warm_up(jobs, scheduler)  # workers get ready while the rest loads (about 0.3 s)
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from .. import snapshot
    from ..ingest.importer import ImportInterrupted, import_paths
    from ..ingest.importer import Progress as ImportProgress
    from .render import literal, say

    console = Console(stderr=True)
    ctx.creates_store = True
    store, config = ctx.store, ctx.config
    generation = store.data_generation()
    show = not quiet and console.is_terminal
    with Progress(TextColumn("[bold]importing"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  TextColumn("{task.fields[path]}", style="dim", markup=False), console=console, transient=True,
                  disable=not show) as bar:
        task = bar.add_task("import", total=None, path="")

        def advance(event: ImportProgress) -> None:
            bar.update(task, completed=event.done, total=event.total, path=literal(Path(event.path).name[-40:]))

        try:
            result = import_paths(store, paths, athlete=athlete, team=team, config=config, on_progress=advance,
                                  force=force, jobs=jobs, scheduler=scheduler, meanwhile=snapshot.preload)
        except ImportInterrupted as stopped:
            bar.stop()
            say(str(stopped), err=True)
            sys.exit(130)
    _summary(result, verbose)
    snapshot.refresh(store, config, since_generation=generation)  # the next 'status' answers at once
    if result.failed:
        sys.exit(1)
