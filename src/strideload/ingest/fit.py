"""Read FIT activity files into :class:`~strideload.model.RawActivity` objects: decoded by the
fast columnar path (:mod:`.fit_columnar`), else by the tolerant fitparse-based decoder
(:mod:`.fit_tolerant`), then cut into sessions here.

One RawActivity per ``session`` message (format ``"fit"``), numbered 0..n-1 in file order
across chained FIT files (several FIT files in one byte stream, cut apart by their headers).
A session's samples are the ``record`` messages timed within [start_time, max(start_time +
total_elapsed_time, session timestamp)], cut at the next session's start, wherever they sit
in the file (some devices write the summaries first). A file with dated records but no
session gives one RawActivity made of all its records (sport from the ``sport`` message).

Units of the sample frame (see :data:`strideload.model.RAW_COLUMNS`):

* ``time``: tz-aware UTC (FIT counts seconds from 1989-12-31T00:00:00Z). Records sharing a
  second are merged; records timed relative to the device's power-up (FIT times below
  :data:`MIN_DATE_S`, old FR70 downloads) cannot be dated and are dropped, as are records
  timed after tomorrow.
* ``distance_m``: m, cumulative as the device recorded it (in a multisport file it runs on
  from the earlier sessions); ``speed_mps``: m/s (``enhanced_speed``, else ``speed``);
  ``elevation_m``: m (``enhanced_altitude``, else ``altitude``); ``heart_rate_bpm``: 1/min.
* ``latitude_deg`` / ``longitude_deg``: degrees = semicircles x 180 / 2**31.
* ``cadence_spm``: FIT stores cadence per foot, plus ``fractional_cadence`` in 1/128; for
  foot sports (:data:`FOOT_SPORTS`) steps/min = 2 x (cadence + fractional_cadence). Other
  sports keep the file's value (pedal rpm, strokes/min), never doubled.
* Totals (:class:`~strideload.model.DeviceTotals`): m and s, from the session message; the
  device's average cadence from ``avg_running_cadence`` (else ``avg_cadence``) plus
  ``avg_fractional_cadence``, doubled to steps/min for foot sports.
* Arrays and invalid values: any field may arrive as an array (the Forerunner 55 writes
  ``enhanced_speed`` and ``enhanced_altitude`` as two values) or as the FIT invalid value
  (None once decoded): a field's value is its first valid element (:func:`_scalar`),
  everywhere this module reads one.
* ``device``: manufacturer and product of the ``file_id`` (else the creator's
  ``device_info``), Garmin product ids newer than fitparse named by
  :data:`strideload.ingest.devices.GARMIN_PRODUCTS`.

Damage: a file that breaks part-way keeps what was read before the damage when that holds a
session or dated records, and logs a warning; otherwise it raises
:class:`~strideload.errors.CorruptFileError` with the byte offset and the decoder's error as
``__cause__``. A message that cannot be decoded (the Strava Android app writes records a
byte short, leaving the next header undefined) is skipped by re-synchronising on the next
run of well-formed, plausibly timed messages. CRCs are not checked (a pure-Python CRC costs
a quarter of the decoding time); truncation and broken structure are still caught.
"""

from __future__ import annotations

import heapq
import logging
import math
from datetime import datetime, timezone
from typing import Any

import numpy as np

from strideload.errors import BudgetError, CorruptFileError, NoActivityError
from strideload.model import DeviceTotals, RawActivity, sample_columns

from . import fit_columnar
from .devices import garmin_model
from .fit_tolerant import (
    FIT_EPOCH_S,
    KEPT,
    MIN_DATE_S,
    SEMICIRCLE_DEG,
    _column,
    _Damage,
    _decode,
    _Decoder,
    _num,
    _record_frame,
    _scalar,
)

__all__ = ["FIT_EPOCH_S", "FOOT_SPORTS", "KEPT", "MIN_DATE_S", "NOT_ACTIVITY_TYPES", "SEMICIRCLE_DEG", "_Damage",
           "_Decoder", "_column", "_decode", "_num", "_record_frame", "_scalar", "read_fit", "read_fit_tolerant"]

log = logging.getLogger(__name__)

#: Sports whose FIT cadence is per foot (strides/min) and is doubled to steps/min.
FOOT_SPORTS = frozenset({"running", "walking", "hiking", "mountaineering", "snowshoeing"})
#: ``file_id.type`` values that are plans or settings, never a recorded activity.
NOT_ACTIVITY_TYPES = frozenset({"settings", "sport", "workout", "course", "schedules", "segment",
                                "segment_list", "device", "goals", "totals", "weight", "blood_pressure"})


def _fit_time(value: Any) -> int | None:
    """An absolute FIT time in s, or None (absent, or relative to the device's power-up)."""
    value = _scalar(value)
    return value if value.__class__ is int and value >= MIN_DATE_S else None


