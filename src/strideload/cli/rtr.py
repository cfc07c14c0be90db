"""``strideload rtr``: return-to-run plans. Start one, record the PT's stage decisions, and
see where it stands. Each command is one library call (:mod:`strideload.rtr`) plus rendering."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from .. import rtr
from ..errors import UsageError
from ..rtr.progress import iso as _iso
from .main import Context, common_options
from .pain import whose
from .render import DATE, as_of_option, format_option, render, table_or_json_option


def _athlete(ctx: Context, athlete: str | None) -> str:
    return whose(ctx, athlete)


@click.group("rtr")
def rtr_group() -> None:
    """Return to run: a protocol's stages, what each run actually was, and whether to progress.

    \b
    Examples:
      strideload rtr protocols                         # crowell2023, delaware2018, your own
      strideload rtr start --athlete ana --protocol crowell2023 --date 2026-09-15
      strideload rtr status --athlete ana
      strideload rtr set --athlete ana --stage 2       # your decision, dated today
      strideload rtr plans --athlete ana               # every plan and decision, and which is in force

    strideload measures each run after the start (run and walk minutes, distance, hills)
    and compares it with the stage's prescription, the protocol's rules and the pain log.
    It says whether the criteria to progress are met; the decision is the PT's.
    """


@rtr_group.command("start")
@click.option("--athlete", help="Whose plan [default: the config's default_athlete, else the store's only "
                                "athlete; with several, required].")
@click.option("--protocol", "protocol", required=True, metavar="KEY|FILE",
              help="crowell2023, delaware2018, a key in your protocols folder, or a .toml file.")
@click.option("--date", "day", type=DATE, help="First day of the plan [default: today].")
@click.option("--stage", type=int, default=1, show_default=True, help="Stage to start at.")
@click.option("--replace", is_flag=True,
              help="Replace the athlete's plan in force (it stays in the history with its decisions).")
@common_options
def start_command(ctx: Context, athlete: str | None, protocol: str, day: datetime | None, stage: int,
                  replace: bool) -> None:
    """Start a return-to-run plan. An athlete with a plan keeps it unless you add --replace."""
    ctx.creates_store = True
    name = _athlete(ctx, athlete)
    before = rtr.current_plan(ctx.store, name)
    plan = rtr.start(ctx.store, name, protocol, on=day.date() if day else None, stage=stage,
                     config=ctx.config, replace=replace)
    first = plan.protocol.stage(stage)
    click.echo(f"{plan.athlete}: {plan.protocol.name} from {_iso(plan.start)}, "
               f"at {rtr.describe(plan.protocol, first)}.")
    if before is not None and before.id != plan.id:
        click.echo(f"It replaces the plan {rtr.in_words(before)}, which stays in the history "
                   "('strideload rtr plans').")
    elif before is not None:
        click.echo(f"Already started ({plan.source_words}): nothing new recorded.")
    click.echo(f"Source: {plan.protocol.citation}")


@rtr_group.command("set")
@click.option("--athlete", help="Whose plan [default: the config's default_athlete, else the store's only "
                                "athlete; with several, required].")
@click.option("--stage", type=int, required=True, help="The stage the athlete is at from --date on.")
@click.option("--date", "day", type=DATE, help="From when [default: today].")
@click.option("--note", help="Why, for the record.")
@common_options
def set_command(ctx: Context, athlete: str | None, stage: int, day: datetime | None, note: str | None) -> None:
    """Record your decision: the plan is at STAGE from DATE on (runs that day count at it)."""
    plan = rtr.set_stage(ctx.store, _athlete(ctx, athlete), stage, on=day.date() if day else None, note=note,
                         config=ctx.config)
    latest = max(plan.decisions, key=lambda d: d.id or 0)
    click.echo(f"{plan.athlete}: {rtr.describe(plan.protocol, plan.protocol.stage(stage))}, from {_iso(latest.day)}.")
    for line in rtr.decision_notes(plan):
        click.echo(f"Note: {line}.")


def _plan_line(status: rtr.RtrStatus) -> str:
    source = status.plan_source
    where = ("started with 'strideload rtr start'" if not source or source == "cli"
             else f"from the plan file {source}")
    return f"{status.protocol_name}, from {status.plan_start}, {where}"


def _replaced_line(row: dict[str, object]) -> str:
    source = row["source"]
    where = "rtr start" if not source or source == "cli" else f"plan file {source}"
    until = row["in_force_until"]
    span = "never in force" if until == "never" else f"in force until {until}" if until else "in force"
    return (f"{row['protocol']} from {row['start']} ({where}, {row['decisions']} decision"
            f"{'s' if row['decisions'] != 1 else ''}), {span}")


def _lines(status: rtr.RtrStatus) -> list[dict[str, str]]:
    label = f"{status.stage_name} {status.stage} of {status.stages}"
    off = status.sessions - status.sessions_as_prescribed
    lines = [("Plan in force", _plan_line(status))]
    lines += [("Replaced", _replaced_line(row)) for row in status.replaced]
    lines += [("Stage", f"{label}, since {status.stage_since}: {status.prescription.split(': ', 1)[1]}"),
              ("Sessions", f"{status.sessions} at this {status.stage_name}: {status.sessions_as_prescribed} as "
                           f"prescribed, {off} not; {status.sessions_counted} count toward progressing "
                           f"({status.sessions_needed} needed)")]
    verdict = {"complete": "complete", "ready": "criteria met: the decision is yours"}.get(status.verdict,
                                                                                           status.verdict)
    lines.append(("Progress", verdict))
    for criterion in status.criteria:
        lines.append(("  " + criterion.name.replace("_", " "), ("✓ " if criterion.met else "✗ ") + criterion.detail))
    lines.append(("Next session", f"{status.next_session} Not before {status.next_date}."
                  if not status.complete else status.next_session))
    return [{"item": k, "value": v} for k, v in lines]


@rtr_group.command("status")
@click.option("--athlete", help="Only this athlete [default: everyone with a plan].")
@as_of_option
@table_or_json_option
@common_options
def status_command(ctx: Context, athlete: str | None, as_of: datetime | None, fmt: str) -> None:
    """Where each plan stands: which plan is in force, the stage, how many sessions were done
    as prescribed and which were not and why, whether to progress, and the next session."""
    found = rtr.status(ctx.store, athlete, config=ctx.config, as_of=as_of.date() if as_of else None)
    if athlete is not None and not found:
        raise UsageError(f"no return-to-run plan for {athlete!r}: start one with 'strideload rtr start'")
    if fmt == "json":
        render([s.as_dict() for s in found], fmt)
        return
    if not found:
        click.echo("No return-to-run plans yet: start one with 'strideload rtr start'.")
        return
    for status in found:
        render(_lines(status), fmt, ("item", "value"), title=f"{status.athlete} on {status.as_of}")
        if status.session_log:
            rows = [{**row, "as prescribed": row["as_prescribed"], "counts": row["counts"],
                     "why not counted": "; ".join(row["why_not_counted"]) or "–"} for row in status.session_log]
            render(rows, fmt, ("date", "distance_km", "run_min", "walk_min", "longest_run_min", "climb_m_per_km",
                               "as prescribed", "counts", "why not counted"),
                   title=f"Sessions at this {status.stage_name}")
    click.echo("strideload compares runs with the protocol and the pain log; progressing is the PT's decision.")


@rtr_group.command("plans")
@click.option("--athlete", help="Only this athlete [default: everyone with a plan].")
@format_option
@common_options
def plans_command(ctx: Context, athlete: str | None, fmt: str) -> None:
    """Every plan recorded, replaced ones too, with its decisions and where each came from
    ('rtr start' / 'rtr set', or a plan file), and which plan is in force."""
    rows = rtr.history(ctx.store, athlete)
    if athlete is not None and not rows:
        raise UsageError(f"no return-to-run plan for {athlete!r}: start one with 'strideload rtr start'")
    render(rows, fmt, ("athlete", "plan", "protocol", "start", "in_force", "date", "stage", "note", "source",
                       "recorded") if fmt != "json" else None)


@rtr_group.command("protocols")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@common_options
def protocols_command(ctx: Context, files: tuple[Path, ...]) -> None:
    """List the protocols you can start, or check protocol FILES and show their stages.

    Your own protocol files go in the 'protocols' folder of strideload's config folder
    (or name one with --protocol path/to/file.toml); the format is that of the shipped ones.
    """
    if files:
        for path in files:
            protocol = rtr.load_protocol_file(path)
            rows = [{"stage": stage.number, "prescription": rtr.describe(protocol, stage).split(": ", 1)[1]}
                    for stage in protocol.stages]
            click.echo(f"{path}: {protocol.key} is valid ({protocol.name}; {protocol.citation})")
            render(rows, "table", ("stage", "prescription"))
        return
    rows = [{"key": p.key, "name": p.name, "stages": p.last, "citation": p.citation, "file": p.path}
            for p in rtr.available_protocols()]
    render(rows, "table", ("key", "name", "stages", "citation", "file"))
    click.echo(f"Your own: {rtr.user_protocol_dir()}/*.toml")
