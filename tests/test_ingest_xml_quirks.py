"""What real GPX/TCX exports hold, and what hostile ones do: each case is a file generated here
that reproduces it, named after the device or app that writes it."""

from __future__ import annotations

import gzip
import io
import logging

import pytest
from files import gpx_bytes, run_points, tcx_bytes, utc

from strideload.config import parse_config
from strideload.errors import CorruptFileError, NoActivityError
from strideload.ingest.gpx import read_gpx
from strideload.ingest.importer import import_paths, read_activities
from strideload.ingest.safexml import XmlLimits
from strideload.ingest.tcx import read_tcx


@pytest.fixture(scope="module")
def points():
    return run_points(utc(2026, 5, 4, 6), km=0.3)


@pytest.fixture(scope="module")
def gpx(points) -> bytes:
    return gpx_bytes(points)


@pytest.fixture(scope="module")
def tcx(points) -> bytes:
    return tcx_bytes(points)


# --- XML before the root -------------------------------------------------------------------


def test_polar_v800_tcx_with_whitespace_before_the_xml_declaration(tmp_path, tcx, points):
    polar = b"   \r\n\t " + tcx.replace(b"Forerunner 245", b"Polar V800")
    (run,) = read_tcx(polar, "polar-v800.tcx")
    assert len(run.samples) == len(points)
    assert run.device == "Polar V800"
    path = tmp_path / "polar-v800.tcx"
    path.write_bytes(polar)  # recognised as TCX from its bytes too
    assert read_activities(path)[0].summary["format"] == "tcx"


def test_gpx_resaved_by_windows_notepad_with_a_bom_and_blank_lines(gpx, points):
    (run,) = read_gpx(b"\xef\xbb\xbf\r\n\r\n" + gpx.replace(b"\n", b"\r\n"), "notepad.gpx")
    assert len(run.samples) == len(points)


def test_a_utf16_gpx_from_a_windows_tool_is_read(tmp_path, gpx, points):
    text = gpx.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    for data in (text.encode("utf-16"), text.encode("utf-16-be")):
        (run,) = read_gpx(data, "utf16.gpx")
        assert len(run.samples) == len(points)
    (tmp_path / "utf16.gpx").write_bytes(text.encode("utf-16"))
    assert read_activities(tmp_path / "utf16.gpx")[0].summary["format"] == "gpx"


def test_a_windows_1252_gpx_is_read_and_an_unknown_encoding_is_a_reason(gpx, tcx, points):
    """Found by fuzzing: a mangled encoding name once escaped as a strideload bug."""
    latin = gpx.replace(b'encoding="UTF-8"', b'encoding="windows-1252"')
    (run,) = read_gpx(latin, "exported.gpx")
    assert len(run.samples) == len(points)
    for data, reader in ((gpx, read_gpx), (tcx, read_tcx)):
        bogus = data.replace(b'encoding="UTF-8"', b'encoding="UTF-9"', 1)  # a name no codec has
        assert bogus != data
        with pytest.raises(CorruptFileError, match="text encoding that is not known"):
            reader(bogus, "mangled")


def test_padding_after_the_root_of_a_cut_off_sync_is_ignored(gpx, points):
    (run,) = read_gpx(gpx + b"\n\x00\x00\x00\x00garbage", "padded.gpx")
    assert len(run.samples) == len(points)


def test_errors_count_the_lines_skipped_before_the_root(gpx):
    broken = b"\n\n" + gpx.replace(b"<trk>", b"\n<trk>", 1).replace(b"</trkseg>", b"", 1)
    with pytest.raises(CorruptFileError, match="not well-formed") as info:
        read_gpx(broken, "broken.gpx")
    assert info.value.offset == 5


# --- undeclared namespace prefixes ---------------------------------------------------------


