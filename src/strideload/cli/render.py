"""Render lists of records as a table, JSON or CSV on standard output."""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

FORMATS = ("table", "json", "csv")
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="Output as a table for people, or JSON / CSV for scripts.",
)
#: For views that are not one table (``status``): a table for people, or JSON.
table_or_json_option = click.option(
    "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True,
    help="Output for people, or JSON for scripts.",
)
#: Local calendar dates on the command line.
DATE = click.DateTime(["%Y-%m-%d"])
as_of_option = click.option("--as-of", "as_of", type=DATE, help="The day to look from [default: today].")


def _plain(value: Any) -> Any:
    """JSON-safe value: NaN and NA become null, dates ISO strings, numpy scalars Python ones."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return value


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def render(rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None,
           title: str | None = None) -> None:
    """Write ``rows`` to stdout in ``fmt``. ``columns`` picks and orders the table/CSV columns."""
    rows = [{k: _plain(v) for k, v in row.items()} for row in rows]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    if not rows:
        click.echo("Nothing to show.")
        return
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console = Console(soft_wrap=False)
    if not console.is_terminal:  # piped: don't squeeze columns into the 80-column default
        console = Console(soft_wrap=False, width=max(160, 14 * len(columns)))
    console.print(table)
