"""Plain track points (the form nearly every app writes) are read straight from the bytes while
expat checks them with its handlers off. Every document here is read that way and again with
the element handlers alone; both must read the same samples, sport, name and device, or fail
with the same error. Documents mix plain points with every form that is not plain, and put a
point's markup where it is not a point (a comment, a CDATA section, a route)."""

from __future__ import annotations

import io

import plainruns
import pytest
from budget import examples
from files import gpx_bytes, run_points, utc
from hypothesis import given, settings
from hypothesis import strategies as st

from strideload.ingest import gpx as reader
from strideload.ingest.safexml import MISSES, XmlLimits, _ascii_compatible


def read_both(data: bytes, limits: XmlLimits | None = None) -> tuple[object, int]:
    return plainruns.read_both(reader, reader.read_gpx, data, limits)


def document(points: str, *, head: str = "", creator: str = "Garmin Connect", declaration: str = "UTF-8") -> bytes:
    return (f'<?xml version="1.0" encoding="{declaration}"?>\n'
            f'<gpx creator="{creator}" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" '
            'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
            f"{head}<trk><name>Hill repeats</name><type>running</type><trkseg>{points}</trkseg></trk></gpx>"
            ).encode("utf-8" if declaration == "UTF-8" else declaration)


def point(i: int, form: str) -> str:
    """Track point ``i`` (seconds into the run) written in one of :data:`FORMS`."""
    lat, lon, time = f"{46.0 + i * 1e-5:.7f}", "14.5", f"2024-05-04T07:{i // 60:02d}:{i % 60:02d}"
    tpe = (f"<ns3:TrackPointExtension><ns3:hr>{140 + i % 9}</ns3:hr><ns3:cad>{84 + i % 3}</ns3:cad>"
           "</ns3:TrackPointExtension>")
    return {
        "strava": f'<trkpt lat="{lat}" lon="{lon}"><ele>{300 + i}.0</ele><time>{time}Z</time>'
                  f"<extensions>{tpe}</extensions></trkpt>",
        "garmin": f'<trkpt lat="{lat}" lon="{lon}">\n  <ele>{300 + i}.2000000476837158203125</ele>\n'
                  f"  <time>{time}.000Z</time>\n  <extensions>\n   <ns3:TrackPointExtension>\n"
                  f"    <ns3:atemp>21.0</ns3:atemp>\n    <ns3:hr>{150 + i % 5}</ns3:hr>\n"
                  f"    <ns3:cad>{80 + i % 4}</ns3:cad>\n   </ns3:TrackPointExtension>\n  </extensions>\n</trkpt>",
        "time only": f'<trkpt lat="{lat}" lon="{lon}"><time>{time}.25Z</time></trkpt>',
        "no time": f'<trkpt lat="{lat}" lon="{lon}"><ele>{i}</ele></trkpt>',
        "gpx 1.0 speed": f'<trkpt lat="{lat}" lon="{lon}"><ele>5</ele><time>{time}Z</time><speed>3.1</speed></trkpt>',
        "capitals": f'<trkpt lat="{lat}" lon="{lon}"><time>{time}+01:00</time><extensions><ns3:TrackPointExtension>'
                    f"<ns3:HeartRate>{130 + i % 7}</ns3:HeartRate><ns3:RunCadence>88</ns3:RunCadence>"
                    "</ns3:TrackPointExtension></extensions></trkpt>",
        "spaced values": f'<trkpt\tlat="{lat}"\r\n lon="{lon}" ><ele> 7.5 </ele><time>\n{time}Z\n</time></trkpt>',
        "satellites": f'<trkpt lat="{lat}" lon="{lon}"><ele>1</ele><time>{time}Z</time><sat>7</sat></trkpt>',
        "character reference": f'<trkpt lat="{lat}" lon="{lon}"><ele>1&#48;0</ele><time>{time}Z</time></trkpt>',
        "two heart rates": f'<trkpt lat="{lat}" lon="{lon}"><time>{time}Z</time><extensions>'
                           "<ns3:TrackPointExtension><ns3:hr>99</ns3:hr><ns3:hr>150</ns3:hr>"
                           "</ns3:TrackPointExtension></extensions></trkpt>",
        "lon first": f'<trkpt lon="{lon}" lat="{lat}"><time>{time}Z</time></trkpt>',
        "single quotes": f"<trkpt lat='{lat}' lon='{lon}'><time>{time}Z</time></trkpt>",
        "empty values": f'<trkpt lat="" lon="{lon}"><ele></ele><time>{time}Z</time></trkpt>',
        "upper-case time": f'<trkpt lat="{lat}" lon="{lon}"><TIME>{time}Z</TIME></trkpt>',
        "cdata": f'<trkpt lat="{lat}" lon="{lon}"><ele><![CDATA[12]]></ele><time>{time}Z</time></trkpt>',
        "points nested in one": f'<trkpt lat="{lat}" lon="{lon}"><time>{time}Z</time><extensions>{HIDDEN}'
                                "</extensions></trkpt>",
        "points in a comment in one": f'<trkpt lat="{lat}" lon="{lon}"><time>{time}Z</time><!-- {HIDDEN} --></trkpt>',
        "bad time": f'<trkpt lat="{lat}" lon="{lon}"><time>2024-02-30T07:00:00Z</time></trkpt>',
    }[form]


