"""Render lists of records as a table for people, or JSON / CSV for scripts, on standard output.

Everything that came from a file, a name or a note is data, never markup: text is printed
literally (``[bold]`` stays ``[bold]``, rich never sees it as markup), control characters and
ESC sequences are shown as ``\\x1b`` instead of reaching the terminal, bidirectional
overrides as ``\\u202e``, and CSV text cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading ``'``.

Tables use people's units through :class:`Column` (header and how to show a value);
JSON and CSV keep the SI field names and values.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import units

FORMATS = ("table", "json", "csv")
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="Output as a table for people, or JSON / CSV (SI units, field names as in the docs) for scripts.",
)
#: For views that are not one table (``status``): a table for people, or JSON.
table_or_json_option = click.option(
    "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True,
    help="Output for people, or JSON for scripts.",
)

#: Earliest date accepted on the command line (no running watch exports predate it).
FIRST_DATE = date(1990, 1, 1)


class DateType(click.DateTime):
    """A local calendar date ``YYYY-MM-DD`` between 1990-01-01 and the end of next year."""

    name = "date"

    def __init__(self) -> None:
        super().__init__(["%Y-%m-%d"])

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        converted = super().convert(value, param, ctx)
        last = date(date.today().year + 1, 12, 31)
        if not FIRST_DATE <= converted.date() <= last:
            self.fail(f"{converted:%Y-%m-%d} is outside {FIRST_DATE:%Y-%m-%d} … {last:%Y-%m-%d}", param, ctx)
        return converted


#: Local calendar dates on the command line.
DATE = DateType()
as_of_option = click.option("--as-of", "as_of", type=DATE, help="The day to look from [default: today].")

# -- literal text --------------------------------------------------------------------------
#: C0 and C1 control characters, DEL, and the bidirectional overrides that can reorder a line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: What JSON (``ensure_ascii=False``) leaves raw: C1, DEL and the bidi overrides.
_JSON_RAW = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def literal(text: Any, *, newlines: bool = False) -> str:
    """``text`` as printable characters: tabs (and, unless ``newlines``, line breaks) become
    spaces; every other control character is shown escaped (``\\x1b``)."""
    text = str(text)
    text = text.replace("\t", " ") if newlines else re.sub(r"[\t\r\n]", " ", text)
    return _CONTROL.sub(lambda m: m.group() if newlines and m.group() == "\n" else _escaped(m), text)


def say(message: Any = "", *, err: bool = False) -> None:
    """Print one message (lines kept), literally: nothing in it can style or steer the terminal."""
    click.echo(literal(message, newlines=True), err=err)


def written(result: Any, repeats: str = "already recorded") -> str:
    """What a write of log entries did (``store.Written``), in one phrase."""
    return f"{result.added} added, {result.updated} updated, {result.unchanged} {repeats}"


def csv_cell(value: Any) -> Any:
    """A CSV value: text without control characters, and never a spreadsheet formula."""
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub(lambda m: m.group() if m.group() in "\n\t" else _escaped(m), value)
    return "'" + text if text.startswith(_FORMULA) else text


# -- values ----------------------------------------------------------------------------------
def plain(value: Any) -> Any:
    """JSON-safe value: NaN and NA become null, dates ISO strings, numpy scalars Python ones."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    pd = sys.modules.get("pandas")  # a value can only be pandas' NA or NaT once pandas is loaded
    if pd is not None and (value is pd.NA or value is pd.NaT):
        return None
    return value


def cell(value: Any) -> str:
    """A value as a table shows it when its column says nothing more."""
    value = plain(value)
    if value is None:
        return units.MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


@dataclass(frozen=True)
class Column:
    """One column of a table for people: its header and how a row shows in it.

    ``show(row)`` returns the text (default: the row's ``key`` value as :func:`cell` writes it);
    ``right`` aligns numbers; ``wrap`` lets long free text (names, messages, notes) fold onto
    several lines, where other columns keep their values whole.
    """

    key: str
    header: str
    show: Callable[[dict[str, Any]], Any] | None = None
    right: bool = False
    wrap: bool = False

    def text(self, row: dict[str, Any]) -> str:
        value = self.show(row) if self.show is not None else row.get(self.key)
        return value if isinstance(value, str) else cell(value)


def column(key: str, header: str, show: Callable[[Any], Any] | None = None, *, right: bool = False,
           wrap: bool = False) -> Column:
    """A :class:`Column` showing ``show(row[key])`` (or the value itself)."""
    return Column(key, header, None if show is None else (lambda row: show(plain(row.get(key)))), right, wrap)


def _console(columns: int) -> Console:
    console = Console(soft_wrap=False, highlight=False, markup=False, emoji=False)
    if not console.is_terminal:  # piped: don't squeeze columns into the 80-column default
        console = Console(soft_wrap=False, highlight=False, markup=False, emoji=False,
                          width=max(200, 18 * columns))
    return console


def render(rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None,
           title: str | None = None, *, table: Sequence[Column] | None = None) -> None:
    """Write ``rows`` to stdout in ``fmt``.

    JSON has every field of the rows; ``columns`` picks and orders the CSV fields (and the
    table's, when ``table`` is not given); ``table`` gives the columns people read: headers
    and values in their units.
    """
    rows = [{str(k): plain(v) for k, v in row.items()} for row in rows]
    if fmt == "json":
        text = json.dumps(rows, indent=2, ensure_ascii=False)
        click.echo(_JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
        return
    fields = list(columns or (rows[0].keys() if rows else []))
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
        return
    if not rows:
        click.echo("Nothing to show.")
        return
    shown = list(table) if table is not None else [Column(name, name, wrap=True) for name in fields]
    grid = Table(title=Text(literal(title)) if title else None, show_lines=False, header_style="bold",
                 show_header=any(spec.header for spec in shown))
    for spec in shown:
        grid.add_column(Text(literal(spec.header)), overflow="fold", justify="right" if spec.right else "left",
                        no_wrap=not spec.wrap)
    for row in rows:
        grid.add_row(*(Text(literal(spec.text(row))) for spec in shown))
    _console(len(shown)).print(grid)
