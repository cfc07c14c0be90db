"""Reading GPX: real exports from the corpus, and small documents built here by a factory."""

from __future__ import annotations

import gzip
from datetime import timezone

import defusedxml
import pytest
from corpus import CORPUS_DIR, manifest_rows, requires_corpus

from strideload.errors import CorruptFileError, FileImportError, NoActivityError, UnknownFormatError
from strideload.ingest.gpx import read_gpx
from strideload.model import RAW_COLUMNS, RUNNING_SPORTS, RawActivity

GPX_ROWS = [row for row in manifest_rows() if row["format"] == "gpx"]


def corpus_bytes(name: str) -> bytes:
    data = (CORPUS_DIR / "files" / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


# --- factory -------------------------------------------------------------------------


def make_gpx(
    cadences: list[float | None] | None = None,
    *,
    n: int = 6,
    sport: str | None = "running",
    prolog: str = "",
    tracks: int = 1,
    cadence_tag: str = "gpxtpx:cad",
    hr_tag: str = "gpxtpx:hr",
    time_suffix: str = "Z",
) -> bytes:
    """A small GPX 1.1 document: ``tracks`` tracks of ``n`` points, 5 s apart, moving north."""
    cadences = cadences if cadences is not None else [None] * n
    body = []
    for t in range(tracks):
        points = []
        for i, cad in enumerate(cadences):
            ext = f"<{hr_tag}>{140 + i}</{hr_tag}>"
            if cad is not None:
                ext += f"<{cadence_tag}>{cad}</{cadence_tag}>"
            points.append(
                f'<trkpt lat="{46.0 + i * 0.0001:.4f}" lon="14.0"><ele>{300 + i}</ele>'
                f"<time>2024-05-0{t + 1}T07:00:{i * 5:02d}{time_suffix}</time>"
                f"<extensions><gpxtpx:TrackPointExtension>{ext}</gpxtpx:TrackPointExtension></extensions>"
                f"</trkpt>")
        kind = f"<type>{sport}</type>" if sport is not None else ""
        body.append(f"<trk><name>Run {t}</name>{kind}<trkseg>{''.join(points)}</trkseg></trk>")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        '<gpx version="1.1" creator="Factory Watch" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"{''.join(body)}</gpx>").encode()


BILLION_LAUGHS = (
    '<!DOCTYPE gpx [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


# --- constructed documents -------------------------------------------------------------


def test_a_track_becomes_one_raw_activity_in_the_contract():
    (activity,) = read_gpx(make_gpx([85] * 6), "run.gpx")
    assert isinstance(activity, RawActivity)
    assert activity.format == "gpx"
    assert list(activity.samples.columns) == list(RAW_COLUMNS)
    assert str(activity.samples["time"].dt.tz) == "UTC"
    assert activity.start_time.tzinfo is not None and activity.start_time.utcoffset().total_seconds() == 0
    assert (activity.sport, activity.name, activity.device) == ("running", "Run 0", "Factory Watch")
    assert activity.samples["heart_rate_bpm"].tolist() == [140, 141, 142, 143, 144, 145]
    assert activity.samples["elevation_m"].iloc[0] == 300
    assert activity.samples["distance_m"].isna().all()  # the normaliser computes distance


def test_per_foot_cadence_around_85_is_doubled_to_steps_per_minute():
    (activity,) = read_gpx(make_gpx([84, 85, 86, 85, 0, 85]), "foot.gpx")
    assert activity.samples["cadence_spm"].tolist() == [168, 170, 172, 170, 0, 170]


def test_cadence_already_in_steps_per_minute_around_170_is_kept():
    (activity,) = read_gpx(make_gpx([168, 170, 172, 170, 0, 171]), "steps.gpx")
    assert activity.samples["cadence_spm"].tolist() == [168, 170, 172, 170, 0, 171]


def test_plain_cadence_and_heartrate_elements_are_read():
    data = make_gpx([88] * 6, cadence_tag="cadence", hr_tag="heartrate")
    (activity,) = read_gpx(data, "plain.gpx")
    assert activity.samples["cadence_spm"].eq(176).all()
    assert activity.samples["heart_rate_bpm"].iloc[0] == 140


def test_strava_numeric_type_codes_are_mapped():
    assert read_gpx(make_gpx(sport="9"), "s.gpx")[0].sport == "running"
    assert read_gpx(make_gpx(sport="1"), "s.gpx")[0].sport == "cycling"
    assert read_gpx(make_gpx(sport="Kayak"), "s.gpx")[0].sport == "kayak"


def test_cycling_cadence_stays_in_rpm():
    (ride,) = read_gpx(make_gpx([90] * 6, sport="1"), "ride.gpx")
    assert ride.samples["cadence_spm"].eq(90).all()


def test_each_track_is_its_own_activity():
    activities = read_gpx(make_gpx(tracks=2), "two.gpx")
    assert [a.session_index for a in activities] == [0, 1]
    assert activities[0].start_time.day == 1 and activities[1].start_time.day == 2


def test_times_with_an_offset_become_utc():
    (activity,) = read_gpx(make_gpx(time_suffix="+02:00"), "offset.gpx")
    assert activity.start_time.astimezone(timezone.utc).hour == 5


def test_billion_laughs_is_refused_as_corrupt():
    with pytest.raises(CorruptFileError) as info:
        read_gpx(make_gpx(prolog=BILLION_LAUGHS), "laughs.gpx")
    assert isinstance(info.value.__cause__, defusedxml.DefusedXmlException)


def test_broken_xml_reports_its_line():
    data = make_gpx().replace(b"</trkseg>", b"", 1).replace(b"<trk>", b"\n\n<trk>", 1)
    with pytest.raises(CorruptFileError) as info:
        read_gpx(data, "broken.gpx")
    assert info.value.offset == 3
    assert info.value.__cause__ is not None


def test_a_non_gpx_document_is_an_unknown_format():
    with pytest.raises(UnknownFormatError):
        read_gpx(b"<TrainingCenterDatabase/>", "x.gpx")


# --- the corpus -------------------------------------------------------------------------


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", GPX_ROWS, ids=[row["file"] for row in GPX_ROWS])
def test_every_corpus_gpx_imports_or_fails_cleanly(row):
    try:
        activities = read_gpx(corpus_bytes(row["file"]), row["file"])
    except FileImportError:
        return
    assert activities
    for activity in activities:
        samples = activity.samples
        assert list(samples.columns) == list(RAW_COLUMNS)
        assert str(samples["time"].dt.tz) == "UTC"
        assert samples["time"].is_monotonic_increasing
        if row["category"] == "other-sport":
            assert activity.sport not in RUNNING_SPORTS


@pytest.mark.corpus
@requires_corpus
def test_planned_route_is_not_an_activity():
    with pytest.raises(NoActivityError, match="planned route, not a recorded activity"):
        read_gpx(corpus_bytes("gpxpy/route.gpx"), "route.gpx")


@pytest.mark.corpus
@requires_corpus
def test_track_without_times_cannot_count_as_dated_training():
    with pytest.raises(NoActivityError, match="dated training"):
        read_gpx(corpus_bytes("gpxpy/cerknicko-without-times.gpx"), "without-times.gpx")


@pytest.mark.corpus
@requires_corpus
def test_empty_segment_is_harmless():
    (activity,) = read_gpx(corpus_bytes("gpxpy/track-with-empty-segment.gpx"), "empty-seg.gpx")
    assert len(activity.samples) == 9


@pytest.mark.corpus
@requires_corpus
def test_strava_run_is_running_with_doubled_cadence():
    (activity,) = read_gpx(corpus_bytes("runpandas/strava_export.gpx"), "strava.gpx")
    assert activity.sport == "running"
    cadence = activity.samples["cadence_spm"]
    assert 150 < cadence[cadence > 0].median() < 200


@pytest.mark.corpus
@requires_corpus
def test_gzip_copy_reads_like_the_original():
    (original,) = read_gpx(corpus_bytes("runpandas/garmin_connect.gpx"), "a.gpx")
    (copy,) = read_gpx(corpus_bytes("derived/garmin_connect.gpx.gz"), "a.gpx.gz")
    assert original.samples.equals(copy.samples)
