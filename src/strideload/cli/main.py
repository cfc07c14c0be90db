"""Entry point: the command group, options shared by every command, one error handler.

Each command lives in its own module and is one library call plus rendering. The group
loads a command's module only when that command runs (:data:`COMMANDS`), so ``strideload
--help`` and the light commands start without pandas, pyarrow or plotly.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..errors import StrideloadError, UsageError

if TYPE_CHECKING:
    from ..config import Config
    from ..store import Store

#: Every command: name -> ("module:attribute" under strideload.cli, the first paragraph of its
#: help). ``strideload --help`` lists them from here without importing their modules; a test
#: checks each line against the command's own docstring. A new command adds its line here.
COMMANDS: dict[str, tuple[str, str]] = {
    "import": ("importing:import_command",
               "Import watch exports: FIT, GPX, TCX, gzipped, and Strava / Garmin bulk-export zips."),
    "activities": ("corrections:activities_group",  # with its corrections (move, delete) attached
                   "List stored activities: date and local start time, name, distance, time, pace, cadence."),
    "athletes": ("corrections:athletes_group",
                 "List athletes with activity counts, running distance and date range."),
    "history": ("corrections:history_command",
                "Every correction made by hand, newest first: moves, deletions, renames, merges, pain edits."),
    "flags": ("analysis:flags_command",
              "Flags: session and downhill spikes, load ratios, cadence, surface, monotony, pain, return to run."),
    "load": ("analysis:load_command",
             "The daily running load: distance, duration, downhill, descent, the load in its unit, 7/28-day "
             "totals, ratios."),
    "status": ("status:status_command",
               "Where you stand: last 7 / 28 days, ratios, spike limit, downhill, cadence, the week's flags."),
    "config": ("analysis:config_command",
               "Every setting: effective value, unit, what it does, its source and where the value came from."),
    "pain": ("pain:pain_group",
             "Your knee-pain log: scores 0–10 during and after runs, the next morning, or daily."),
    "rpe": ("effort:rpe_group",
            "Effort per run: RPE 0–10 (Borg CR-10, halves allowed), for session-RPE load (RPE × minutes)."),
    "context": ("effort:context_group", "Injury, illness and holiday periods: the days that explain a gap."),
    "rtr": ("rtr:rtr_group",
            "Return to run: a protocol's stages, what each run actually was, and whether to progress."),
    "report": ("report:report_command",
               "HTML reports: load and knee pain side by side, ratios, spikes, downhill, cadence, surface."),
    "watch": ("watch:watch_command",
              "Import everything in FOLDER, then each watch export that lands there, until stopped."),
    "doctor": ("doctor:doctor_command",
               "Check the store: it opens, its schema is this version's, SQLite's integrity and "
               "foreign-key checks pass, every activity has its stream, which files failed, which runs "
               "are set aside as implausible, whether a watcher is running; and leftover report temp files."),
    "science": ("science:science_command",
                "The evidence behind strideload's signals: one note per source key."),
    "export": ("export:export_command",
               "Write activities.parquet (one row per activity) and daily.parquet (one row per athlete "
               "and day: load, 7/28-day totals, ratios) of every athlete into DIRECTORY, for DuckDB, "
               "pandas, Polars or Spark. SI units in activities, km in the daily series as in 'load'."),
}


class Context:
    """What every command needs: the effective config and (opened lazily) the store."""

    def __init__(self, db: Path | None, config_path: Path | None):
        from ..store import default_db_path

        self.db_path = db or default_db_path()
        self.config_path = config_path
        self._store: Store | None = None
        self._config: Config | None = None
        #: set by commands that write (import, watch, pain add, rtr start ...): they may create the store
        self.creates_store = False

    @property
    def config(self) -> Config:
        if self._config is None:
            from ..config import load_config

            self._config = load_config(self.config_path)
        return self._config

    @property
    def store(self) -> Store:
        """The store; commands that only read refuse a path where no store exists (a typo in
        ``--db`` must not answer "nothing to show" from a new, empty store)."""
        if self._store is None:
            from ..ingest import localtime
            from ..store import Store

            if not self.creates_store and not self.db_path.exists():
                raise UsageError(f"no strideload store at {self.db_path}: import something first "
                                 "('strideload import PATH'), or check --db / STRIDELOAD_DB" + _demo_hint())
            self._store = Store.open(self.db_path)
            # local dates decided by a setting follow it: re-date runs whose zone setting changed
            localtime.refresh(self._store, self.config)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


#: Where the README's set-up command puts the demo store, relative to the repository.
DEMO_DB = Path("reports") / "sample.db"


def _demo_hint() -> str:
    """Point a newcomer at the demo store when it sits in the current folder."""
    if os.environ.get("STRIDELOAD_DB") or not DEMO_DB.is_file():
        return ""
    return f". The demo store is {DEMO_DB}: export STRIDELOAD_DB={DEMO_DB.as_posix()} (or --db {DEMO_DB.as_posix()})"


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--db`` and ``--config`` to a command and pass a :class:`Context` as ``ctx``."""

    @click.option("--db", type=click.Path(dir_okay=False, path_type=Path), envvar="STRIDELOAD_DB",
                  help="SQLite store to use [env: STRIDELOAD_DB; default: your user data folder].")
    @click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                  envvar="STRIDELOAD_CONFIG",
                  help="TOML settings file [env: STRIDELOAD_CONFIG; default: your user config folder].")
    @functools.wraps(command)
    def wrapper(db: Path | None, config_path: Path | None, **kwargs: Any) -> Any:
        ctx = Context(db, config_path)
        try:
            return command(ctx=ctx, **kwargs)
        finally:
            ctx.close()

    return wrapper


