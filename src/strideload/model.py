"""The data contract: what a reader produces, and what an imported activity holds.

All values are SI. Units are converted only for display.

Two stages:

* :class:`RawActivity` is what a format reader (``ingest.fit``, ``ingest.gpx``,
  ``ingest.tcx``) returns: the file's own facts plus per-sample columns, the
  :data:`RAW_COLUMNS` as numpy arrays. Readers already convert cadence to **steps/min**.
* :class:`Activity` is what ``ingest.stream.normalise`` makes of it: the summary
  (:data:`SUMMARY_FIELDS`, the exact JSON names) and the per-second stream with the
  :data:`STREAM_COLUMNS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy and pandas load where arrays and frames are built: importing the model stays cheap
    import numpy as np
    import pandas as pd

#: Columns of a reader's sample frame: name -> (unit, description). Missing channels are NaN.
RAW_COLUMNS: dict[str, tuple[str, str]] = {
    "time": ("UTC", "sample timestamp: int64 ns since the epoch in columns, tz-aware UTC in a frame"),
    "distance_m": ("m", "cumulative distance as recorded by the device; NaN when absent"),
    "speed_mps": ("m/s", "instantaneous speed as recorded; NaN when absent"),
    "elevation_m": ("m", "altitude as recorded (barometric or GPS); NaN when absent"),
    "cadence_spm": ("steps/min", "cadence in steps per minute (both feet); NaN when absent"),
    "heart_rate_bpm": ("1/min", "heart rate; NaN when absent"),
    "latitude_deg": ("deg", "WGS84 latitude; NaN when absent"),
    "longitude_deg": ("deg", "WGS84 longitude; NaN when absent"),
}

#: Columns of a stored per-second stream: name -> (unit, description).
STREAM_COLUMNS: dict[str, tuple[str, str]] = {
    "time": ("UTC", "timestamp, tz-aware UTC, strictly increasing, 1 s grid"),
    "elapsed_s": ("s", "seconds since the first sample"),
    "moving": ("bool", "true while the runner is moving (not paused or standing)"),
    "distance_m": ("m", "cumulative distance, non-decreasing"),
    "speed_mps": ("m/s", "speed (device speed, else derived from distance)"),
    "elevation_m": ("m", "elevation as recorded (raw, interpolated onto the grid)"),
    "elevation_smooth_m": ("m", "elevation smoothed over distance (see ingest.terrain)"),
    "grade_pct": ("%", "grade of the smoothed profile, positive uphill"),
    "cadence_spm": ("steps/min", "cadence, steps per minute (both feet)"),
    "heart_rate_bpm": ("1/min", "heart rate"),
    "latitude_deg": ("deg", "WGS84 latitude"),
    "longitude_deg": ("deg", "WGS84 longitude"),
}

#: Summary fields of an activity, in JSON order, with units.
SUMMARY_FIELDS: dict[str, str] = {
    "id": "stable id: sha256 prefix of the file, plus '.N' for session N > 0 of a multi-session file",
    "athlete": "athlete name",
    "sport": "sport as the file states it, lower case (running, cycling, ...)",
    "sub_sport": "sub-sport as the file states it, lower case (trail, treadmill, ...)",
    "running": "bool: counts as running load",
    "surface": "road | trail | track | treadmill | indoor | unknown",
    "surface_source": "which rule decided the surface",
    "start_time": "ISO 8601 with UTC offset, in the athlete's local time",
    "local_date": "the athlete's local calendar day (YYYY-MM-DD)",
    "timezone": "the zone local times are in: IANA name, or a fixed offset 'UTC+02:00'",
    "timezone_source": "which rule decided it: file | coordinates | nearest | configured | machine",
    "distance_m": "m",
    "timer_s": "s: time with the clock running (pauses removed)",
    "elapsed_s": "s: first to last sample",
    "ascent_m": "m, from the smoothed profile",
    "elevation_source": "barometric | gps | dem | none: the sensor behind the elevation (decides the smoothing)",
    "descent_m": "m, from the smoothed profile",
    "downhill_5pct_m": "m run on smoothed grade <= -5 %",
    "downhill_10pct_m": "m run on smoothed grade <= -10 %",
    "cadence_spm": "median steps/min over the running part",
    "device_cadence_spm": "steps/min: the device's own average cadence, where the file states one",
    "avg_speed_mps": "m/s: distance / timer time",
    "run_speed_mps": "m/s: median speed over the running part (moving, not walking)",
    "sustained_speed_mps": "m/s: fastest speed held for 60 s (GPS spikes removed)",
    "gps_spikes_removed": "count of GPS spikes (a few seconds at an impossible speed) removed from the stream",
    "device": "recording device or app",
    "samples": "count: samples the file recorded for this session",
    "format": "fit | gpx | tcx",
    "source_path": "where it was imported from (zip members as archive.zip!member)",
    "sha256": "sha256 of the file's bytes (after gzip decompression)",
    "summary_only": "bool: known only by its totals (a run typed in by hand in Strava): no samples",
    "rpe": "RPE 0-10 (Borg CR-10) of the session: given by hand, else as its file or export states it; "
           "None when unknown",
}

SURFACES = ("road", "trail", "track", "treadmill", "indoor", "unknown")

#: Sports that count as running load, as :func:`sport_key` spells them.
RUNNING_SPORTS = frozenset({"running", "run", "trail_running", "treadmill_running", "track_running",
                            "indoor_running", "virtual_run", "virtualrun", "trailrun"})


def sport_key(name: str) -> str:
    """One spelling for a sport or activity type: ``"Trail Run"`` and ``"trail-run"`` -> ``"trail_run"``."""
    return "_".join(name.strip().lower().replace("-", " ").split())


@dataclass
class DeviceTotals:
    """The device's own session totals, when the file carries them (FIT session, TCX laps)."""

    distance_m: float | None = None
    timer_s: float | None = None
    elapsed_s: float | None = None
    ascent_m: float | None = None
    descent_m: float | None = None
    #: steps/min (both feet) for foot sports; the sport's own unit (rpm, strokes/min) otherwise
    cadence_spm: float | None = None
    #: RPE 0-10 (Borg CR-10), where the device records it (FIT session ``workout_rpe`` / 10)
    rpe: float | None = None


