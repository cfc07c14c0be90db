"""Export a store for research: activity summaries and daily series as Parquet files.

``export_parquet(store, "out/")`` writes, for every athlete in the store:

* ``activities.parquet``: one row per activity, the :data:`~strideload.model.SUMMARY_FIELDS`
  (plus ``name``), in SI units; ``local_date`` is a date, ``start_time`` the local ISO text
  and ``start_utc`` a UTC timestamp;
* ``daily.parquet``: one row per athlete and local day, the columns of
  :data:`strideload.analyze.DAILY_COLUMNS` (distances in km, as ``strideload load``).

Plain Parquet types only (dates, microsecond UTC timestamps, doubles, strings, booleans),
so DuckDB (``SELECT * FROM 'out/daily.parquet'``), pandas, Polars and Spark read them as
they are. Athletes are analysed in batches so memory stays bounded for large cohorts;
each file is written beside its final name and renamed when complete.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import analyze
from .config import Config
from .errors import UsageError
from .store import Store

#: Athletes analysed at a time for the daily series.
ATHLETES_PER_BATCH = 200


@dataclass
class ExportResult:
    """Where the export went and how many rows each file holds."""

    directory: Path
    rows: dict[str, int] = field(default_factory=dict)


def export_parquet(store: Store, directory: str | Path, config: Config | None = None) -> ExportResult:
    """Write ``activities.parquet`` and ``daily.parquet`` of every athlete into ``directory``."""
    config = config or Config()
    directory = Path(directory).expanduser()
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is a file, not a folder")
    directory.mkdir(parents=True, exist_ok=True)
    result = ExportResult(directory)
    summaries = store.activities_frame()
    result.rows["activities.parquet"] = _write(directory / "activities.parquet", [_activities(summaries)])
    athletes = sorted(summaries["athlete"].unique())
    batches = (summaries[summaries["athlete"].isin(athletes[i:i + ATHLETES_PER_BATCH])]
               for i in range(0, len(athletes), ATHLETES_PER_BATCH))
    daily = (_daily(analyze.daily_load(batch, config)) for batch in batches)
    result.rows["daily.parquet"] = _write(directory / "daily.parquet", daily, empty=_daily(_empty_daily()))
    return result


def _activities(summaries: pd.DataFrame) -> pd.DataFrame:
    frame = summaries.copy()
    frame["local_date"] = pd.to_datetime(frame["local_date"]).dt.date
    frame["start_utc"] = pd.to_datetime(frame["start_time"], utc=True, format="ISO8601")
    return frame


def _daily(daily: pd.DataFrame) -> pd.DataFrame:
    frame = daily.copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame


def _empty_daily() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype="float64") for name in analyze.DAILY_COLUMNS})
    frame["athlete"] = pd.Series(dtype="object")
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    return frame


def _table(frame: pd.DataFrame, schema: pa.Schema | None) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False, schema=schema)
    return table.replace_schema_metadata(None) if schema is None else table


def _write(path: Path, frames, empty: pd.DataFrame | None = None) -> int:
    """Write ``frames`` (an iterable of DataFrames with one schema) as one Parquet file; its rows."""
    partial = path.with_name(f".{path.name}.partial")
    writer: pq.ParquetWriter | None = None
    rows = 0
    try:
        for frame in frames:
            table = _table(frame, writer.schema if writer is not None else None)
            if writer is None:
                writer = pq.ParquetWriter(partial, table.schema, compression="zstd", coerce_timestamps="us",
                                          allow_truncated_timestamps=True)
            writer.write_table(table)
            rows += table.num_rows
        if writer is None:  # nothing to write: an empty file with the columns
            table = _table(empty if empty is not None else pd.DataFrame(), None)
            writer = pq.ParquetWriter(partial, table.schema, compression="zstd", coerce_timestamps="us")
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    os.replace(partial, path)
    return rows