class StrideloadGroup(click.Group):
    """Loads each command from its module on first use (``lazy``: name -> ("module:attribute",
    first paragraph of its help)), and turns every :class:`StrideloadError` into one line on
    stderr and exit status 1."""

    def __init__(self, *args: Any, lazy: Mapping[str, tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name][0].partition(":")
            command = getattr(import_module(f".{module}", __package__), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list as click writes it, from the table for commands not loaded yet."""
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or click.Command(name, help=self.lazy[name][1])
            if not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in rows])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StrideloadError as exc:  # one line, printed literally (names and paths are data)
            from .render import literal

            raise click.ClickException(literal(str(exc))) from exc
        except sqlite3.DatabaseError as exc:  # a store damaged on disk, not a bug: say so in one line
            raise click.ClickException(f"the store cannot be read: {exc} (run 'strideload doctor')") from exc


def configure_logging(debug: bool) -> None:
    """strideload's own log lines on stderr: warnings as one line each; with ``debug``, every
    detail, including the traceback of any file that failed on an unexpected error."""
    logger = logging.getLogger("strideload")
    for handler in list(logger.handlers):
        if getattr(handler, "strideload_cli", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.strideload_cli = True  # type: ignore[attr-defined]
    if debug:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("strideload: %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    logger.propagate = False


def _debug_from_env() -> bool:
    return os.environ.get("STRIDELOAD_DEBUG", "") not in ("", "0")


@click.group(cls=StrideloadGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="strideload")
@click.option("--debug", is_flag=True, default=False,
              help="Log every detail on stderr, with the traceback of any file that failed on an "
                   "unexpected error (a bug to report) [env: STRIDELOAD_DEBUG=1].")
def cli(debug: bool) -> None:
    """strideload: running-watch exports in, knee-load warnings out.

    \b
    Typical use:
      strideload import ~/Downloads/watch-exports      # FIT, GPX, TCX, .gz, Strava/Garmin zips
      strideload status                                # is this week a spike?
      strideload report                                # HTML reports in ./reports

    strideload shows observations about training load next to your own knee-pain log.
    It does not diagnose anything.
    """
    configure_logging(debug or _debug_from_env())


def main() -> None:
    """The ``strideload`` command."""
    try:
        cli(prog_name="strideload")  # ends with SystemExit, whatever happened
    except SystemExit as done:
        if isinstance(done.code, int | None):
            _exit_now(done.code or 0)
        raise


def _exit_now(code: int) -> None:
    """End the process with ``code`` once its exit handlers ran and its output is out, without
    the interpreter's teardown of every module it loaded: after an import or a report (pandas,
    numpy, pyarrow, plotly) that takes about 0.3 s and frees only what the system frees anyway.
    Returns, for the normal exit, while another thread runs (Python's exit waits for it) or
    when the output cannot be written (Python reports that)."""
    import atexit
    import threading

    if threading.active_count() > 1:
        return
    atexit._run_exitfuncs()  # what Python runs first on exit: logging's flush, temporary files, workers
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        return
    os._exit(code)
