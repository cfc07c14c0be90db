"""How much work the test run does: the default run stays a few minutes on a 2-core machine.

``STRIDELOAD_LONG=1`` turns on the long runs: tests marked ``long`` (fuzzing thousands of
mutants, soak tests) and the full number of generated examples in the property tests.
"""

from __future__ import annotations

import os

LONG = os.environ.get("STRIDELOAD_LONG", "") not in ("", "0")


def examples(n: int) -> int:
    """Hypothesis examples for a property test that runs ``n`` in the long run: a third by
    default (at least 10; hypothesis still tries the edge cases it shrinks towards first)."""
    return n if LONG else max(10, n // 3)
