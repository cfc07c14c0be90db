"""Where each athlete stands, kept in the store between changes, so ``strideload status``
answers in a blink: the analysis (numpy, pandas) loads only when something changed.

:func:`status` returns the rows of :func:`strideload.analyze.status` as plain records. It
looks in the store first (:mod:`strideload.store.snapshots`): rows are valid while the
store's data generation stands (any write to what the status reads moves it on) and the
key matches: the athlete asked for, the day (``as_of``, or each athlete's local today),
every effective setting, and this strideload (version and the stamp of its files, so an
edited or upgraded install never answers from old code). Otherwise it computes the rows
and saves them for the next time; the CLI's ``import`` does so right after importing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import SETTINGS, Config

if TYPE_CHECKING:
    import pandas as pd

    from .store import Store

log = logging.getLogger(__name__)

#: Bump when the rows' form changes (a new column, another encoding).
FORMAT = 1


def records(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows of ``frame`` as plain dicts, datetime columns as ISO dates and NaN as None."""
    import pandas as pd

    frame = frame if columns is None else frame[list(columns)]
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = [None if pd.isna(v) else v.date().isoformat() for v in out[name]]
    return [{str(k): v for k, v in row.items()}
            for row in out.astype(object).where(out.notna(), None).to_dict("records")]


def status(store: Store, config: Config, athlete: str | None = None,
           as_of: date | None = None) -> list[dict[str, Any]]:
    """The status rows (:data:`strideload.analyze.STATUS_COLUMNS`) of every athlete, or of
    ``athlete``, on ``as_of`` (default: each athlete's local today), most concerning first.

    The same rows as ``records(analyze.status(...))``: from the store's snapshot when nothing
    changed since it was taken, else computed and saved.
    """
    generation = store.data_generation()
    key = _key(store, config, athlete, as_of)
    saved = store.snapshot(key, generation)
    if saved is not None:
        return _decoded(saved)
    rows = compute(store, config, athlete, as_of)
    text = _encoded(rows)
    if text is not None:
        store.save_snapshot(key, generation, text)
    return rows


def preload() -> None:
    """Import what computing the rows needs (pandas and the analysis: about half a second), for a
    head start: ``import`` does it while its worker processes read files."""
    from . import analyze, rtr  # noqa: F401


def compute(store: Store, config: Config, athlete: str | None = None,
            as_of: date | None = None) -> list[dict[str, Any]]:
    """The status rows computed from the store, without the snapshot."""
    from . import analyze, rtr

    frame = analyze.status(store.activities_frame(athlete), config, as_of=as_of,
                           pain=store.pain_frame(athlete), rtr=rtr.inputs(store, config, athlete),
                           context=store.context_frame(athlete))
    return records(frame)


def refresh(store: Store, config: Config, since_generation: int | None = None) -> bool:
    """Compute and keep today's status of every athlete, when the data changed since
    ``since_generation`` (any time when None), so the next ``strideload status`` is instant.

    For commands that have just written (``import``): the rows are theirs to keep, never
    their failure; anything going wrong here is logged (debug) and the next status computes.
    """
    if since_generation is not None and store.data_generation() == since_generation:
        return False
    if store.readonly or not store.athlete_names():
        return False
    try:
        status(store, config)
    except Exception:  # a cache: the status command itself reports whatever this was
        log.debug("status snapshot not computed", exc_info=True)
        return False
    return True


# -- the key ----------------------------------------------------------------------------
def _key(store: Store, config: Config, athlete: str | None, as_of: date | None) -> str:
    names = [athlete] if athlete is not None else store.athlete_names()
    days = as_of.isoformat() if as_of is not None else {name: config.today(name).isoformat() for name in names}
    settings = {"values": {name: config.get(name) for name in SETTINGS}, "athletes": config.athletes}
    parts = [FORMAT, __version__, _code_stamp(), athlete, days, settings]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@lru_cache(maxsize=1)
def _code_stamp() -> str:
    """Path, size and modification time of every file of this package (an edited install's
    rows are computed anew); about a millisecond."""
    root = Path(__file__).parent
    entries = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                info = os.stat(os.path.join(folder, name))
                entries.append(f"{os.path.relpath(os.path.join(folder, name), root)}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()


# -- rows as JSON ---------------------------------------------------------------------
_PLAIN = (str, int, float, bool, type(None))


def _encoded(rows: list[dict[str, Any]]) -> str | None:
    """``rows`` as JSON that :func:`_decoded` turns back into equal rows of the same types
    (dates tagged); None when a value has a type that would not come back the same."""
    try:
        return json.dumps([_tagged(row) for row in rows], ensure_ascii=False)
    except TypeError:
        return None


def _tagged(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if type(value) is datetime:
        return {"$datetime": value.isoformat()}
    if type(value) is date:
        return {"$date": value.isoformat()}
    if type(value) is list:
        return [_tagged(item) for item in value]
    if type(value) is dict and all(type(k) is str and not k.startswith("$") for k in value):
        return {k: _tagged(v) for k, v in value.items()}
    raise TypeError(f"not kept in a snapshot: {type(value).__name__}")


def _untagged(value: dict[str, Any]) -> Any:
    if len(value) == 1:
        if "$date" in value:
            return date.fromisoformat(value["$date"])
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
    return value


def _decoded(text: str) -> list[dict[str, Any]]:
    return json.loads(text, object_hook=_untagged)
