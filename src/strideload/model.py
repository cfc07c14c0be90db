"""The data contract: what a reader produces, and what an imported activity holds.

All values are SI. Units are converted only for display.

Two stages:

* :class:`RawActivity` is what a format reader (``ingest.fit``, ``ingest.gpx``,
  ``ingest.tcx``) returns: the file's own facts plus a per-sample frame with the
  :data:`RAW_COLUMNS`. Readers already convert cadence to **steps/min**.
* :class:`Activity` is what ``ingest.stream.normalise`` makes of it: the summary
  (:data:`SUMMARY_FIELDS`, the exact JSON names) and the per-second stream with the
  :data:`STREAM_COLUMNS`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas loads where a frame is built, so importing the model stays cheap
    import pandas as pd

#: Columns of a reader's sample frame: name -> (unit, description). Missing channels are NaN.
RAW_COLUMNS: dict[str, tuple[str, str]] = {
    "time": ("UTC", "sample timestamp, tz-aware UTC (datetime64[ns, UTC])"),
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


@dataclass
class RawActivity:
    """One session as a reader found it in a file.

    ``samples`` has the :data:`RAW_COLUMNS` (all of them; NaN where absent), sorted by
    time. ``utc_offset_s`` is set only where the file states the local offset (FIT
    ``activity.local_timestamp``). ``session_index`` numbers sessions of a multi-session
    file from 0.
    """

    format: str
    samples: pd.DataFrame
    sport: str | None = None
    sub_sport: str | None = None
    start_time: datetime | None = None
    utc_offset_s: int | None = None
    device: str | None = None
    name: str | None = None
    totals: DeviceTotals = field(default_factory=DeviceTotals)
    session_index: int = 0


class Summarised:
    """What any activity answers from its ``summary`` (keys of :data:`SUMMARY_FIELDS`)."""

    summary: dict[str, Any]

    @property
    def id(self) -> str:
        return self.summary["id"]

    @property
    def running(self) -> bool:
        return bool(self.summary["running"])


@dataclass
class Activity(Summarised):
    """An imported activity: summary (keys of :data:`SUMMARY_FIELDS`) and per-second stream."""

    summary: dict[str, Any]
    stream: pd.DataFrame
    notes: list[str] = field(default_factory=list)  # what was dropped or cut while reading it


def empty_samples() -> pd.DataFrame:
    """A sample frame with every raw column and no rows."""
    import pandas as pd

    frame = pd.DataFrame({name: pd.Series(dtype="float64") for name in RAW_COLUMNS})
    frame["time"] = pd.Series(dtype="datetime64[ns, UTC]")
    return frame[list(RAW_COLUMNS)]


def samples_frame(columns: dict[str, Any]) -> pd.DataFrame:
    """Build a sample frame from whatever columns a reader has; the rest become NaN.

    ``columns["time"]`` must be tz-aware or naive-UTC datetimes. Rows are sorted by time,
    rows without time dropped, and duplicate timestamps keep their first sample. How often
    the time stepped back or repeated in the reader's order is kept in ``frame.attrs``
    (``backward_steps``, ``repeated_steps``, ``timed_rows``) for ``ingest.sanity``.
    """
    import pandas as pd

    n = len(columns.get("time", []))
    ready = _ready_frame(columns, n)
    if ready is not None:
        return ready
    frame = pd.DataFrame({name: columns.get(name, [float("nan")] * n) for name in RAW_COLUMNS})
    frame["time"] = pd.to_datetime(frame["time"], utc=True, errors="coerce")
    steps = frame["time"].dropna().diff().dropna()
    order = {"backward_steps": int((steps < pd.Timedelta(0)).sum()),
             "repeated_steps": int((steps == pd.Timedelta(0)).sum()), "timed_rows": len(steps) + 1}
    for name in RAW_COLUMNS:
        if name != "time":
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    frame = frame.dropna(subset=["time"]).sort_values("time", kind="stable")
    frame = frame.drop_duplicates(subset="time", keep="first").reset_index(drop=True)
    frame.attrs.update(order)
    return frame


def _ready_frame(columns: dict[str, Any], n: int) -> pd.DataFrame | None:
    """The sample frame built directly when the columns need no cleaning (what the FIT reader
    hands over): naive-UTC ``datetime64[ns]`` times, strictly increasing, and float64 arrays of
    the same length. None otherwise (100x cheaper than the general path on a 1 h run).

    The float columns are copied into one block and the frame made from its blocks (pandas
    3's ``create_dataframe_from_blocks``), which is what ``pd.DataFrame(dict)`` ends with after
    checking every column again: about 8x cheaper for a file's frame (~0.06 ms instead of ~0.45)."""
    import numpy as np
    import pandas as pd

    times = columns.get("time")
    if not isinstance(times, np.ndarray) or times.dtype != np.dtype("datetime64[ns]"):
        return None
    ns = times.view(np.int64)  # NaT is the least int64: strictly increasing times hold none after the first
    if n and (ns[0] == _NAT or not (ns[1:] > ns[:-1]).all()):
        return None
    names = _FLOAT_COLUMNS
    values = [columns.get(name) for name in names]
    for column in values:
        if column is not None and (not isinstance(column, np.ndarray) or column.dtype != np.float64
                                   or len(column) != n):
            return None
    if all(column is not None for column in values):
        block = np.array(values)  # one copy into a (columns, rows) block
    else:
        block = np.empty((len(names), n))
        for row, column in zip(block, values):
            row[:] = np.nan if column is None else column
    made = _block_maker()
    if made is None:  # pandas 2: no public way to hand over blocks
        utc = pd.DatetimeIndex(times.view(np.int64), tz="UTC")  # int64 with a zone: ns since the epoch, UTC
        return pd.DataFrame({"time": utc, **dict(zip(names, block))})
    create, header, placements, utc_times = made
    return create([(utc_times(times.copy()), placements[0]), (block, placements[1])], index=pd.RangeIndex(n),
                  columns=header.view())  # a view: renaming one frame's columns leaves the others alone


_NAT = -(2**63)  # NaT as int64
#: The float64 columns of a sample frame: all but ``time``.
_FLOAT_COLUMNS = tuple(name for name in RAW_COLUMNS if name != "time")


@functools.cache
def _block_maker() -> tuple[Any, Any, tuple[Any, Any], Any] | None:
    """(pandas' create_dataframe_from_blocks, the RAW_COLUMNS Index, block placements, a function
    making the tz-aware UTC array of naive-UTC ``datetime64[ns]`` times) when pandas has them."""
    import numpy as np
    import pandas as pd

    try:
        from pandas.api.internals import create_dataframe_from_blocks
    except ImportError:
        return None
    order = list(RAW_COLUMNS)
    placements = np.array([order.index("time")]), np.array([order.index(name) for name in _FLOAT_COLUMNS])
    utc = pd.DatetimeTZDtype("ns", "UTC")
    simple_new = getattr(pd.arrays.DatetimeArray, "_simple_new", None)
    if simple_new is not None:  # wraps the times as they are: a tenth of DatetimeIndex(..., tz=) checking them again

        def utc_times(times: Any) -> Any:
            return simple_new(times, dtype=utc)
    else:

        def utc_times(times: Any) -> Any:
            return pd.DatetimeIndex(times.view(np.int64), tz="UTC").array
    return create_dataframe_from_blocks, pd.Index(order), placements, utc_times
