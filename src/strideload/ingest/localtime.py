"""Local dates that stay right: which time zone a run's local date is in, and why.

Daily load belongs to the athlete's local calendar day, but GPX and TCX carry UTC only. A
run's zone is decided by the first of these rules that applies (``timezone_source``):

1. ``file``: the file states its own offset (FIT ``activity.local_timestamp``);
2. ``coordinates``: the zone at the run's first GPS position, looked up offline (tzfpy);
3. ``nearest``: the zone of the athlete's run closest in time (at most
   ``timezone_nearest_days`` away) whose zone came from rule 1 or 2;
4. ``configured``: the athlete's ``timezone`` setting;
5. ``machine``: this computer's zone.

Rules 1, 2, 4 and 5 are decided while a file is read (:func:`decide`); rule 3 needs the
store, so :func:`refresh` applies it after an import. The store keeps every run's UTC start
with its zone and rule, and :func:`refresh` re-derives the local start and date of every run
decided by rules 3-5 whenever what decided them has changed (a new run nearby, a changed
setting, another machine zone): the CLI calls it whenever it opens a store, so changing an
athlete's ``timezone`` re-dates their runs without a fresh import.

Zones are named as IANA zones (``"America/New_York"``) or fixed offsets (``"UTC+02:00"``,
from a FIT file's offset).
"""

from __future__ import annotations

import bisect
import logging
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..model import utc_from_iso

if TYPE_CHECKING:

    from ..config import Config
    from ..store import Store

log = logging.getLogger(__name__)

#: Rules whose zone the file itself gives: these runs anchor the ``nearest`` rule.
OWN = ("file", "coordinates")
#: Rules decided outside the file: re-derived by :func:`refresh`.
RESTATED = ("nearest", "configured", "machine")
MACHINE_UNKNOWN = "local"


@dataclass(frozen=True)
class Zone:
    """A zone (IANA name or ``"UTC±HH:MM"``) and the rule that chose it."""

    name: str
    source: str

    def localise(self, start: datetime) -> datetime:
        """``start`` (tz-aware) in this zone."""
        info = zone_info(self.name)
        return start.astimezone(info) if info is not None else start.astimezone()


def offset_name(seconds: float) -> str:
    """A fixed UTC offset (s) as a zone name: ``7200`` -> ``"UTC+02:00"``."""
    sign = "-" if seconds < 0 else "+"
    minutes = int(round(abs(seconds) / 60))
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@lru_cache(maxsize=512)
def zone_info(name: str) -> tzinfo | None:
    """The tzinfo of a zone name; None for :data:`MACHINE_UNKNOWN` (the operating system's rules)."""
    if name == MACHINE_UNKNOWN:
        return None
    if name.startswith(("UTC+", "UTC-")) and len(name) == 9:
        sign = -1 if name[3] == "-" else 1
        return timezone(sign * timedelta(hours=int(name[4:6]), minutes=int(name[7:9])))
    return ZoneInfo(name)


