"""Invariants: pure checks over the recorded events, each returning a `Verdict` with
evidence (times, objects). They read records only, never the simulation's state."""

from twin.invariants.checks import CHECKS, check
from twin.invariants.verdict import Verdict

__all__ = ["CHECKS", "Verdict", "check"]