def _span(session: dict[str, Any]) -> tuple[float, float]:
    """(first, last) FIT time in s of a session's records, before cutting at the next session (see :func:`_assign`)."""
    start, end = _fit_time(session.get("start_time")), _fit_time(session.get("timestamp"))
    elapsed = _num(session.get("total_elapsed_time"))
    first = -np.inf if start is None else float(start)
    last = np.inf if end is None else float(end)
    if start is not None and elapsed is not None:
        last = max(end or 0.0, start + (math.ceil(elapsed) if math.isfinite(elapsed) else elapsed))
    return first, last


def _selections(sessions: list[dict[str, Any]], t: np.ndarray,
                span: tuple[int, int] | None = None) -> list[np.ndarray | None]:
    """Each session's records as a mask over the record times ``t`` (FIT s), as :func:`_assign` gives
    them; None where one session spans every record (most files: nothing to select). ``span``: the
    least and greatest of ``t`` when known."""
    if len(sessions) == 1:
        first, last = _span(sessions[0])
        low, high = span or ((t.min(), t.max()) if len(t) else (0, 0))
        if not len(t) or (low >= first and high <= last):
            return [None]
        return [(t >= first) & (t <= last)]
    assigned = _assign(sessions, t)
    return [assigned == i for i in range(len(sessions))]


def _assign(sessions: list[dict[str, Any]], t: np.ndarray) -> np.ndarray:
    """Index of the session each record time belongs to (-1 for none).

    A session spans [start_time, max(start_time + total_elapsed_time, timestamp)], cut at the
    next session's start; a missing start or end leaves that side open. Where spans still
    overlap, the one starting first wins. Linear in sessions plus records (a sweep over the
    sorted times), so a file of 100 sessions costs no more than one of a single session.
    """
    bounds = [_span(session) for session in sessions]
    order = sorted(range(len(sessions)), key=lambda k: bounds[k][0])
    by_time = np.argsort(t, kind="stable")
    times = t[by_time]
    spans = []  # (first sorted position, end position, rank, session) of each session's span
    for rank, k in enumerate(order):
        first, last = bounds[k]
        if rank + 1 < len(order) and bounds[order[rank + 1]][0] > first:
            last = min(last, bounds[order[rank + 1]][0] - 1)
        low, high = int(np.searchsorted(times, first, "left")), int(np.searchsorted(times, last, "right"))
        if low < high:
            spans.append((low, high, rank, k))
    spans.sort()
    cuts = sorted({0, len(t), *(low for low, *_ in spans), *(high for _, high, *_ in spans)})
    assigned_sorted = np.full(len(t), -1)
    live: list[tuple[int, int, int]] = []  # heap of (rank, end position, session) of the spans begun
    following = 0
    for low, high in zip(cuts, cuts[1:]):
        while following < len(spans) and spans[following][0] <= low:
            _, end, rank, k = spans[following]
            heapq.heappush(live, (rank, end, k))
            following += 1
        while live and live[0][1] <= low:  # ended before this stretch
            heapq.heappop(live)
        if live:
            assigned_sorted[low:high] = live[0][2]
    assigned = np.empty(len(t), dtype=assigned_sorted.dtype)
    assigned[by_time] = assigned_sorted
    return assigned


def _utc_offset(activities: list[dict[str, Any]]) -> int | None:
    """``activity.local_timestamp - timestamp`` in s, rounded to 15 min; None if absent or absurd."""
    for activity in activities:
        utc, local = _fit_time(activity.get("timestamp")), _scalar(activity.get("local_timestamp"))
        if utc is not None and local.__class__ is int:
            offset = round((local - utc) / 900) * 900
            if abs(offset) <= 14 * 3600:
                return offset
    return None


def _device(file_ids: list[dict[str, Any]], device_infos: list[dict[str, Any]] = ()) -> str | None:
    """'manufacturer product' ('garmin fr935') from the first file_id that names a manufacturer
    and a product, else the creator's device_info (device_index 0), else a file_id's maker alone."""
    creators = [d for d in device_infos if _scalar(d.get("device_index")) in ("creator", 0)]
    maker_only = None
    for message in (*file_ids, *creators):
        maker = _scalar(message.get("manufacturer"))
        if maker is None:
            continue
        product = _scalar(message.get("product_name")) or _scalar(message.get("product"))
        if product is None:
            maker_only = maker_only or str(maker)
            continue
        if str(maker) == "garmin":
            product = garmin_model(product)
        return f"{maker} {product}"
    return maker_only


def _device_cadence(session: dict[str, Any], sport: str | None) -> float | None:
    """The session's average cadence: steps/min for foot sports (per foot x 2), else as stated."""
    per_foot = _num(session.get("avg_running_cadence"))
    if per_foot is None:
        per_foot = _num(session.get("avg_cadence"))
    if per_foot is None:
        return None
    per_foot += _num(session.get("avg_fractional_cadence")) or 0.0
    return per_foot * 2 if sport in FOOT_SPORTS else per_foot


