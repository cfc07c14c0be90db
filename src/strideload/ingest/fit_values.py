"""One FIT message's values as fitparse gives them: the few small messages strideload reads.

``file_id``, ``sport``, ``session``, ``activity`` and ``device_info`` (``fit.KEPT`` but
``record``) are decoded one by one, exactly as the tolerant path does: invalid values
absent, an array giving its first valid element, subfields chosen by their reference
fields, components expanded, scale and offset applied, enum values named.
"""

from __future__ import annotations

import struct
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


def _message_values(layout: _Layout, body: bytes, header_time: int | None) -> dict[str, Any]:
    """One small message as {field name: value}, decoded as the tolerant path does (subfields,
    components, scale and offset, enum names)."""
    raws: list[Any] = []
    for f in layout.fields:
        chunk = body[f.offset:f.offset + f.size]
        if f.count == 0:
            raws.append(None)
        elif f.base.name == "string":
            raws.append(parse_string(chunk))
        else:
            flat = struct.unpack(f"{layout.endian}{f.count}{f.base.fmt}", chunk)
            if f.base is BASE_TYPE_BYTE:
                raws.append(f.base.parse(flat))
            elif f.count == 1:
                raws.append(f.base.parse(flat[0]))
            else:
                raws.append(tuple(f.base.parse(v) for v in flat))
    mesg = layout.mesg_type
    values: dict[str, Any] = {}
    for f, raw in zip(layout.fields, raws):
        fit_field = mesg.fields.get(f.def_num)
        if raw.__class__ is tuple and f.base is not BASE_TYPE_BYTE:  # an array: its first valid element
            raw = next((v for v in raw if v.__class__ in (int, float) and v == v), None)
        if fit_field is None or raw is None:
            if raw is not None and mesg.mesg_num == SESSION_MESG and f.def_num in SESSION_EXTRA:
                values[SESSION_EXTRA[f.def_num]] = raw  # newer than fitparse's profile
            continue
        if raw.__class__ in (int, float) and not fit_field.subfields and not fit_field.components:
            table = fit_field.type.values
            if table and raw in table:
                values[fit_field.name] = table[raw]
                continue
            values[fit_field.name] = _scale_offset(fit_field, raw)
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

