"""Reading TCX: real exports checked against the devices' own lap totals, and built cases."""

from __future__ import annotations

import gzip

import pytest
from corpus import CORPUS_DIR, manifest_rows, requires_corpus

from strideload.errors import CorruptFileError, FileImportError, NoActivityError, UnknownFormatError
from strideload.ingest.tcx import read_tcx
from strideload.model import RAW_COLUMNS, RUNNING_SPORTS

TCX_ROWS = [row for row in manifest_rows() if row["format"] == "tcx"]
GROUND_TRUTH = [row for row in TCX_ROWS if row["category"] == "running:ground-truth"]
OTHER_SPORT = [row for row in TCX_ROWS if row["category"] == "other-sport"]


def corpus_bytes(name: str) -> bytes:
    data = (CORPUS_DIR / "files" / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def ids(rows):
    return [row["file"] for row in rows]


# --- factory -------------------------------------------------------------------------


def make_activity(
    sport: str = "Running",
    *,
    day: int = 1,
    laps: int = 2,
    points: int = 3,
    run_cadence: int | None = 85,
    cadence: int | None = None,
    notes: str | None = None,
    with_id: bool = True,
) -> str:
    """One ``<Activity>``: ``laps`` laps of 100 m / 30 s, each with ``points`` trackpoints 10 s apart."""
    lap_xml = []
    for lap in range(laps):
        tps = []
        for i in range(points):
            second = lap * 30 + i * 10
            tpx = f"<ns3:RunCadence>{run_cadence}</ns3:RunCadence>" if run_cadence is not None else ""
            tps.append(
                f"<Trackpoint><Time>2024-05-0{day}T07:{second // 60:02d}:{second % 60:02d}.000Z</Time>"
                "<Position><LatitudeDegrees>46.0</LatitudeDegrees><LongitudeDegrees>14.0</LongitudeDegrees>"
                f"</Position><AltitudeMeters>{300 + i}</AltitudeMeters>"
                f"<DistanceMeters>{lap * 100 + i * 33.3:.1f}</DistanceMeters>"
                "<HeartRateBpm><Value>150</Value></HeartRateBpm>"
                + (f"<Cadence>{cadence}</Cadence>" if cadence is not None else "")
                + f"<Extensions><ns3:TPX><ns3:Speed>3.3</ns3:Speed>{tpx}</ns3:TPX></Extensions>"
                "</Trackpoint>")
        lap_xml.append(
            f'<Lap StartTime="2024-05-0{day}T07:00:{lap * 30:02d}Z"><TotalTimeSeconds>30</TotalTimeSeconds>'
            f"<DistanceMeters>100</DistanceMeters><Track>{''.join(tps)}</Track></Lap>")
    ident = f"<Id>2024-05-0{day}T07:00:00Z</Id>" if with_id else ""
    note = f"<Notes>{notes}</Notes>" if notes else ""
    return (f'<Activity Sport="{sport}">{ident}{"".join(lap_xml)}{note}'
            "<Creator><Name>Factory Watch</Name></Creator></Activity>")


def make_tcx(*activities: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
        'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">\n'
        f"<Activities>{''.join(activities)}</Activities></TrainingCenterDatabase>").encode()


# --- constructed documents -------------------------------------------------------------


def test_two_activities_give_two_raw_activities():
    first, second = read_tcx(make_tcx(make_activity(), make_activity("Biking", day=2)), "two.tcx")
    assert [first.session_index, second.session_index] == [0, 1]
    assert (first.sport, second.sport) == ("running", "biking")
    assert first.start_time.isoformat() == "2024-05-01T07:00:00+00:00"
    assert second.start_time.day == 2
    assert first.format == second.format == "tcx"


def test_activity_facts_totals_and_samples():
    (activity,) = read_tcx(make_tcx(make_activity(notes="Easy run")), "run.tcx")
    assert (activity.name, activity.device) == ("Easy run", "Factory Watch")
    assert activity.totals.distance_m == 200 and activity.totals.timer_s == 60
    assert activity.totals.elapsed_s == 50  # first lap start to last trackpoint
    samples = activity.samples
    assert list(samples.columns) == list(RAW_COLUMNS)
    assert str(samples["time"].dt.tz) == "UTC"
    assert len(samples) == 6
    assert samples["speed_mps"].eq(3.3).all() and samples["heart_rate_bpm"].eq(150).all()
    assert samples["distance_m"].is_monotonic_increasing


def test_run_cadence_is_per_foot_and_doubled():
    (activity,) = read_tcx(make_tcx(make_activity(run_cadence=85)), "run.tcx")
    assert activity.samples["cadence_spm"].eq(170).all()


def test_trackpoint_cadence_is_doubled_for_running_and_kept_as_rpm_for_biking():
    data = make_tcx(make_activity(run_cadence=None, cadence=80),
                    make_activity("Biking", day=2, run_cadence=None, cadence=90))
    run, ride = read_tcx(data, "mixed.tcx")
    assert run.samples["cadence_spm"].eq(160).all()
    assert ride.samples["cadence_spm"].eq(90).all()


def test_start_time_falls_back_to_the_first_lap():
    (activity,) = read_tcx(make_tcx(make_activity(with_id=False)), "noid.tcx")
    assert activity.start_time.isoformat() == "2024-05-01T07:00:00+00:00"


def test_a_tcx_without_activities_has_no_activity():
    with pytest.raises(NoActivityError):
        read_tcx(make_tcx(), "empty.tcx")


def test_entity_declarations_are_refused_as_corrupt():
    prolog = '<!DOCTYPE t [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    with pytest.raises(CorruptFileError):
        read_tcx(make_tcx(make_activity(), prolog=prolog), "laughs.tcx")


def test_cut_off_xml_reports_its_line():
    data = make_tcx(make_activity())
    with pytest.raises(CorruptFileError) as info:
        read_tcx(data[: len(data) // 2], "cut.tcx")
    assert info.value.offset == 3
    assert info.value.__cause__ is not None


def test_a_gpx_is_not_a_tcx():
    with pytest.raises(UnknownFormatError):
        read_tcx(b'<gpx version="1.1"/>', "x.tcx")


# --- the corpus -------------------------------------------------------------------------


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", TCX_ROWS, ids=ids(TCX_ROWS))
def test_every_corpus_tcx_imports_or_fails_cleanly(row):
    try:
        activities = read_tcx(corpus_bytes(row["file"]), row["file"])
    except FileImportError:
        return
    assert activities
    for activity in activities:
        assert list(activity.samples.columns) == list(RAW_COLUMNS)
        assert str(activity.samples["time"].dt.tz) == "UTC"
        assert activity.samples["time"].is_monotonic_increasing


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", GROUND_TRUTH, ids=ids(GROUND_TRUTH))
def test_ground_truth_totals_match_the_sum_of_laps(row):
    (activity,) = read_tcx(corpus_bytes(row["file"]), row["file"])
    assert activity.sport == "running"
    assert activity.totals.distance_m == pytest.approx(float(row["gt_total_distance_m"]), rel=1e-4)
    assert activity.totals.timer_s == pytest.approx(float(row["gt_total_timer_time_s"]), rel=1e-4)
    if row["ref_last_record_distance_m"]:
        last = activity.samples["distance_m"].dropna().iloc[-1]
        assert last == pytest.approx(float(row["ref_last_record_distance_m"]), rel=1e-3)


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", [r for r in GROUND_TRUTH if r["gt_avg_cadence"]],
                         ids=ids([r for r in GROUND_TRUTH if r["gt_avg_cadence"]]))
def test_ground_truth_cadence_is_twice_the_device_per_foot_average(row):
    """The device figure is a mean of lap means, so the check uses the mean of non-zero samples.

    The median sits a few steps/min higher on these files (run_garmin: 176 vs 171.3; Polar
    M400: 126 vs 120) because cadence is skewed low by slow stretches; it is held to 5 %.
    """
    (activity,) = read_tcx(corpus_bytes(row["file"]), row["file"])
    cadence = activity.samples["cadence_spm"]
    moving = cadence[cadence > 0]
    expected = 2 * float(row["gt_avg_cadence"])
    assert moving.mean() == pytest.approx(expected, abs=3)
    assert moving.median() == pytest.approx(expected, rel=0.05)


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("row", OTHER_SPORT, ids=ids(OTHER_SPORT))
def test_other_sports_are_never_running(row):
    for activity in read_tcx(corpus_bytes(row["file"]), row["file"]):
        assert activity.sport not in RUNNING_SPORTS


@pytest.mark.corpus
@requires_corpus
def test_a_tcx_fragment_without_its_root_is_refused_by_name():
    """runpandas/malformed.tcx starts at <Activities> (no TrainingCenterDatabase, no xmlns):
    its undeclared xsi: prefix no longer stops the parse, its missing root does."""
    with pytest.raises(UnknownFormatError, match="root element <Activities>"):
        read_tcx(corpus_bytes("runpandas/malformed.tcx"), "malformed.tcx")


@pytest.mark.corpus
@requires_corpus
def test_gzip_copy_reads_like_the_original():
    (original,) = read_tcx(corpus_bytes("runpandas/run_garmin.tcx"), "a.tcx")
    (copy,) = read_tcx(corpus_bytes("derived/run_garmin.tcx.gz"), "a.tcx.gz")
    assert original.samples.equals(copy.samples)
    assert original.totals == copy.totals