def _valid(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def machine_zone_name() -> str:
    """This computer's zone as an IANA name (``$TZ``, else where ``/etc/localtime`` points), else
    :data:`MACHINE_UNKNOWN` (local times then follow the operating system's own rules)."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = os.path.realpath("/etc/localtime")
    except OSError:  # pragma: no cover - no such file on this system
        link = ""
    if "zoneinfo/" in link:
        candidates.append(link.split("zoneinfo/", 1)[1])
    return next((name for name in candidates if name and _valid(name)), MACHINE_UNKNOWN)


def from_coordinates(latitude_deg: float, longitude_deg: float) -> str | None:
    """The IANA zone at a WGS84 position (offline, tzfpy); None where it has none."""
    if not (math.isfinite(latitude_deg) and math.isfinite(longitude_deg)) or abs(latitude_deg) > 90 \
            or abs(longitude_deg) > 180 or (latitude_deg == 0 and longitude_deg == 0):
        return None
    try:
        import tzfpy  # loads its polygons on first use (~0.5 s), so only when a run needs it
    except ImportError:  # pragma: no cover - a dependency; without it the next rules decide
        log.warning("tzfpy is not installed: GPX/TCX local dates fall back to the configured time zone")
        return None
    name = tzfpy.get_tz(float(longitude_deg), float(latitude_deg))
    return name if name and _valid(name) else None


def configured_or_machine(configured: str | None) -> Zone:
    """Rules 4 and 5: the configured zone name (``""``/None: none), else this machine's."""
    if configured:
        return Zone(configured, "configured")
    return Zone(machine_zone_name(), "machine")


def decide(utc_offset_s: int | None, latitude_deg: float, longitude_deg: float,
           configured: str | None) -> Zone:
    """The zone of one run, by rules 1, 2, 4 and 5 (see the module doc)."""
    if utc_offset_s is not None:
        return Zone(offset_name(utc_offset_s), "file")
    name = from_coordinates(latitude_deg, longitude_deg)
    if name is not None:
        return Zone(name, "coordinates")
    return configured_or_machine(configured)


def first_fix(samples: Mapping[str, Any]) -> tuple[float, float]:
    """Latitude and longitude (deg) of the first sample that has both (``samples``: a frame, or
    columns as arrays); NaN, NaN if none."""
    import numpy as np

    lat, lon = np.asarray(samples["latitude_deg"], dtype=float), np.asarray(samples["longitude_deg"], dtype=float)
    both = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    return (float(lat[both[0]]), float(lon[both[0]])) if len(both) else (float("nan"), float("nan"))


def _nearest(anchors: list[tuple[str, str]], start_utc: str, window: timedelta) -> str | None:
    """The zone of the anchor ``(start_utc, zone)`` closest to ``start_utc``, within ``window``."""
    if not anchors:
        return None
    keys = [a[0] for a in anchors]
    i = bisect.bisect_left(keys, start_utc)
    start = utc_from_iso(start_utc)
    best: tuple[timedelta, str] | None = None
    for j in (i - 1, i):
        if 0 <= j < len(anchors):
            gap = abs(utc_from_iso(anchors[j][0]) - start)
            if gap <= window and (best is None or gap < best[0]):
                best = (gap, anchors[j][1])
    return best[1] if best else None


def refresh(store: Store, config: Config, athletes: Iterable[str] | None = None) -> int:
    """Re-derive the zone, local start and local date of every run decided by rules 3-5 (and of
    runs stored before strideload recorded zones), for ``athletes`` (all when None).

    Returns the number of runs whose local start changed. Cheap when nothing changed: one
    query, no writes. A read-only store keeps the dates it has.
    """
    if store.readonly:
        return 0
    rows = store.zone_candidates(None if athletes is None else sorted(set(athletes)))
    if not rows:
        return 0
    window = timedelta(days=config.get("timezone_nearest_days"))
    anchors: dict[str, list[tuple[str, str]]] = {}
    updates, moved = [], 0
    for row in rows:
        athlete = row["athlete"]
        if athlete not in anchors:
            anchors[athlete] = store.zone_anchors(athlete)
        zone = None
        if row["timezone_source"] is None:  # stored before zones were recorded: try its positions
            zone = _legacy_coordinates(store, row["id"])
        if zone is None:
            name = _nearest(anchors[athlete], row["start_utc"], window)
            zone = Zone(name, "nearest") if name else configured_or_machine(config.get("timezone", athlete))
        local = zone.localise(utc_from_iso(row["start_utc"]))
        if (zone.name, zone.source, local.isoformat()) != (row["timezone"], row["timezone_source"], row["start_time"]):
            updates.append((row["id"], local.isoformat(), local.date().isoformat(), zone.name, zone.source))
            moved += local.isoformat() != row["start_time"]
    if updates:
        store.set_local_times(updates)
        log.info("time zones: %d runs re-decided, %d local starts changed", len(updates), moved)
    return moved


def _legacy_coordinates(store: Store, activity_id: str) -> Zone | None:
    try:
        stream: Any = store.stream(activity_id)
    except Exception:  # a missing or unreadable stream only means: no coordinates to go by
        return None
    name = from_coordinates(*first_fix(stream)) if len(stream) else None
    return Zone(name, "coordinates") if name else None
