"""``strideload doctor``: check a store (and a report folder) and say how to fix what is wrong."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..doctor import examine
from .main import Context, common_options
from .render import render, table_or_json_option


@click.command("doctor")
@click.option("--reports", type=click.Path(file_okay=False, path_type=Path),
              help="Also look for temporary files left in this report folder [default: ./reports if it exists].")
@click.option("--fix", is_flag=True,
              help="Apply the safe repairs: remove streams whose activity is gone and temporary files "
                   "left by killed reports. Nothing you imported is deleted.")
@table_or_json_option
@common_options
def doctor_command(ctx: Context, reports: Path | None, fix: bool, fmt: str) -> None:
    """Check the store: it opens, its schema is this version's, SQLite's integrity and
    foreign-key checks pass, every activity has its stream, which files failed, which runs
    are set aside as implausible, whether a watcher is running; and leftover report temp files.

    Upgrades a store made by an older strideload. Exit status: 0 when nothing needs
    fixing, 1 when something does (each finding says how).
    """
    if not ctx.db_path.exists():
        raise click.ClickException(f"no strideload store at {ctx.db_path} (check --db / STRIDELOAD_DB)")
    if reports is None and Path("reports").is_dir():
        reports = Path("reports")
    findings = examine(ctx.db_path, reports=reports, fix=fix, config=ctx.config)
    render([f.row() for f in findings], fmt, ("check", "level", "detail", "fix"))
    if any(f.level in ("warning", "problem") for f in findings):
        sys.exit(1)
