"""Which surface a run was on, and which rule decided it.

Rules, first match wins (science.md, "Surface"):

1. FIT ``sub_sport`` (treadmill, street, trail, track, indoor_running);
2. the activity type as TCX/GPX/Strava state it (``TrailRun``, ``VirtualRun``, ...);
3. keywords in the activity name ("trail", "treadmill", "track", ...);
4. a run with speed and distance but no GPS positions is indoor;
5. otherwise ``unknown``: strideload does not guess a surface for a plain GPS run.
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


def classify(*, sub_sport: str | None, sport: str | None, name: str | None,
             has_gps: bool, has_distance: bool) -> tuple[str, str]:
    """Return ``(surface, surface_source)`` for one activity."""
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
    return "unknown", "no rule matched"