@dataclass(frozen=True)
class SampleOrder:
    """How a reader's timestamps ran in file order, before they were sorted: steps back, steps
    that repeat the previous time, and rows with a time (what ``ingest.sanity`` judges)."""

    backward_steps: int = 0
    repeated_steps: int = 0
    timed_rows: int = 0


@dataclass(eq=False)
class RawActivity:
    """One session as a reader found it in a file.

    ``columns`` has the :data:`RAW_COLUMNS` as numpy arrays (all of them; NaN where absent):
    float64, and ``time`` as int64 nanoseconds since the epoch (UTC), strictly increasing
    (:func:`sample_columns` makes them). ``order`` says how the times ran in the file.
    ``utc_offset_s`` is set only where the file states the local offset (FIT
    ``activity.local_timestamp``). ``session_index`` numbers sessions of a multi-session
    file from 0.
    """

    format: str
    columns: dict[str, np.ndarray]
    sport: str | None = None
    sub_sport: str | None = None
    start_time: datetime | None = None  #: aware, UTC (every reader gives it so)
    utc_offset_s: int | None = None
    device: str | None = None
    name: str | None = None
    totals: DeviceTotals = field(default_factory=DeviceTotals)
    session_index: int = 0
    order: SampleOrder = field(default_factory=SampleOrder)

    @property
    def sample_count(self) -> int:
        return len(self.columns["time"])

    @property
    def samples(self) -> pd.DataFrame:
        """The samples as a frame (``time`` tz-aware UTC), built on each call: for reading."""
        return _frame(self.columns, RAW_COLUMNS)

    def first_time(self) -> datetime | None:
        """The first sample's time (UTC), None without samples."""
        return utc_datetime(int(self.columns["time"][0])) if self.sample_count else None