FORMS = ["strava", "garmin", "time only", "no time", "gpx 1.0 speed", "capitals", "spaced values", "satellites",
         "character reference", "two heart rates", "lon first", "single quotes", "empty values", "upper-case time",
         "cdata", "points nested in one", "points in a comment in one", "bad time"]
#: What may stand between two points (besides nothing).
HIDDEN = '<trkpt lat="1" lon="2"><time>2024-05-04T09:00:00Z</time></trkpt>' * 3
BETWEEN = ["", "\n    ", "\r\n\t", "<!-- a pause -->", "stray text", f"<!-- {HIDDEN} -->", f"<![CDATA[{HIDDEN}]]>"]


def test_plain_points_are_read_from_the_bytes_as_the_handlers_read_them():
    points = run_points(utc(2026, 5, 4, 6), km=0.5)
    for data in (gpx_bytes(points), gpx_bytes(points).replace(b"><", b">\n    <"),
                 gpx_bytes(points).replace(b"><", b">\r\n  <")):
        (run,), taken = read_both(data)
        assert len(run[5]) == len(points)
        assert taken >= len(points) - 2  # all but the last of the run, and the first is read again


def test_a_garmin_connect_export_with_air_temperature_is_plain():
    (run,), taken = read_both(document("\n".join(point(i, "garmin") for i in range(50))))
    assert len(run[5]) == 50 and taken == 49
    assert run[5]["heart_rate_bpm"].iloc[3] == 153 and run[5]["elevation_m"].iloc[0] == pytest.approx(300.2)


@pytest.mark.parametrize("between", BETWEEN[3:], ids=["comment", "text", "commented-out points", "cdata points"])
def test_what_stands_between_points_is_never_read_as_a_point(between):
    data = document(between.join(point(i, "strava") for i in range(20)))
    (run,), _ = read_both(data)
    assert len(run[5]) == 20


@pytest.mark.parametrize("form", FORMS)
def test_each_form_among_plain_points(form):
    forms = ["strava"] * 5 + [form] + ["strava"] * 5 + [form, form] + ["strava"] * 3
    read_both(document("".join(point(i, f) for i, f in enumerate(forms))))


@settings(max_examples=examples(150), deadline=None)
@given(forms=st.lists(st.sampled_from(FORMS), max_size=14), between=st.lists(st.sampled_from(BETWEEN), min_size=1),
       tail=st.sampled_from(["", " tail", "<!-- end -->", "\n"]))
def test_any_mix_of_forms_reads_the_same_both_ways(forms, between, tail):
    points = "".join(point(i, form) + between[i % len(between)] for i, form in enumerate(forms))
    read_both(document(points + tail))


