"""Plain trackpoints (Garmin's schema order, as nearly every app writes them) are read straight
from the bytes. Every document here is read that way and again with the element handlers alone;
both must read the same activities (sport, device, totals, samples) or fail with the same error.
Documents mix plain trackpoints with forms that are not plain, and hide trackpoint markup in
comments, CDATA sections and other trackpoints."""

from __future__ import annotations

import plainruns
import pytest
from budget import examples
from files import run_points, tcx_bytes, utc
from hypothesis import given, settings
from hypothesis import strategies as st

from strideload.ingest import tcx as reader
from strideload.ingest.safexml import XmlLimits


def read_both(data: bytes, limits: XmlLimits | None = None) -> tuple[object, int]:
    return plainruns.read_both(reader, reader.read_tcx, data, limits)


def document(trackpoints: str, sport: str = "Running") -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
            'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
            'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
            f'<Activities><Activity Sport="{sport}"><Id>2024-05-04T07:00:00Z</Id>'
            '<Lap StartTime="2024-05-04T07:00:00Z"><TotalTimeSeconds>600</TotalTimeSeconds>'
            f"<DistanceMeters>1800</DistanceMeters><Track>{trackpoints}</Track></Lap>"
            "<Creator><Name>Forerunner 245</Name></Creator></Activity></Activities></TrainingCenterDatabase>"
            ).encode()


HIDDEN = "<Trackpoint><Time>2024-05-04T09:00:00Z</Time><DistanceMeters>9</DistanceMeters></Trackpoint>" * 3


def trackpoint(i: int, form: str) -> str:
    """Trackpoint ``i`` (seconds into the run) written in one of :data:`FORMS`."""
    time, position = f"2024-05-04T07:{i // 60:02d}:{i % 60:02d}Z", (
        f"<Position><LatitudeDegrees>{46 + i * 1e-5:.7f}</LatitudeDegrees>"
        "<LongitudeDegrees>14.5</LongitudeDegrees></Position>")
    return {
        "garmin": f"<Trackpoint><Time>{time}</Time>{position}<AltitudeMeters>{300 + i}.0</AltitudeMeters>"
                  f"<DistanceMeters>{3 * i}.0</DistanceMeters><HeartRateBpm><Value>{140 + i % 9}</Value>"
                  f"</HeartRateBpm><Extensions><ns3:TPX><ns3:Speed>3.0</ns3:Speed><ns3:RunCadence>{84 + i % 3}"
                  "</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>",
        "indented, cadence first": f"<Trackpoint>\n <Time>{time}</Time>\n <DistanceMeters>{3 * i}</DistanceMeters>\n"
                                   f" <Extensions>\n  <ns3:TPX>\n   <ns3:RunCadence>{80 + i % 5}</ns3:RunCadence>\n"
                                   "   <ns3:Speed>2.5</ns3:Speed>\n  </ns3:TPX>\n </Extensions>\n</Trackpoint>\n",
        "tomtom": f"<Trackpoint>\r\n<Time>{time}</Time>\r\n{position}\r\n<Extensions><x:TPX><Speed>1.5</Speed></x:TPX>"
                  "</Extensions>\r\n</Trackpoint>\r\n",
        "bike": f"<Trackpoint><Time>{time}</Time><Cadence>{88 + i % 4}</Cadence><SensorState>Present</SensorState>"
                "<Extensions><TPX xmlns=\"http://www.garmin.com/xmlschemas/ActivityExtension/v2\"><Speed>7</Speed>"
                "<Watts>210</Watts></TPX></Extensions></Trackpoint>",
        "two speeds": f"<Trackpoint><Time>{time}</Time><Extensions><ns3:TPX><ns3:Speed>1</ns3:Speed>"
                      "<ns3:Speed>2</ns3:Speed></ns3:TPX></Extensions></Trackpoint>",
        "time only": f"<Trackpoint><Time>{time}</Time></Trackpoint>",
        "no time": f"<Trackpoint>{position}<DistanceMeters>{i}</DistanceMeters></Trackpoint>",
        "typed heart rate": f"<Trackpoint><Time>{time}</Time><HeartRateBpm xsi:type=\"HeartRateInBeatsPerMinute_t\">"
                            "<Value>150</Value></HeartRateBpm></Trackpoint>",
        "prefixed": f"<tcx:Trackpoint><tcx:Time>{time}</tcx:Time></tcx:Trackpoint>",
        "longitude first": f"<Trackpoint><Time>{time}</Time><Position><LongitudeDegrees>14</LongitudeDegrees>"
                           "<LatitudeDegrees>46</LatitudeDegrees></Position></Trackpoint>",
        "character reference": f"<Trackpoint><Time>{time}</Time><DistanceMeters>1&#48;</DistanceMeters></Trackpoint>",
        "empty value": f"<Trackpoint><Time>{time}</Time><AltitudeMeters></AltitudeMeters></Trackpoint>",
        "average heart rate": f"<Trackpoint><Time>{time}</Time><AverageHeartRateBpm><Value>99</Value>"
                              "</AverageHeartRateBpm></Trackpoint>",
        "trackpoints nested in one": f"<Trackpoint><Time>{time}</Time><Extensions>{HIDDEN}</Extensions></Trackpoint>",
        "cdata": f"<Trackpoint><Time>{time}</Time><DistanceMeters><![CDATA[5]]></DistanceMeters></Trackpoint>",
        "bad time": "<Trackpoint><Time>2024-13-01T00:00:00Z</Time></Trackpoint>",
    }[form]


