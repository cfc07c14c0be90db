"""``strideload export``: every summary and daily series to files other tools read."""

from __future__ import annotations

from pathlib import Path

import click

from ..export import export_parquet
from .main import Context, common_options
from .render import say


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["parquet"]), default="parquet", show_default=True,
              help="File format.")
@common_options
def export_command(ctx: Context, directory: Path, fmt: str) -> None:
    """Write activities.parquet (one row per activity) and daily.parquet (one row per athlete
    and day: load, 7/28-day totals, ratios) of every athlete into DIRECTORY, for DuckDB,
    pandas, Polars or Spark. SI units in activities, km in the daily series as in 'load'.
    """
    result = export_parquet(ctx.store, directory, ctx.config)
    for name, rows in result.rows.items():
        say(f"{result.directory / name}: {rows} rows")


