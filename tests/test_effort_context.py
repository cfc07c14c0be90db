"""RPE by hand and context periods from the command line: validated like the pain log (a bad
row imports nothing and names line and field), and a layoff explained by an injury becoming
a known gap rather than rest."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from factories import runs

from strideload import context as periods
from strideload.analyze import analyze, daily_load
from strideload.cli.main import cli
from strideload.model import Activity, empty_stream_columns
from strideload.store import Store


def fill(path, entries) -> list[str]:
    """A store at ``path`` with ana's runs (``entries`` as for ``factories.runs``); their ids."""
    frame = runs("ana", entries, source_path="test.fit", sha256="0" * 64, format="fit", summary_only=False)
    with Store.open(path) as store:
        for row in frame.to_dict("records"):
            row["rpe"] = None if pd.isna(row["rpe"]) else row["rpe"]
            store.insert_activity(Activity(summary=row, columns=empty_stream_columns()))
    return list(frame["id"])


def invoke(db, *args):
    return CliRunner().invoke(cli, list(args), env={"STRIDELOAD_DB": str(db)})


def test_rpe_by_hand_wins_over_the_files_and_feeds_session_rpe(tmp_path):
    db = tmp_path / "s.db"
    ids = fill(db, [("2026-05-04", 5.0, {"rpe": 3.0}), ("2026-05-05", 5.0)])
    done = invoke(db, "rpe", "add", ids[0], "6")
    assert done.exit_code == 0 and "added: RPE 6" in done.output
    listing = invoke(db, "rpe", "list", "--format", "csv")
    assert "6.0,hand" in listing.output and ",file" not in listing.output
    load = invoke(db, "load", "--unit", "rpe")
    assert load.exit_code == 0, load.output
    assert "session-RPE" in load.output and "1 run(s) without an RPE" in load.output
    with Store.open(db) as store:
        days = daily_load(store.activities_frame(), unit="rpe").set_index("date")["load"]
    assert days[pd.Timestamp("2026-05-04")] == pytest.approx(6 * 5000 / 3.0 / 60, abs=1e-5)  # RPE × min
    bad = invoke(db, "rpe", "add", ids[1], "11")
    assert bad.exit_code != 0 and "field 'rpe'" in bad.output and "Traceback" not in bad.output


def test_an_rpe_csv_with_one_bad_row_imports_nothing_and_names_line_and_field(tmp_path):
    db = tmp_path / "s.db"
    ids = fill(db, [("2026-05-04", 5.0), ("2026-05-05", 5.0), ("2026-05-05", 3.0)])
    csv = tmp_path / "rpe.csv"
    csv.write_text("activity,date,time,rpe,note\n"
                   f"{ids[0]},,,5,\n"
                   ",2026-05-05,,4,two runs that day\n")
    bad = invoke(db, "rpe", "import", str(csv), "--athlete", "ana")
    assert bad.exit_code != 0 and "line 3: field 'date'" in bad.output and "2 runs on 2026-05-05" in bad.output
    with Store.open(db) as store:
        assert store.rpe_frame()["rpe"].isna().all()  # not even line 2
    csv.write_text("activity,date,time,rpe,note\n"
                   f"{ids[0]},,,5,\n"
                   ",2026-05-05,08:00,4,\"the short one, easy\"\n")
    good = invoke(db, "rpe", "import", str(csv), "--athlete", "ana")
    assert good.exit_code == 0 and "2 added" in good.output, good.output
    again = invoke(db, "rpe", "import", str(csv), "--athlete", "ana")
    assert "0 added, 0 updated, 2 already recorded" in again.output


def test_rpe_and_context_csvs_beside_the_exports_are_picked_up(tmp_path):
    from files import gpx_bytes, run_points, utc

    folder = tmp_path / "ana"
    folder.mkdir()
    (folder / "run.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 5, 4, 6), km=1)))
    (folder / "rpe.csv").write_text("date,rpe\n2026-05-04,6\n")
    (folder / "context.csv").write_text("from,to,kind,note\n2026-05-10,2026-05-20,illness,flu\n")
    db = tmp_path / "s.db"
    result = invoke(db, "import", str(folder), "--athlete", "ana")
    assert result.exit_code == 0, result.output
    assert "RPE log" in result.output and "context periods" in result.output
    with Store.open(db) as store:
        assert list(store.rpe_frame()["rpe"]) == [6.0]
        assert list(store.context_frame()["kind"]) == ["illness"]


def test_a_context_csv_with_a_bad_row_names_it():
    try:
        periods.parse_csv("from,to,kind\n2026-01-01,2026-01-05,injury\n2026-02-01,2026-01-05,holiday\n", "ana")
    except periods.ContextInputError as exc:
        assert (exc.line, exc.field) == (3, "to")
    else:  # pragma: no cover
        raise AssertionError("a period ending before it starts was accepted")


def test_an_injury_turns_a_layoff_into_a_known_gap_not_rest(tmp_path):
    # 40 days of running, 10 days off (rest: under the 14-day gap rule), then 10 more days.
    days = [pd.Timestamp("2024-01-01") + pd.Timedelta(days=i) for i in list(range(40)) + list(range(50, 60))]
    history = runs("ana", [(day, 5.0) for day in days])
    plain = analyze(history).daily.set_index("date")
    layoff = slice(pd.Timestamp("2024-02-10"), pd.Timestamp("2024-02-19"))
    assert plain.loc[layoff, "covered"].all()                 # read as rest days
    assert plain.loc[pd.Timestamp("2024-02-25"), "acwr_coupled"] > 0

    db = tmp_path / "s.db"
    Store.open(db).close()
    added = invoke(db, "context", "add", "--from", "2024-02-10", "--to", "2024-02-19", "--kind", "injury",
                   "--note", "knee", "--athlete", "ana")
    assert added.exit_code == 0 and "added: ana injury 2024-02-10 to 2024-02-19 (10 days)" in added.output
    with Store.open(db) as store:
        context = store.context_frame()
    explained = analyze(history, context=context).daily.set_index("date")
    assert not explained.loc[layoff, "covered"].any()          # a known gap
    assert (explained.loc[layoff, "context"] == "injury").all()
    assert explained.loc[pd.Timestamp("2024-02-25"), ["acwr_coupled", "monotony"]].isna().all()
    assert explained.loc[pd.Timestamp("2024-02-09"), "acwr_coupled"] == plain.loc[pd.Timestamp("2024-02-09"),
                                                                                   "acwr_coupled"]
    listing = invoke(db, "context", "list", "--format", "csv")
    assert "injury" in listing.output and "knee" in listing.output
    gone = invoke(db, "context", "delete", "1")
    assert gone.exit_code == 0 and "deleted ana's injury" in gone.output
