"""Files beside the exports that are not activities: knee-pain logs (``pain*.csv``), RPE logs
(``rpe*.csv``), context periods (``context*.csv``) and return-to-run plan files
(``rtr*.toml``). Each is imported for the folder's athlete; a bad one is a failed outcome
naming line and field, and writes nothing."""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..errors import FileImportError, UsageError
from ..pain import PainInputError, latest_date, read_csv
from ..store import Store
from .boundary import boundary
from .outcomes import ImportResult, Outcome, PainImport


def import_pain_log(store: Store, path: Path, athlete: str, result: ImportResult,
                    config: Config | None = None) -> None:
    """Import one pain log for ``athlete``; a bad one (a row dated after tomorrow too) becomes
    a failed outcome, nothing written."""
    try:
        with boundary("reading the pain log", str(path)):
            entries = read_csv(path, athlete, latest=latest_date(config or Config(), athlete))
            written = store.add_pain(entries, source=str(path))
    except PainInputError as exc:
        where = f"line {exc.line}, " if exc.line is not None else ""
        result.outcomes.append(Outcome(str(path), athlete, "failed",
                                       f"pain log: {where}field {exc.field!r}: {exc.reason}"))
        return
    except FileImportError as exc:
        result.outcomes.append(Outcome(str(path), athlete, "failed", f"pain log: {exc.reason}"))
        return
    result.pain.append(PainImport(str(path), athlete, written.added, written.updated, written.unchanged))


def import_side_log(store: Store, path: Path, athlete: str, result: ImportResult, kind: str) -> None:
    """Import one RPE log (``kind`` ``rpe``) or file of context periods (``context``) for
    ``athlete``; a bad one becomes a failed outcome naming line and field, nothing written."""
    from .. import context, effort

    label = "RPE log" if kind == "rpe" else "context periods"
    try:
        with boundary(f"reading the {label}", str(path)):
            if kind == "rpe":
                written = store.add_rpe(effort.read_csv(path), athlete=athlete, source=str(path), path=str(path))
            else:
                written = store.add_context(context.read_csv(path, athlete), source=str(path))
    except (effort.RpeInputError, context.ContextInputError) as exc:
        where = f"line {exc.line}, " if exc.line is not None else ""
        result.outcomes.append(Outcome(str(path), athlete, "failed", f"{label}: {where}field {exc.field!r}: "
                                                                     f"{exc.reason}"))
        return
    except FileImportError as exc:
        result.outcomes.append(Outcome(str(path), athlete, "failed", f"{label}: {exc.reason}"))
        return
    result.pain.append(PainImport(str(path), athlete, written.added, written.updated, written.unchanged, kind))


def import_plan_file(store: Store, path: Path, athlete: str, result: ImportResult, config: Config) -> None:
    """Apply one return-to-run plan file for ``athlete``; a bad one (or one that cannot start,
    as before a later plan) becomes a failed outcome, nothing written."""
    from ..rtr.plan_file import PlanFileError, apply_plan_file  # the analysis it needs loads only for plan files

    try:
        with boundary("reading the return-to-run plan", str(path)):
            applied = apply_plan_file(store, path, athlete, config)
    except PlanFileError as exc:
        result.outcomes.append(Outcome(str(path), athlete, "failed", f"return-to-run plan: {exc.reason}"))
        return
    except UsageError as exc:
        result.outcomes.append(Outcome(str(path), athlete, "failed", f"return-to-run plan: {exc}"))
        return
    except FileImportError as exc:
        result.outcomes.append(Outcome(str(path), athlete, "failed", f"return-to-run plan: {exc.reason}"))
        return
    result.plans.append(applied)
