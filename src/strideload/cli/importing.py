"""``strideload import``: files, folders and zips into the store, with progress and a summary."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from ..ingest.importer import ImportResult, import_paths
from ..ingest.importer import Progress as ImportProgress
from .main import Context, common_options


def _summary(result: ImportResult, console: Console) -> None:
    counts = result.counts()
    console.print(
        f"[bold]{counts['added']}[/] added, {counts['duplicate']} duplicates, "
        f"{counts['non-running']} non-running, {counts['skipped']} skipped (no activity), "
        f"[{'red' if counts['failed'] else 'green'}]{counts['failed']} failed[/]",
        highlight=False,
    )
    for log in result.pain:
        console.print(f"  pain log {log.path} ({log.athlete}): {log.added} entries added, "
                      f"{log.updated} updated, {log.unchanged} already logged", highlight=False, soft_wrap=True)
    for plan in result.plans:
        known = f", {plan.known} already recorded" if plan.known else ""
        console.print(f"  return-to-run plan {plan.path} ({plan.athlete}): {plan.protocol} from {plan.start}, "
                      f"{plan.added} decision{'s' if plan.added != 1 else ''} recorded{known}"
                      + "".join(f"; {note}" for note in plan.notes),
                      highlight=False, markup=False, soft_wrap=True)
    for status, label in (("duplicate", "duplicate"), ("skipped", "skipped"), ("failed", "FAILED")):
        for outcome in result.of(status):
            style = "red" if status == "failed" else "dim"
            console.print(f"  [{style}]{label}[/] {outcome.path}: {outcome.reason}", highlight=False,
                          markup=True, soft_wrap=True)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--athlete", help="Whose activities these are [default: the config's default_athlete, 'me'].")
@click.option("--team", is_flag=True,
              help="Each immediate sub-folder of PATH is one athlete, named after the folder.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar; only the summary.")
@common_options
def import_command(ctx: Context, paths: tuple[Path, ...], athlete: str | None, team: bool,
                   quiet: bool) -> None:
    """Import watch exports: FIT, GPX, TCX, gzipped, and Strava / Garmin bulk-export zips.

    PATH may be files, folders (searched recursively) or zip archives. The format is
    recognised from the content. Your files are never moved, renamed or deleted, and
    importing the same files again adds nothing. A pain log (pain*.csv) and a PT's
    return-to-run plan file (rtr*.toml) found there are read for the same athlete.

    Exit status: 0 when every file imported (or was a duplicate / held no activity),
    1 when some file failed (the rest are still imported), 2 for usage errors.
    """
    if athlete and team:
        raise click.UsageError("--athlete and --team exclude each other")
    console = Console(stderr=True)
    ctx.creates_store = True
    store, config = ctx.store, ctx.config
    show = not quiet and console.is_terminal
    with Progress(TextColumn("[bold]importing"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  TextColumn("{task.fields[path]}", style="dim"), console=console, transient=True,
                  disable=not show) as bar:
        task = bar.add_task("import", total=None, path="")

        def advance(event: ImportProgress) -> None:
            bar.update(task, completed=event.done, total=event.total, path=Path(event.path).name[-40:])

        result = import_paths(store, paths, athlete=athlete, team=team, config=config, on_progress=advance)
    _summary(result, Console(highlight=False))
    if result.failed:
        sys.exit(1)


COMMANDS = [import_command]