def strava_gpxdata(points) -> bytes:
    """A Strava GPX whose ``gpxdata:`` (ClueTrust) and ``xsi:`` prefixes are never declared."""
    rows = "".join(
        f'<trkpt lat="{p.lat:.7f}" lon="{p.lon:.7f}"><ele>{p.ele:.1f}</ele>'
        f"<time>{p.time:%Y-%m-%dT%H:%M:%SZ}</time><extensions><gpxdata:hr>{p.hr:.0f}</gpxdata:hr>"
        f"<gpxdata:cadence>{p.cadence_spm / 2:.0f}</gpxdata:cadence></extensions></trkpt>"
        for p in points)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="StravaGPX" version="1.1" '
            'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 gpx.xsd" '
            'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Lunch Run</name><type>9</type>'
            f"<trkseg>{rows}</trkseg></trk></gpx>").encode()


def test_strava_gpx_with_the_gpxdata_prefix_never_declared(points):
    (run,) = read_gpx(strava_gpxdata(points), "strava.gpx")
    assert (run.sport, run.device, run.name) == ("running", "StravaGPX", "Lunch Run")
    assert len(run.samples) == len(points)
    assert run.samples["heart_rate_bpm"].tolist() == [round(p.hr) for p in points]
    assert run.samples["cadence_spm"].eq(170).all()  # per foot, doubled


def test_an_undeclared_prefix_still_cannot_bring_a_dtd(points):
    hostile = strava_gpxdata(points).replace(
        b"<gpx ", b'<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><gpx ', 1)
    with pytest.raises(CorruptFileError, match="DTD"):
        read_gpx(hostile.replace(b"<name>Lunch Run", b"<name>&xxe;"), "xxe.gpx")


# --- track points without a position ---------------------------------------------------------


def without_position(gpx: bytes, indexes: list[int]) -> bytes:
    """Runtastic-style GPX whose first point precedes the GPS fix: no lat/lon on some points."""
    parts = gpx.split(b"<trkpt ")
    for i in indexes:
        attrs, rest = parts[i + 1].split(b">", 1)
        parts[i + 1] = b"" + rest if i % 2 else b'lat="" ' + rest  # missing, or empty
    return b"<trkpt ".join(parts).replace(b"<trkpt <ele>", b"<trkpt><ele>").replace(
        b'<trkpt lat="" <ele>', b'<trkpt lat=""><ele>')


def test_runtastic_points_before_the_gps_fix_are_skipped_not_the_file(gpx, points, caplog):
    data = without_position(gpx, [0, 10, 11, 50])
    with caplog.at_level(logging.WARNING):
        (run,) = read_gpx(data, "runtastic.gpx")
    assert len(run.samples) == len(points) - 4
    assert run.start_time == points[1].time
    assert "skipped 4 track point(s) without a position" in caplog.text


def test_a_track_with_no_position_at_all_has_no_activity(gpx, points):
    with pytest.raises(NoActivityError, match="position"):
        read_gpx(without_position(gpx, list(range(len(points)))), "nofix.gpx")


# --- the device reaches the activity ---------------------------------------------------------


def test_gpx_creator_and_tcx_creator_with_product_and_version_name_the_device(tmp_path, gpx, tcx):
    garmin = tcx.replace(b"<Creator><Name>Forerunner 245</Name></Creator>",
                         b'<Creator xsi:type="Device_t"><Name>Forerunner 735XT</Name><UnitId>1</UnitId>'
                         b"<ProductID>1941</ProductID><Version><VersionMajor>9</VersionMajor>"
                         b"<VersionMinor>10</VersionMinor></Version></Creator>")
    (tcx_run,) = read_tcx(garmin, "fr735xt.tcx")
    assert tcx_run.device == "Forerunner 735XT (product 1941, version 9.10)"
    (gpx_run,) = read_gpx(gpx.replace(b'creator="StravaGPX"', b'creator="Garmin Connect"'), "gc.gpx")
    assert gpx_run.device == "Garmin Connect"
    path = tmp_path / "fr735xt.tcx"
    path.write_bytes(garmin)
    assert read_activities(path)[0].summary["device"] == "Forerunner 735XT (product 1941, version 9.10)"


def test_a_tcx_without_creator_names_the_app_that_wrote_it(tcx):
    app = tcx.replace(b"<Creator><Name>Forerunner 245</Name></Creator>", b"").replace(
        b"</Activities>", b'</Activities><Author xsi:type="Application_t"><Name>Runtastic</Name></Author>')
    assert read_tcx(app, "runtastic.tcx")[0].device == "Runtastic"


