"""Ordered, named schema migrations. Append only: never edit one that has shipped.

Each is applied once, inside a transaction, and recorded in the ``migrations`` table.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_activities_files_streams", """
        CREATE TABLE activities (
            id TEXT PRIMARY KEY,
            athlete TEXT NOT NULL,
            sport TEXT,
            sub_sport TEXT,
            running INTEGER NOT NULL,
            surface TEXT NOT NULL,
            surface_source TEXT NOT NULL,
            start_time TEXT,
            start_utc TEXT,
            local_date TEXT,
            distance_m REAL,
            timer_s REAL,
            elapsed_s REAL,
            ascent_m REAL,
            descent_m REAL,
            downhill_5pct_m REAL,
            downhill_10pct_m REAL,
            cadence_spm REAL,
            avg_speed_mps REAL,
            device TEXT,
            format TEXT NOT NULL,
            source_path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            name TEXT,
            imported_at TEXT NOT NULL
        );
        CREATE INDEX activities_by_athlete_date ON activities (athlete, local_date);
        CREATE INDEX activities_by_athlete_start ON activities (athlete, start_utc);
        CREATE INDEX activities_by_sha ON activities (sha256);

        CREATE TABLE streams (
            activity_id TEXT PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
            parquet BLOB NOT NULL
        );

        -- Every file whose bytes were handled, keyed by content: the same bytes are never read twice.
        CREATE TABLE files (
            sha256 TEXT PRIMARY KEY,
            athlete TEXT NOT NULL,
            source_path TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('added', 'duplicate', 'no-activity')),
            detail TEXT,
            imported_at TEXT NOT NULL
        );

        -- Files that failed, by path, cleared when the path later imports.
        CREATE TABLE failures (
            source_path TEXT PRIMARY KEY,
            athlete TEXT NOT NULL,
            sha256 TEXT,
            reason TEXT NOT NULL,
            failed_at TEXT NOT NULL
        );
    """),
]
