"""The search: Hypothesis draws variations of the scenario, each is simulated and judged,
and the first whose counted invariants fail is shrunk to the simplest one that still fails.

Budgets (docs/check.md): the search stops after `max_examples` examples or `time_budget`
seconds, whichever comes first (Hypothesis has no clock of its own: once the time is up
the next example stops the run instead of simulating, which is not a failure). After a
find, shrinking may simulate at most `max_shrinks` more variations and, with a time
budget, take at most that long again; when it is cut short the simplest failing
variation seen so far is the counterexample.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Unsatisfiable

from twin.analysis.outcome import evaluate
from twin.check.plan import Plan, Space, Variation
from twin.check.storage import private_storage
from twin.errors import InputError
from twin.invariants import Verdict

DEFAULT_MAX_EXAMPLES = 100
DEFAULT_MAX_SHRINKS = 100
UNLIMITED = 1_000_000  # examples, when only a time budget is given
SUPPRESSED = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
              HealthCheck.large_base_example]


class Falsified(AssertionError):
    """Raised inside the Hypothesis test when a variation fails a counted invariant."""


class Stop(BaseException):
    """The budget is spent. A BaseException, so that Hypothesis ends the run with it
    instead of counting it as a failure of the example."""


@dataclass
class Budget:
    max_examples: int | None = None
    time_budget: float | None = None
    max_shrinks: int = DEFAULT_MAX_SHRINKS
    started: float = field(default_factory=time.perf_counter)
    found_at: float | None = None
    stopped: str | None = None

    def before_simulation(self, shrink_runs: int) -> None:
        """Raises `Stop` when the next simulation would overrun the budget."""
        now = time.perf_counter()
        if self.found_at is None and self.time_budget is not None and now - self.started >= self.time_budget:
            self._stop("time")
        if self.found_at is not None and shrink_runs >= self.max_shrinks:
            self._stop("shrink limit")
        if self.found_at is not None and self.time_budget is not None and now - self.found_at >= self.time_budget:
            self._stop("shrink time")

    def _stop(self, reason: str):
        self.stopped = reason
        raise Stop(reason)

    @property
    def hypothesis_examples(self) -> int:
        """Hypothesis's max_examples: unlimited (in practice) when only the time counts."""
        if self.max_examples is None and self.time_budget is not None:
            return UNLIMITED
        return self.max_examples or DEFAULT_MAX_EXAMPLES


@dataclass
class Found:
    variation: Variation
    failed: list[Verdict]


class Explorer:
    """The Hypothesis test: judge each variation (each distinct one simulated once) and
    keep the simplest failing one by key."""

    def __init__(self, plan: Plan, budget: Budget) -> None:
        self.plan, self.budget = plan, budget
        self.space = Space(plan)
        self.judged: dict[str, list[Verdict]] = {}
        self.examples = self.simulations = self.shrink_simulations = 0
        self.best: Found | None = None

    def trial(self, variation: Variation) -> None:
        failed = self.judge(variation)
        if self.best is None:
            self.examples += 1  # until the find; an example the budget stopped is not counted
        if failed:
            self.keep(Found(variation, failed))
            raise Falsified(f"{', '.join(v.name for v in failed)} fails for {variation.values}")

    def judge(self, variation: Variation) -> list[Verdict]:
        key = json.dumps(variation.values, sort_keys=True, default=repr)
        if key not in self.judged:
            self.budget.before_simulation(self.shrink_simulations)
            self.judged[key] = self.simulate(variation)
        return self.judged[key]

    def simulate(self, variation: Variation) -> list[Verdict]:
        self.simulations += 1
        if self.best is not None:
            self.shrink_simulations += 1
        outcome = evaluate(variation.scenario)
        return [v for v in outcome.failed if v.name in self.plan.counted and not v.vacuous]  # a violation, not a
        # verdict with nothing to check (a variation that left the invariant nothing to judge is no counterexample)

    def keep(self, found: Found) -> None:
        if self.best is None:
            self.budget.found_at = time.perf_counter()
        if self.best is None or found.variation.key < self.best.variation.key:
            self.best = found

    def run(self, seed: int) -> None:
        """Hypothesis explores and shrinks; it ends by replaying the shrunk failure
        (`Falsified`, judged from the cache), by running out of examples, or by `Stop`."""
        test = _hypothesis_test(self.space, self.trial, self.budget.hypothesis_examples, seed)
        try:
            with private_storage():
                test()
        except (Falsified, Stop):
            pass
        except Unsatisfiable:
            raise InputError("--vary", "", "expected values that make a valid scenario together; every combination "
                                           "drawn was refused") from None


def _hypothesis_test(space: Space, trial, max_examples: int, seed: int):
    """A @given test over the space: no example database (nothing written next to the
    user's files), no deadline (a simulation takes as long as it takes), seeded, one bug,
    and only the generate and shrink phases (explain would re-run examples)."""

    @settings(database=None, deadline=None, max_examples=max_examples, derandomize=False,
              phases=(Phase.generate, Phase.shrink), report_multiple_bugs=False, suppress_health_check=SUPPRESSED,
              verbosity=Verbosity.quiet, print_blob=False)
    @hypothesis_seed(seed)
    @given(space.strategy())
    def explore(variation):
        trial(variation)

    return explore
