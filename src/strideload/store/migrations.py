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
    ("0002_pain_and_rtr", """
        -- The pain log. One row per moment: the same athlete, date, time, when and side is the
        -- same entry, so re-importing a CSV adds nothing (a changed score updates it).
        -- 'time' and 'side' are '' when not given (NULLs would never collide).
        CREATE TABLE pain (
            athlete TEXT NOT NULL,
            date TEXT NOT NULL,
            time TEXT NOT NULL DEFAULT '',
            timing TEXT NOT NULL CHECK (timing IN ('during', 'after', 'next-morning', 'daily')),
            side TEXT NOT NULL DEFAULT '' CHECK (side IN ('', 'left', 'right', 'both')),
            score REAL NOT NULL CHECK (score >= 0 AND score <= 10),
            note TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (athlete, date, time, timing, side)
        );

        -- Return-to-run plans: the protocol file's text is kept, so a plan reads the same
        -- later even if the file changes or moves.
        CREATE TABLE rtr_plans (
            id INTEGER PRIMARY KEY,
            athlete TEXT NOT NULL,
            protocol TEXT NOT NULL,
            protocol_toml TEXT NOT NULL,
            start_date TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX rtr_plans_by_athlete ON rtr_plans (athlete, start_date);

        -- The stage a plan is at from a date on: the start, then each decision of the PT.
        CREATE TABLE rtr_decisions (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES rtr_plans (id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            stage INTEGER NOT NULL CHECK (stage >= 1),
            note TEXT,
            decided_at TEXT NOT NULL
        );
        CREATE INDEX rtr_decisions_by_plan ON rtr_decisions (plan_id, date);
    """),
    ("0003_people_corrections", """
        -- Corrections made by hand (move, delete, rename, merge, pain edits), one row each,
        -- written in the same transaction as the change; 'strideload history' lists them.
        CREATE TABLE change_log (
            id INTEGER PRIMARY KEY,
            changed_at TEXT NOT NULL,
            action TEXT NOT NULL,
            athlete TEXT,
            summary TEXT NOT NULL,
            detail TEXT
        );
        CREATE INDEX change_log_by_athlete ON change_log (athlete, id);

        -- Files whose activities were deleted by hand: importing them again (or the watcher
        -- finding them) brings nothing back unless forced.
        CREATE TABLE deleted_files (
            sha256 TEXT PRIMARY KEY,
            athlete TEXT NOT NULL,
            source_path TEXT NOT NULL,
            deleted_at TEXT NOT NULL
        );

        -- Pain entries get a stable id (shown by 'pain list', used by 'pain edit' and
        -- 'pain delete'); a moment (athlete, date, time, when, side) stays unique.
        CREATE TABLE pain_by_id (
            id INTEGER PRIMARY KEY,
            athlete TEXT NOT NULL,
            date TEXT NOT NULL,
            time TEXT NOT NULL DEFAULT '',
            timing TEXT NOT NULL CHECK (timing IN ('during', 'after', 'next-morning', 'daily')),
            side TEXT NOT NULL DEFAULT '' CHECK (side IN ('', 'left', 'right', 'both')),
            score REAL NOT NULL CHECK (score >= 0 AND score <= 10),
            note TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            UNIQUE (athlete, date, time, timing, side)
        );
        INSERT INTO pain_by_id (athlete, date, time, timing, side, score, note, source, recorded_at)
            SELECT athlete, date, time, timing, side, score, note, source, recorded_at FROM pain
            ORDER BY athlete, date, time, timing, side;
        DROP TABLE pain;
        ALTER TABLE pain_by_id RENAME TO pain;
    """),
    ("0004_archive_summary_only", """
        -- Activities known only by their totals (a run typed in by hand in Strava, listed in a bulk
        -- export's activities.csv with no file): they count in load but have no samples.
        ALTER TABLE activities ADD COLUMN summary_only INTEGER NOT NULL DEFAULT 0;
    """),
    ("0005_rtr_plan_source", """
        -- Who recorded each return-to-run plan and decision: 'cli' (rtr start / rtr set) or the
        -- path of the plan file it came from, so a file and the command line never override
        -- each other unseen. NULL: recorded before strideload kept this.
        ALTER TABLE rtr_plans ADD COLUMN source TEXT;
        ALTER TABLE rtr_decisions ADD COLUMN source TEXT;
    """),
    ("0006_quirks_zone_elevation_cadence", """
        -- The zone a run's local times are in and the rule that chose it (ingest.localtime):
        -- runs decided by a setting or by a neighbouring run are re-dated when that changes.
        -- NULL on runs stored before: strideload re-derives those the next time it opens the store.
        ALTER TABLE activities ADD COLUMN timezone TEXT;
        ALTER TABLE activities ADD COLUMN timezone_source TEXT;
        -- barometric | gps | dem | none: the sensor the ascent was counted for.
        ALTER TABLE activities ADD COLUMN elevation_source TEXT;
        -- The device's own average cadence (steps/min), and how many samples the file recorded.
        ALTER TABLE activities ADD COLUMN device_cadence_spm REAL;
        ALTER TABLE activities ADD COLUMN samples INTEGER;
        CREATE INDEX activities_by_zone_rule ON activities (timezone_source, athlete);
    """),
    ("0007_trust_speeds_and_decisions", """
        -- The speeds a run is judged by, and the GPS spikes removed from its stream at import
        -- (NULL for activities imported before: unknown, never judged on them).
        ALTER TABLE activities ADD COLUMN run_speed_mps REAL;
        ALTER TABLE activities ADD COLUMN sustained_speed_mps REAL;
        ALTER TABLE activities ADD COLUMN gps_spikes_removed INTEGER;

        -- The runner's own decision on an activity, overriding the automatic plausibility rule:
        -- 'include' counts a run set aside, 'exclude' sets one aside. Keyed by activity id and
        -- without a foreign key, so importing the same file again keeps the decision.
        CREATE TABLE activity_decisions (
            activity_id TEXT PRIMARY KEY,
            decision TEXT NOT NULL CHECK (decision IN ('include', 'exclude')),
            decided_at TEXT NOT NULL
        );
    """),
    ("0008_speed_file_stats", """
        -- What each file on disk looked like when its bytes were last handled (size in bytes,
        -- modification time in ns): a re-import that finds the same path, size and mtime knows
        -- its bytes without reading or hashing them. A changed file is read again.
        CREATE TABLE file_stats (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            sha256 TEXT NOT NULL
        );
    """),
    ("0009_load_rpe_context", """
        -- Effort of a run (RPE 0-10, Borg CR-10) as its file or export states it (FIT session
        -- workout_rpe, Strava's Perceived Exertion); NULL when not stated. A runner's own entry
        -- lives in efforts and wins over it.
        ALTER TABLE activities ADD COLUMN rpe REAL;
        -- Seconds at each heart rate while moving, JSON {"moving_s": N, "hr": [[bpm, s], ...]}, for
        -- TRIMP under any resting/maximum heart rate; '' when the run has no heart rate, NULL when
        -- not yet computed (runs stored before: filled in from their stream at the next import).
        ALTER TABLE activities ADD COLUMN hr_histogram TEXT;

        -- RPE given by hand (rpe add / rpe import / rpe*.csv). Keyed by activity id without a
        -- foreign key, as activity_decisions: importing the same file again keeps it.
        CREATE TABLE efforts (
            activity_id TEXT PRIMARY KEY,
            rpe REAL NOT NULL CHECK (rpe >= 0 AND rpe <= 10),
            note TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );

        -- Days that explain a gap: injury, illness, holiday. Known gaps in the coverage model.
        CREATE TABLE context_periods (
            id INTEGER PRIMARY KEY,
            athlete TEXT NOT NULL,
            start_date TEXT NOT NULL,
            end_date TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('injury', 'illness', 'holiday')),
            note TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            UNIQUE (athlete, start_date, end_date, kind)
        );
        CREATE INDEX context_by_athlete ON context_periods (athlete, start_date);
    """),
    ("0010_startup_status_snapshot", """
        -- A counter every change to what 'strideload status' reads moves on (triggers below), and
        -- the status rows computed at some count: while the count stands, the command answers
        -- from the rows without loading the analysis (pandas). Key: athlete filter, day(s),
        -- settings and code (strideload.snapshot). Rows are JSON.
        CREATE TABLE data_generation (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            value INTEGER NOT NULL
        );
        INSERT INTO data_generation (id, value) VALUES (1, 0);
        CREATE TABLE status_snapshots (
            key TEXT PRIMARY KEY,
            generation INTEGER NOT NULL,
            rows TEXT NOT NULL,
            taken_at TEXT NOT NULL
        );
""" + "".join(
        f"""
        CREATE TRIGGER {table}_{event.lower()}_moves_generation AFTER {event} ON {table}
        BEGIN UPDATE data_generation SET value = value + 1 WHERE id = 1; END;"""
        for table in ("activities", "streams", "activity_decisions", "pain", "rtr_plans", "rtr_decisions",
                      "efforts", "context_periods")
        for event in ("INSERT", "UPDATE", "DELETE"))),
]
