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
from .render import DATE, as_of_option, render, table_or_json_option


def _athlete(ctx: Context, athlete: str | None) -> str:
    return athlete or ctx.config.get("default_athlete")


@click.group("rtr")
def rtr_group() -> None:
    """Return to run: a protocol's stages, what each run actually was, and whether to progress.

    \b
    Examples:
      strideload rtr protocols                         # crowell2023, delaware2018, your own
      strideload rtr start --athlete ana --protocol crowell2023 --date 2026-09-15
      strideload rtr status --athlete ana
      strideload rtr set --athlete ana --stage 2       # your decision, dated today

    strideload measures each run after the start (run and walk minutes, distance, hills)
    and compares it with the stage's prescription, the protocol's rules and the pain log.
    It says whether the criteria to progress are met; the decision is the PT's.
    """


@rtr_group.command("start")
@click.option("--athlete", help="Whose plan [default: the config's default_athlete].")
@click.option("--protocol", "protocol", required=True, metavar="KEY|FILE",
              help="crowell2023, delaware2018, a key in your protocols folder, or a .toml file.")
@click.option("--date", "day", type=DATE, help="First day of the plan [default: today].")
@click.option("--stage", type=int, default=1, show_default=True, help="Stage to start at.")
@common_options
def start_command(ctx: Context, athlete: str | None, protocol: str, day: datetime | None, stage: int) -> None:
    """Start a return-to-run plan (a new plan replaces the previous one from its start)."""
    ctx.creates_store = True
    plan = rtr.start(ctx.store, _athlete(ctx, athlete), protocol, on=day.date() if day else None, stage=stage,
                     config=ctx.config)
    first = plan.protocol.stage(stage)
    click.echo(f"{plan.athlete}: {plan.protocol.name} from {_iso(plan.start)}, "
               f"at {rtr.describe(plan.protocol, first)}.")
    click.echo(f"Source: {plan.protocol.citation}")


@rtr_group.command("set")
@click.option("--athlete", help="Whose plan [default: the config's default_athlete].")
@click.option("--stage", type=int, required=True, help="The stage the athlete is at from --date on.")
@click.option("--date", "day", type=DATE, help="From when [default: today].")
@click.option("--note", help="Why, for the record.")
@common_options
def set_command(ctx: Context, athlete: str | None, stage: int, day: datetime | None, note: str | None) -> None:
    """Record your decision: the plan is at STAGE from DATE on (runs that day count at it)."""
    plan = rtr.set_stage(ctx.store, _athlete(ctx, athlete), stage, on=day.date() if day else None, note=note,
                         config=ctx.config)
    latest = plan.decisions[-1]
    click.echo(f"{plan.athlete}: {rtr.describe(plan.protocol, plan.protocol.stage(stage))}, from {_iso(latest.day)}.")


def _lines(status: rtr.RtrStatus) -> list[dict[str, str]]:
    label = f"{status.stage_name} {status.stage} of {status.stages}"
    lines = [("Protocol", f"{status.protocol_name} (from {status.plan_start})"),
             ("Stage", f"{label}, since {status.stage_since}: {status.prescription.split(': ', 1)[1]}"),
             ("Sessions", f"{status.sessions} at this {status.stage_name}, {status.sessions_counted} of "
                          f"{status.sessions_needed} needed done as prescribed without pain")]
    verdict = "complete" if status.complete else "criteria met: the decision is yours" if status.ready else "not yet"
    lines.append(("Progress", verdict))
    for criterion in status.criteria:
        lines.append(("  " + criterion.name, ("✓ " if criterion.met else "✗ ") + criterion.detail))
    lines.append(("Next session", f"{status.next_session} Not before {status.next_date}."
                  if not status.complete else status.next_session))
    for deviation in status.deviations:
        lines.append(("Deviation", f"{deviation.as_dict()['date']}: {deviation.message}"))
    return [{"item": k, "value": v} for k, v in lines]


@rtr_group.command("status")
@click.option("--athlete", help="Only this athlete [default: everyone with a plan].")
@as_of_option
@table_or_json_option
@common_options
def status_command(ctx: Context, athlete: str | None, as_of: datetime | None, fmt: str) -> None:
    """Where each plan stands: stage, sessions done, whether to progress and why, the next
    session, and any deviations (longer or hillier than prescribed, back-to-back days)."""
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
            rows = [{**row, "pain": "; ".join(m.rstrip(".") for m in row["pain"]) or "–"}
                    for row in status.session_log]
            render(rows, fmt, ("date", "distance_km", "run_min", "walk_min", "run_intervals", "longest_run_min",
                               "climb_m_per_km", "counts", "pain"), title="Sessions at this stage")
    click.echo("strideload compares runs with the protocol and the pain log; progressing is the PT's decision.")


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


COMMANDS = [rtr_group]
