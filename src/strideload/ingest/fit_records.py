"""Record columns as both FIT paths hand them to ``fit.read_fit``: numpy arrays of one length,
one row per FIT second ``t`` (records sharing a second merged), without pandas."""

from __future__ import annotations

from typing import Any

import numpy as np


class RecordColumns:
    """Record columns (numpy arrays of one length, ``t`` first) with the few DataFrame manners
    ``fit.read_fit`` uses: ``columns``, ``empty``, ``len``, ``[name]`` and ``[mask]``. ``span``:
    the first and last ``t`` (FIT s) when the times increase, else None."""

    def __init__(self, columns: dict[str, np.ndarray], span: tuple[int, int] | None = None):
        self._columns = columns
        self.span = span

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def empty(self) -> bool:
        return len(self) == 0

    def __len__(self) -> int:
        return len(self._columns["t"])

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return self._columns[key]
        return RecordColumns({name: values[key] for name, values in self._columns.items()})


def first_per_second(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Records sharing a second ``t`` merged into one: per column its first non-NaN value, the
    seconds in the order they first appear (the Strava app writes position and distance as two
    records of one second)."""
    t = columns["t"]
    seconds, first_row, group = np.unique(t, return_index=True, return_inverse=True)
    order = np.argsort(first_row, kind="stable")
    merged = {"t": seconds[order]}
    rows = np.arange(len(t))
    for name, values in columns.items():
        if name == "t":
            continue
        valid = ~np.isnan(values)
        first = np.full(len(seconds), len(t))
        np.minimum.at(first, group[valid], rows[valid])
        found = first < len(t)
        merged[name] = np.where(found, values[np.where(found, first, 0)], np.nan)[order]
    return merged
