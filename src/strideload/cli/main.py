"""Entry point: the command group, options shared by every command, one error handler.

Each command lives in its own module and is one library call plus rendering.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..config import Config, load_config
from ..errors import StrideloadError, UsageError
from ..ingest import localtime
from ..store import Store, default_db_path
from .render import literal


class Context:
    """What every command needs: the effective config and (opened lazily) the store."""

    def __init__(self, db: Path | None, config_path: Path | None):
        self.db_path = db or default_db_path()
        self.config_path = config_path
        self._store: Store | None = None
        self._config: Config | None = None
        #: set by commands that write (import, watch, pain add, rtr start ...): they may create the store
        self.creates_store = False

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    @property
    def store(self) -> Store:
        """The store; commands that only read refuse a path where no store exists (a typo in
        ``--db`` must not answer "nothing to show" from a new, empty store)."""
        if self._store is None:
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
    """Turns every :class:`StrideloadError` into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StrideloadError as exc:  # one line, printed literally (names and paths are data)
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


@click.group(cls=StrideloadGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


def _register() -> None:
    from . import analysis, corrections, doctor, effort, export, importing, listing, pain, report, rtr, science, watch

    for module in (importing, listing, corrections, analysis, pain, effort, rtr, report, watch, doctor, science,
                   export):
        for command in module.COMMANDS:
            cli.add_command(command)
    for command in corrections.PAIN_COMMANDS:
        pain.pain_group.add_command(command)


_register()


def main() -> None:
    cli(prog_name="strideload")
