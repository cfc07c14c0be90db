"""Which surface a run was on, and which rule decided it.

Rules, first match wins (science.md, "Surface"):

1. FIT ``sub_sport`` (treadmill, street, trail, track, indoor_running);
2. the activity type as TCX/GPX/Strava state it (``TrailRun``, ``VirtualRun``, ...);
3. keywords in the activity name ("trail", "treadmill", "track", ...);
4. a run with speed and distance but no GPS positions (or positions that never leave the
   spot: GPS drift beside a treadmill) is indoor;
5. a run whose GPS positions move through the world is outdoors, and with nothing above
   saying trail or track, on the road: ``surface_source`` says it was this default
   (most watches record a plain "Run" as FIT ``running/generic``);
6. otherwise (no GPS, no distance, no sub-sport, no hint) ``unknown``.
"""

from __future__ import annotations

import re

from ..model import sport_key

SUB_SPORT_SURFACE = {
    "treadmill": "treadmill",
    "street": "road",
    "road": "road",
    "trail": "trail",
    "track": "track",
    "indoor_running": "indoor",
    "virtual_activity": "treadmill",
}

TYPE_SURFACE = {
    "trailrun": "trail",
    "trail_running": "trail",
    "virtualrun": "treadmill",
    "virtual_run": "treadmill",
    "treadmill_running": "treadmill",
    "track_running": "track",
    "indoor_running": "indoor",
    "road_running": "road",
}

NAME_KEYWORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(treadmill|laufband|tapis)\b", re.I), "treadmill"),
    (re.compile(r"\b(trail|trails|fell|mountain|singletrack)\b", re.I), "trail"),
    (re.compile(r"\b(track|intervals? on the track|400s)\b", re.I), "track"),
    (re.compile(r"\b(indoor|gym)\b", re.I), "indoor"),
    (re.compile(r"\b(road|parkrun|marathon|10k|5k)\b", re.I), "road"),
]


#: ``surface_source`` of rule 5.
GPS_DEFAULT = "default for a GPS run (no sub-sport, type or name says otherwise)"


def classify(*, sub_sport: str | None, sport: str | None, name: str | None,
             has_gps: bool, has_distance: bool, gps_moved: bool | None = None) -> tuple[str, str]:
    """Return ``(surface, surface_source)`` for one activity.

    ``gps_moved``: the positions spread out from the start (see the
    ``surface_gps_min_extent_m`` setting); None takes ``has_gps`` for it.
    """
    moved = has_gps if gps_moved is None else gps_moved
    if sub_sport and sub_sport.lower() in SUB_SPORT_SURFACE:
        return SUB_SPORT_SURFACE[sub_sport.lower()], f"sub_sport {sub_sport.lower()}"
    if sport and sport_key(sport) in TYPE_SURFACE:
        return TYPE_SURFACE[sport_key(sport)], f"activity type {sport}"
    if name:
        for pattern, surface in NAME_KEYWORDS:
            match = pattern.search(name)
            if match:
                return surface, f"name keyword '{match.group(0).lower()}'"
    if not has_gps and has_distance:
        return "indoor", "no GPS, speed/distance only"
    if has_gps and not moved and has_distance:
        return "indoor", "GPS positions stay in one spot, speed/distance only"
    if moved:
        return "road", GPS_DEFAULT
    return "unknown", "no rule matched"