# --- hostile documents: budgets --------------------------------------------------------------


def nested_bomb(levels: int) -> bytes:
    """The issue-10 attack: a GPX whose track point holds ``levels`` nested extension elements."""
    head = b'<?xml version="1.0"?><gpx creator="x"><trk><trkseg><trkpt lat="1" lon="2"><extensions>'
    return head + b"<x>" * levels + b"</x>" * levels + b"</extensions></trkpt></trkseg></trk></gpx>"


def test_a_million_nested_extensions_in_a_small_gpx_gz_fail_that_file_only(tmp_path, gpx):
    bomb = gzip.compress(nested_bomb(1_000_000), 9)
    assert len(bomb) < 20_000
    (tmp_path / "bomb.gpx.gz").write_bytes(bomb)
    (tmp_path / "run.gpx").write_bytes(gpx)
    with pytest.raises(CorruptFileError, match="deeper than 64 elements.*max_xml_depth"):
        read_activities(tmp_path / "bomb.gpx.gz")
    from strideload.store import Store

    with Store.open(tmp_path / "s.db") as store:
        result = import_paths(store, [tmp_path], athlete="ana")
    assert result.counts()["added"] == 1
    [failed] = result.failed
    assert failed.path.endswith("bomb.gpx.gz") and "max_xml_depth" in failed.reason


def test_the_depth_budget_is_a_setting(tmp_path, gpx, tcx):
    (tmp_path / "run.gpx").write_bytes(gpx)
    (tmp_path / "run.tcx").write_bytes(tcx)
    shallow = parse_config({"settings": {"max_xml_depth": 8}})
    assert read_activities(tmp_path / "run.gpx", config=shallow)  # GPX nests 7 deep here
    with pytest.raises(CorruptFileError, match="deeper than 8"):
        read_activities(tmp_path / "run.tcx", config=shallow)  # TCX 9 deep


def test_a_document_over_the_byte_budget_is_refused_before_parsing(tmp_path, gpx):
    (tmp_path / "run.gpx").write_bytes(gpx)
    small = parse_config({"settings": {"max_xml_bytes": len(gpx) - 1}})
    with pytest.raises(CorruptFileError, match="max_xml_bytes"):
        read_activities(tmp_path / "run.gpx", config=small)
    with pytest.raises(CorruptFileError, match="max_xml_bytes"):  # a stream of unknown size too
        read_gpx(_Pipe(gpx), "pipe.gpx", limits=XmlLimits(max_bytes=len(gpx) - 1))


class _Pipe(io.RawIOBase):
    """A source whose size cannot be known up front (no seek), like a pipe."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


# --- streaming -------------------------------------------------------------------------------


def test_a_file_object_reads_like_its_bytes(tmp_path, points):
    long_run = gpx_bytes(run_points(utc(2026, 5, 4, 6), km=5))  # several parser chunks
    path = tmp_path / "run.gpx"
    path.write_bytes(long_run)
    with path.open("rb") as handle:
        (streamed,) = read_gpx(handle, "run.gpx")
    (whole,) = read_gpx(long_run, "run.gpx")
    assert len(long_run) > 3 * 65536
    assert streamed.samples.equals(whole.samples)
    (piped,) = read_tcx(_Pipe(tcx_bytes(points)), "pipe.tcx")
    assert len(piped.samples) == len(points)


def test_extension_names_in_any_case_are_read(gpx, points):
    """Apps spell the extension elements their own way: <HeartRate>, <Cadence>."""
    capitals = gpx.replace(b"gpxtpx:hr>", b"gpxtpx:HeartRate>").replace(b"gpxtpx:cad>", b"gpxtpx:Cadence>")
    (run,) = read_gpx(capitals, "capitals.gpx")
    assert run.samples["heart_rate_bpm"].tolist() == [round(p.hr) for p in points]
    assert run.samples["cadence_spm"].eq(170).all()