def test_points_that_are_not_in_a_track_are_not_read():
    stray = point(0, "strava") + point(1, "strava")
    data = document("".join(point(i, "strava") for i in range(2, 6)), head=f"<rte>{stray}</rte>{stray}")
    (run,), _ = read_both(data)
    assert len(run[5]) == 4


def test_a_run_longer_than_a_parser_chunk_reads_the_same_from_a_file():
    data = gpx_bytes(run_points(utc(2026, 5, 4, 6), km=8)).replace(b"><", b">\n <")
    assert len(data) > 8 * 65536
    (whole,), taken = read_both(data)
    (streamed,) = reader.read_gpx(io.BytesIO(data), "t.gpx")
    assert streamed.samples.equals(whole[5])
    assert taken > 0.9 * len(whole[5])


def test_broken_bytes_inside_a_run_fail_with_the_same_line_and_column():
    points = "\n".join(point(i, "garmin") for i in range(30)).replace("</ns3:hr>", "</ns3:hx>", 12).replace(
        "</ns3:hx>", "</ns3:hr>", 11)
    error, _ = read_both(document(points))
    assert error[0].__name__ == "CorruptFileError" and "mismatched tag: line" in error[1]


def test_a_depth_budget_below_what_a_point_nests_fails_the_same_way():
    data = document("".join(point(i, "strava") for i in range(10)))  # hr is 7 deep
    error, taken = read_both(data, XmlLimits(max_depth=6))
    assert "deeper than 6 elements" in error[1] and taken == 0
    (run,), _ = read_both(data, XmlLimits(max_depth=7))
    assert len(run[5]) == 10


def test_a_windows_1252_export_is_plain_and_one_in_another_encoding_is_read_by_the_handlers():
    name = "Løp på fjellet"
    points = "".join(point(i, "strava") for i in range(10))
    data = document(points, declaration="windows-1252").replace(b"Hill repeats", name.encode("cp1252"))
    (run,), taken = read_both(data)
    assert run[1] == name and taken == 9
    assert _ascii_compatible(b'<?xml version="1.0" encoding="ISO-8859-1"?><gpx/>')
    assert not _ascii_compatible(b'<?xml version="1.0" encoding="UTF-7"?><gpx/>')  # "+" starts a shift
    assert not _ascii_compatible(b'<?xml version="1.0" encoding="x-unknown"?><gpx/>')


def test_a_file_that_is_not_written_plainly_stops_the_looking_and_reads_the_same():
    forms = ["lon first"] * (MISSES + 6) + ["strava"] * 20
    (run,), taken = read_both(document("".join(point(i, form) for i, form in enumerate(forms))))
    assert len(run[5]) == len(forms) and taken == 0


def test_an_error_after_runs_on_one_long_line_reports_the_column_of_the_file():
    points = [point(i, "strava") for i in range(40)]
    points[33] = points[33].replace("</ele>", "</elf>")
    error, taken = read_both(document("".join(points)))
    assert taken > 20 and "mismatched tag: line 2, column" in error[1]


BYTES = [b"<", b">", b"&", b'"', b"'", b"/", b"]", b" ", b"\n", b"\r", b"\x00", b"\xff", b":", b"=", b"!", b"?",
         b"x", b"H", b"7", b"-", b"<!--", b"]]>", b"&#49;", b"</trkpt>", b"<trkpt>", b"<ele>"]


@settings(max_examples=examples(300), deadline=None)
@given(indented=st.booleans(), edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["put", "insert", "delete"]),
                                                        st.sampled_from(BYTES)), min_size=1, max_size=3))
def test_plain_points_with_any_byte_broken_read_or_fail_as_expat_says(indented, edits):
    """Expat never sees a run: whatever the pattern takes must be what expat would have read."""
    points = "".join(point(i, "garmin" if indented else "strava") for i in range(12))
    data = document(points)
    first, last = data.index(b"<trkpt"), data.index(b"</trkseg>")
    read_both(plainruns.broken(data, first, last, edits))