def utc_from_iso(text: str) -> datetime:
    """An ISO 8601 time with a UTC offset (``Z`` too, on every Python) as an aware UTC datetime.

    Spellings Python does not read are read by pandas (loaded only then); a time without an
    offset raises :class:`TypeError`: it names no instant.
    """
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        import pandas as pd

        return pd.Timestamp(text).tz_convert("UTC").to_pydatetime()
    if parsed.tzinfo is None:
        raise TypeError(f"a time without a UTC offset: {text!r}")
    return parsed.astimezone(timezone.utc)


def epoch_ns(moment: datetime) -> int:
    """An aware datetime as int64 nanoseconds since the epoch (UTC), to the microsecond: the
    inverse of :func:`utc_datetime`."""
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


def utc_datetime(ns: int) -> datetime:
    """An int64 nanosecond timestamp (since the epoch, UTC) as an aware datetime (to the microsecond)."""
    return _EPOCH + timedelta(microseconds=ns // 1000)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _frame(columns: dict[str, np.ndarray], names: dict[str, Any]) -> pd.DataFrame:
    """A frame of ``names`` from columns as arrays, ``time`` (int64 ns) as tz-aware UTC."""
    import pandas as pd

    frame = dict(columns)
    frame["time"] = pd.DatetimeIndex(columns["time"].view("datetime64[ns]")).tz_localize("UTC")
    return pd.DataFrame({name: frame[name] for name in names})


class Summarised:
    """What any activity answers from its ``summary`` (keys of :data:`SUMMARY_FIELDS`)."""

    summary: dict[str, Any]

    @property
    def id(self) -> str:
        return self.summary["id"]

    @property
    def running(self) -> bool:
        return bool(self.summary["running"])


@dataclass(eq=False)
class Activity(Summarised):
    """An imported activity: summary (keys of :data:`SUMMARY_FIELDS`) and per-second stream.

    The stream travels as ``columns`` (:data:`STREAM_COLUMNS` as numpy arrays, ``time`` as int64
    nanoseconds since the epoch, UTC) from normalising to the store's bytes; :attr:`stream` is
    the same as a frame, built the first time it is asked for.
    """

    summary: dict[str, Any]
    columns: dict[str, np.ndarray]
    notes: list[str] = field(default_factory=list)  # what was dropped or cut while reading it

    @cached_property
    def stream(self) -> pd.DataFrame:
        """The per-second stream as a frame (``time`` tz-aware UTC)."""
        return _frame(self.columns, STREAM_COLUMNS)


def empty_stream_columns() -> dict[str, np.ndarray]:
    """Stream columns with no rows (an activity known only by its totals)."""
    import numpy as np

    return {name: np.zeros(0, dtype=bool if name == "moving" else "int64" if name == "time" else "float64")
            for name in STREAM_COLUMNS}


def stream_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A stream frame (:data:`STREAM_COLUMNS`) from its columns as arrays (``time`` int64 ns, UTC)."""
    return _frame(columns, STREAM_COLUMNS)


def sample_columns(columns: dict[str, Any]) -> tuple[dict[str, np.ndarray], SampleOrder]:
    """A reader's columns made into :attr:`RawActivity.columns`, and how their times ran.

    ``columns`` holds whatever channels the reader has (the rest become NaN); ``columns["time"]``
    is datetimes, tz-aware or naive UTC (a numpy ``datetime64`` array, a ``DatetimeIndex``,
    a list). Rows are sorted by time, rows without time dropped, and duplicate timestamps keep
    their first sample. Columns that need no cleaning (strictly increasing ``datetime64[ns]``
    times and float64 arrays, what the FIT reader hands over) are taken as they are.
    """
    import numpy as np

    n = len(columns.get("time", []))
    ready = _ready_columns(columns, n)
    if ready is not None:
        return ready, SampleOrder(timed_rows=n)
    arrays = _numpy_columns(columns, n)
    if arrays is not None:
        ns, out = arrays
        timed = ns != np.iinfo(np.int64).min
        return _ordered(ns, timed, out)
    import pandas as pd

    times = pd.to_datetime(pd.Series(columns.get("time", [])), utc=True, errors="coerce")
    ns = times.to_numpy(dtype="datetime64[ns]").view("int64")
    timed = ~times.isna().to_numpy()
    out = {}
    for name in RAW_COLUMNS:
        if name != "time":
            values = columns.get(name)
            out[name] = np.full(n, np.nan) if values is None else \
                pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return _ordered(ns, timed, out)


def _ordered(ns: np.ndarray, timed: np.ndarray, out: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray],
                                                                                      SampleOrder]:
    """Rows sorted by time (``ns``, int64), untimed rows dropped, the first of equal times kept;
    and how the times ran in file order."""
    import numpy as np

    steps = np.diff(ns[timed])
    order = SampleOrder(backward_steps=int((steps < 0).sum()), repeated_steps=int((steps == 0).sum()),
                        timed_rows=len(steps) + 1)
    out = {"time": ns, **out}
    keep = np.flatnonzero(timed)
    keep = keep[np.argsort(ns[keep], kind="stable")]
    if len(keep):  # of equal times, the first in file order
        first = np.concatenate(([True], np.diff(ns[keep]) != 0))
        keep = keep[first]
    return {name: out[name][keep] for name in RAW_COLUMNS}, order


def samples_frame(columns: dict[str, Any]) -> pd.DataFrame:
    """The frame of :func:`sample_columns` (every raw column, ``time`` tz-aware UTC)."""
    return _frame(sample_columns(columns)[0], RAW_COLUMNS)


def _numpy_columns(columns: dict[str, Any], n: int) -> tuple[np.ndarray, dict[str, np.ndarray]] | None:
    """``time`` as int64 ns (NaT: the smallest int64) and the other raw columns, when the reader
    gave naive ``datetime64`` times within the ns range and float64 arrays (the GPX/TCX readers'
    columns whose times do not rise strictly): the cleaning then needs no pandas. None otherwise."""
    import numpy as np

    times = columns.get("time")
    if not isinstance(times, np.ndarray) or times.dtype.kind != "M":
        return None
    timed = times[~np.isnat(times)]
    if len(timed) and (timed.min() < np.datetime64(_NS_RANGE[0]) or timed.max() > np.datetime64(_NS_RANGE[1])):
        return None
    out = _float_columns(columns, n)
    return None if out is None else (times.astype("datetime64[ns]").view("int64"), out)


#: Times a ``datetime64[ns]`` holds (as ``pandas.Timestamp`` does).
_NS_RANGE = ("1677-09-22", "2262-04-11")


def _ready_columns(columns: dict[str, Any], n: int) -> dict[str, np.ndarray] | None:
    """The columns as they are when they need no cleaning: naive-UTC ``datetime64[ns]`` times,
    strictly increasing, and float64 arrays of the same length. None otherwise."""
    import numpy as np

    times = columns.get("time")
    if not isinstance(times, np.ndarray) or times.dtype != np.dtype("datetime64[ns]") or np.isnat(times).any():
        return None
    ns = times.view("int64")
    if n > 1 and not (np.diff(ns) > 0).all():
        return None
    values = _float_columns(columns, n)
    return None if values is None else {"time": ns, **values}


def _float_columns(columns: dict[str, Any], n: int) -> dict[str, np.ndarray] | None:
    """The raw columns but ``time``, as they are when each is a float64 array of ``n`` values (NaN
    for a channel the reader has not); None when one is not."""
    import numpy as np

    out = {}
    for name in RAW_COLUMNS:
        if name == "time":
            continue
        values = columns.get(name)
        if values is None:
            values = np.full(n, np.nan)
        elif not isinstance(values, np.ndarray) or values.dtype != np.float64 or len(values) != n:
            return None
        out[name] = values
    return out