def _workout_rpe(session: dict[str, Any]) -> float | None:
    """The session's perceived effort (FIT ``workout_rpe``, RPE x 10) as RPE 0-10, when recorded."""
    raw = _num(session.get("workout_rpe"))
    return raw / 10 if raw is not None and 0 < raw <= 100 else None


def _name(value: Any) -> str | None:
    """A FIT enum as fitparse names it, lower case; unknown numeric values as their str."""
    return None if value is None else str(value).lower()


def read_fit(data: bytes, path: str, *, fast: bool = True) -> list[RawActivity]:
    """Read a FIT file's bytes into one :class:`RawActivity` per session (``path`` only names it in errors).

    The fast columnar path (:mod:`.fit_columnar`) reads it unless ``fast`` is False or it
    cannot read the bytes exactly; then the tolerant path below does (and says why at INFO).

    Raises :class:`CorruptFileError` when the bytes are not a readable FIT file and nothing
    dated survives, :class:`NoActivityError` for a valid FIT file that holds no activity.
    """
    columnar = None
    if fast:
        try:
            columnar = fit_columnar.decode(data, path)
        except BudgetError:  # past a budget: the tolerant path would stop there too, only later
            raise
        except fit_columnar.Unsupported as exc:
            log.info("%s: read with the tolerant FIT path (the fast path stopped: %s)", path, exc)
        except Exception as exc:  # a bug of the fast path: the tolerant path still reads the file
            log.debug("unexpected error in the fast FIT path for %s", path, exc_info=True)
            log.warning("%s: read with the tolerant FIT path (the fast path hit a bug: %s: %s)", path,
                        type(exc).__name__, exc)
    if columnar is None:
        messages, damage = _decode(data, path)
        n_records, records = len(messages["record"]), _record_frame(messages["record"])
    else:
        messages, damage = columnar.messages, None
        n_records, records = columnar.n_records, fit_columnar.records_frame(columnar.records, columnar.present)
    file_types = {str(m["type"]).lower() for m in messages["file_id"] if "type" in m}
    if file_types and file_types <= NOT_ACTIVITY_TYPES:
        raise NoActivityError(f"a FIT {'/'.join(sorted(file_types))} file, not an activity", path=path)
    if n_records and records.empty:
        log.warning("%s: no record carries a usable time (device-relative, or after tomorrow); samples dropped",
                    path)
    sessions = messages["session"] or ([{}] if len(records) >= 2 else [])
    if not sessions:
        if damage is not None:
            raise CorruptFileError(damage.reason, path=path, offset=damage.offset) from damage.error
        raise NoActivityError("FIT file without sessions and without dated records", path=path)
    if damage is not None:
        log.warning("%s: %s at byte %d; kept the %d sessions and %d records read before it", path,
                    damage.reason, damage.offset, len(messages["session"]), len(records))
    sports = messages["sport"]
    selections = _selections(sessions, np.asarray(records["t"]), None if columnar is None else records.span)
    utc_offset, device = _utc_offset(messages["activity"]), _device(messages["file_id"], messages["device_info"])
    activities = []
    for i, (session, selection) in enumerate(zip(sessions, selections)):
        source = session if "sport" in session or not sports else sports[0]
        sport, sub_sport = _name(_scalar(source.get("sport"))), _name(_scalar(source.get("sub_sport")))
        name = next((m["name"] for m in sports if "name" in m and _name(m.get("sport")) == sport), None)
        mine = records if selection is None else records[selection]
        samples = {column: np.asarray(mine[column]) for column in records.columns if column != "t"}
        if sport in FOOT_SPORTS:
            samples["cadence_spm"] = samples["cadence_spm"] * 2
        samples["time"] = ((np.asarray(mine["t"], dtype=np.int64) + FIT_EPOCH_S) * 1_000_000_000).view("datetime64[ns]")
        start = _fit_time(session.get("start_time"))
        if start is None and len(mine):
            start = int(mine["t"].min())
        columns, order = sample_columns(samples)
        activities.append(RawActivity(
            format="fit",
            columns=columns,
            order=order,
            sport=sport,
            sub_sport=sub_sport,
            start_time=None if start is None else datetime.fromtimestamp(start + FIT_EPOCH_S, tz=timezone.utc),
            utc_offset_s=utc_offset,
            device=device,
            name=name if isinstance(name, str) else None,
            totals=DeviceTotals(
                distance_m=_num(session.get("total_distance")),
                timer_s=_num(session.get("total_timer_time")),
                elapsed_s=_num(session.get("total_elapsed_time")),
                ascent_m=_num(session.get("total_ascent")),
                descent_m=_num(session.get("total_descent")),
                cadence_spm=_device_cadence(session, sport),
                rpe=_workout_rpe(session),
            ),
            session_index=i,
        ))
    return activities


def read_fit_tolerant(data: bytes, path: str) -> list[RawActivity]:
    """:func:`read_fit` through the tolerant fitparse-based path only (the oracle of the fast path)."""
    return read_fit(data, path, fast=False)
