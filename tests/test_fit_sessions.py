"""Records belong to the session whose span holds them: the first session to start wins
where spans overlap, records outside every span belong to none. The sweep that assigns
them (linear in sessions plus records) must agree with the plain definition, one session
at a time, on any layout of sessions, including open-ended and overlapping ones."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from strideload.ingest.fit import MIN_DATE_S, _assign, _fit_time, _num, _selections


def _by_definition(sessions: list[dict], t: np.ndarray) -> np.ndarray:
    """One session at a time, in order of start: its span [start, max(end, start + elapsed)],
    cut just before the next later start, takes the records no earlier session took."""
    bounds = []
    for session in sessions:
        start, end = _fit_time(session.get("start_time")), _fit_time(session.get("timestamp"))
        elapsed = _num(session.get("total_elapsed_time"))
        first, last = (-np.inf if start is None else float(start)), (np.inf if end is None else float(end))
        if start is not None and elapsed is not None:
            last = max(end or 0.0, start + np.ceil(elapsed))
        bounds.append((first, last))
    order = sorted(range(len(sessions)), key=lambda k: bounds[k][0])
    assigned = np.full(len(t), -1)
    for rank, k in enumerate(order):
        first, last = bounds[k]
        if rank + 1 < len(order) and bounds[order[rank + 1]][0] > first:
            last = min(last, bounds[order[rank + 1]][0] - 1)
        assigned[(assigned < 0) & (t >= first) & (t <= last)] = k
    return assigned


_TIME = st.integers(MIN_DATE_S - 20, MIN_DATE_S + 300)
_SESSION = st.fixed_dictionaries({}, optional={"start_time": _TIME, "timestamp": _TIME,
                                               "total_elapsed_time": st.floats(0, 200)})


@settings(max_examples=300, deadline=None)
@given(sessions=st.lists(_SESSION, max_size=8), times=st.lists(_TIME, max_size=60), shuffled=st.booleans())
def test_the_sweep_assigns_records_as_the_definition_does(sessions, times, shuffled):
    t = np.array(times if shuffled else sorted(times), dtype="int64")
    assert _assign(sessions, t).tolist() == _by_definition(sessions, t).tolist()


@settings(max_examples=300, deadline=None)
@given(sessions=st.lists(_SESSION, min_size=1, max_size=3), times=st.lists(_TIME, max_size=60))
def test_each_session_selects_the_records_the_sweep_gives_it(sessions, times):
    """read_fit's selections (one session: its span, or every record at once) agree with the sweep."""
    t = np.array(times, dtype="int64")
    assigned = _by_definition(sessions, t)
    for k, selection in enumerate(_selections(sessions, t)):
        mine = np.ones(len(t), dtype=bool) if selection is None else selection
        assert mine.tolist() == (assigned == k).tolist()


def test_a_hundred_back_to_back_sessions_each_get_their_own_records():
    start = MIN_DATE_S + 10_000
    sessions = [{"start_time": start + 120 * k, "timestamp": start + 120 * k + 60, "total_elapsed_time": 60.0}
                for k in range(100)]
    t = np.arange(start, start + 120 * 100, dtype="int64")
    assigned = _assign(sessions, t)
    assert [int((assigned == k).sum()) for k in range(100)] == [61] * 100  # [start, start + 60 s]
    assert int((assigned == -1).sum()) == 59 * 100  # the pauses between them belong to none