FORMS = ["garmin", "indented, cadence first", "tomtom", "bike", "two speeds", "time only", "no time",
         "typed heart rate", "prefixed", "longitude first", "character reference", "empty value",
         "average heart rate", "trackpoints nested in one", "cdata", "bad time"]
BETWEEN = ["", "\n", "<!-- a pause -->", "stray text", f"<!-- {HIDDEN} -->", f"<![CDATA[{HIDDEN}]]>"]


def test_plain_trackpoints_are_read_from_the_bytes_as_the_handlers_read_them():
    points = run_points(utc(2026, 5, 4, 6), km=0.5)
    for data in (tcx_bytes(points), tcx_bytes(points).replace(b"><", b">\n    <")):
        (run,), taken = read_both(data)
        assert len(run[5]) == len(points)
        assert taken >= len(points) - 3  # handlers: the last of each run, and the one a chunk boundary cuts
        assert run[4].distance_m == pytest.approx(points[-1].dist)


@pytest.mark.parametrize("form", FORMS)
def test_each_form_among_plain_trackpoints(form):
    forms = ["garmin"] * 5 + [form] + ["garmin"] * 5 + [form, form] + ["garmin"] * 3
    read_both(document("".join(trackpoint(i, f) for i, f in enumerate(forms))))


@pytest.mark.parametrize("between", BETWEEN[2:], ids=["comment", "text", "commented-out trackpoints", "cdata"])
def test_what_stands_between_trackpoints_is_never_read_as_one(between):
    (run,), _ = read_both(document(between.join(trackpoint(i, "garmin") for i in range(20))))
    assert len(run[5]) == 20


@settings(max_examples=examples(150), deadline=None)
@given(forms=st.lists(st.sampled_from(FORMS), max_size=14), between=st.lists(st.sampled_from(BETWEEN), min_size=1),
       sport=st.sampled_from(["Running", "Biking"]))
def test_any_mix_of_forms_reads_the_same_both_ways(forms, between, sport):
    points = "".join(trackpoint(i, form) + between[i % len(between)] for i, form in enumerate(forms))
    read_both(document(points, sport))


def test_a_depth_budget_below_what_a_trackpoint_nests_fails_the_same_way():
    data = document("".join(trackpoint(i, "garmin") for i in range(10)))  # Speed is 9 deep
    error, taken = read_both(data, XmlLimits(max_depth=8))
    assert "deeper than 8 elements" in error[1] and taken == 0
    (run,), _ = read_both(data, XmlLimits(max_depth=9))
    assert len(run[5]) == 10


BYTES = [b"<", b">", b"&", b'"', b"/", b"]", b" ", b"\n", b"\r", b"\x00", b"\xff", b":", b"x", b"S", b"7", b"-",
         b"<!--", b"]]>", b"&#49;", b"</Trackpoint>", b"<Trackpoint>", b"<Value>", b"ns3:", b"TPX"]


@settings(max_examples=examples(300), deadline=None)
@given(indented=st.booleans(), edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["put", "insert", "delete"]),
                                                        st.sampled_from(BYTES)), min_size=1, max_size=3))
def test_plain_trackpoints_with_any_byte_broken_read_or_fail_as_expat_says(indented, edits):
    """Expat never sees a run: whatever the pattern takes must be what expat would have read."""
    data = document("".join(trackpoint(i, "indented, cadence first" if indented else "garmin") for i in range(12)))
    first, last = data.index(b"<Trackpoint>"), data.index(b"</Track>")
    read_both(plainruns.broken(data, first, last, edits))
