"""One FIT message's values as fitparse gives them: the few small messages strideload reads.

``file_id``, ``sport``, ``session``, ``activity`` and ``device_info`` (``fit.KEPT`` but
``record``) are decoded one by one, exactly as the tolerant path does: invalid values
absent, an array giving its first valid element, subfields chosen by their reference
fields, components expanded, scale and offset applied, enum values named.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from fitparse.records import BASE_TYPE_BYTE, parse_string

from .fit_layouts import _Layout

#: Session fields newer than fitparse's profile, by number: Garmin's perceived effort (RPE x 10,
#: Borg CR-10) and workout feel (0-100, how the runner felt: not an effort, not used).
SESSION_MESG = 18
SESSION_EXTRA = {192: "workout_feel", 193: "workout_rpe"}


def _scale_offset(spec: Any, raw: Any) -> Any:
    if isinstance(raw, tuple):
        return tuple(_scale_offset(spec, x) for x in raw)
    if isinstance(raw, (int, float)):
        if spec.scale:
            raw = float(raw) / spec.scale
        if spec.offset:
            raw = raw - spec.offset
    return raw


def _resolve_subfield(fit_field: Any, layout: _Layout, raws: list[Any]) -> tuple[Any, Any]:
    """(subfield, field) when a reference field's value selects a subfield, else (field, None)."""
    for sub in fit_field.subfields or ():
        for ref in sub.ref_fields:
            for f, raw in zip(layout.fields, raws):
                if f.def_num == ref.def_num and ref.raw_value == raw:
                    return sub, fit_field
    return fit_field, None


_NONE, _ONE, _ARRAY, _BYTES, _STRING = range(5)  # how a field's raw value is read from the unpacked tuple


@dataclass(frozen=True)
class _Step:
    """How one field of a definition is read: from the unpacked body (``how``, index ``at``,
    ``count`` values, the base type's ``parse``) into a value (the profile's ``field``, and
    for a plain number - no subfields, no components - its enum ``table``, ``scale``, ``offset``)."""

    how: int
    at: int
    count: int
    parse: Any
    field: Any  # fitparse Field, None when the profile does not know the number
    plain: bool
    table: dict[int, str] | None
    scale: float | None
    offset: float | None


def _compiled(layout: _Layout) -> tuple[Any, list[_Step]]:
    """(unpack_from of the whole body, one :class:`_Step` per field), built once per definition."""
    plan = layout.plan
    if plan.values is None:
        mesg = layout.mesg_type
        formats, steps, at = [layout.endian], [], 0
        for f in layout.fields:
            fit_field = mesg.fields.get(f.def_num)
            plain = fit_field is not None and not fit_field.subfields and not fit_field.components
            known = (fit_field, plain, *((fit_field.type.values, fit_field.scale, fit_field.offset) if plain
                                         else (None, None, None)))
            if f.count == 0:
                steps.append(_Step(_NONE, at, 0, None, *known))
                continue
            if f.base.name == "string":
                formats.append(f"{f.size}s")
                steps.append(_Step(_STRING, at, 1, parse_string, *known))
                at += 1
                continue
            formats.append(f"{f.count}{f.base.fmt}")
            how = _BYTES if f.base is BASE_TYPE_BYTE else _ONE if f.count == 1 else _ARRAY
            steps.append(_Step(how, at, f.count, f.base.parse, *known))
            at += f.count
        plan.values = struct.Struct("".join(formats)).unpack_from, steps
    return plan.values


def _message_values(layout: _Layout, data: bytes, body: int, header_time: int | None) -> dict[str, Any]:
    """The message whose body starts at byte ``body`` of ``data`` as {field name: value}, decoded
    as the tolerant path does (subfields, components, scale and offset, enum names)."""
    unpack, steps = _compiled(layout)
    flat = unpack(data, body)
    raws: list[Any] = []
    for step in steps:
        how = step.how
        if how == _ONE or how == _STRING:
            raws.append(step.parse(flat[step.at]))
        elif how == _NONE:
            raws.append(None)
        elif how == _BYTES:
            raws.append(step.parse(flat[step.at:step.at + step.count]))
        else:
            raws.append(tuple(step.parse(v) for v in flat[step.at:step.at + step.count]))
    mesg = layout.mesg_type
    values: dict[str, Any] = {}
    for f, raw, step in zip(layout.fields, raws, steps):
        fit_field = step.field
        if step.how == _ARRAY:  # an array: its first valid element
            raw = next((v for v in raw if v.__class__ in (int, float) and v == v), None)
        if fit_field is None or raw is None:
            if raw is not None and mesg.mesg_num == SESSION_MESG and f.def_num in SESSION_EXTRA:
                values[SESSION_EXTRA[f.def_num]] = raw  # newer than fitparse's profile
            continue
        if step.plain and raw.__class__ in (int, float):
            table = step.table
            if table and raw in table:
                values[fit_field.name] = table[raw]
                continue
            if step.scale:  # as _scale_offset
                raw = float(raw) / step.scale
            if step.offset:
                raw = raw - step.offset
            values[fit_field.name] = raw
            continue
        fit_field, parent = _resolve_subfield(fit_field, layout, raws)
        for component in fit_field.components or ():
            try:
                part = component.render(raw)
            except ValueError:
                continue
            part = _scale_offset(component, part)
            target, _ = _resolve_subfield(mesg.fields[component.def_num], layout, raws)
            if part is not None:
                values[target.name] = target.render(part)
        value = _scale_offset(fit_field, fit_field.render(raw))
        if value is not None:
            values[fit_field.name] = value
            if parent is not None:
                values.setdefault(parent.name, value)
    if header_time is not None:
        values["timestamp"] = header_time
    return values

