"""Return to run: protocols as data files, what each run actually was, and where a plan stands.

Library calls (the store is passed in)::

    from strideload import rtr
    rtr.start(store, "ana", "crowell2023", on=date(2026, 9, 15))   # a plan, at stage 1 (replace=True
                                                                    # to replace one in force)
    rtr.set_stage(store, "ana", 2, on=date(2026, 9, 19))            # the PT's decision
    [now] = rtr.status(store, "ana", config=config)                 # RtrStatus: stage, criteria, next
    flags = analyze.flags(summaries, config, pain=store.pain_frame(), rtr=rtr.inputs(store, config))

Protocols (:mod:`.protocols`) are TOML files: ``crowell2023`` and ``delaware2018`` ship
with strideload; a PT's own file is validated the same way. Each run after a plan's start
is measured from its stream (:mod:`.measure`: run and walk minutes, intervals, distance,
hilly) and compared with the stage's prescription and the protocol's rules
(:mod:`.progress`).
"""

from __future__ import annotations

from .measure import Session, measure
from .plans import (
    PlanView,
    RtrInputs,
    current_plan,
    decision_notes,
    history,
    in_words,
    inputs,
    plans,
    set_stage,
    start,
    status,
    view,
)
from .progress import Criterion, Decision, Deviation, Evaluator, Plan, RtrStatus, plan_windows
from .protocols import (
    Protocol,
    ProtocolError,
    Rules,
    Stage,
    available_protocols,
    describe,
    find_protocol,
    load_protocol_file,
    parse_protocol,
    shipped_protocol,
    user_protocol_dir,
)

__all__ = [
    "Criterion", "Decision", "Deviation", "Evaluator", "Plan", "Protocol", "ProtocolError", "PlanView", "RtrInputs",
    "RtrStatus", "Rules", "Session", "Stage", "available_protocols", "current_plan", "decision_notes", "describe",
    "find_protocol", "history", "in_words", "inputs", "load_protocol_file", "measure", "parse_protocol",
    "plan_windows", "plans", "set_stage", "shipped_protocol", "start", "status", "user_protocol_dir", "view",
]
