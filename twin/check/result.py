"""`search`: the Python API of `twin check`, and its `CheckResult`."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from twin.check.counterexample import command_line, counterexample_body, dump, header, rerun
from twin.check.explore import DEFAULT_MAX_SHRINKS, Budget, Explorer, Found
from twin.check.plan import make_plan
from twin.check.specs import Vary
from twin.errors import InputError
from twin.invariants import Verdict
from twin.scenarios.variation import ScenarioDocument


@dataclass(frozen=True)
class CheckResult:
    """What a check found. `values`: each --vary path's value (a fault path: the fault
    entries); `verdicts`: every verdict of the counterexample's ordinary re-run; `body`
    and `text`: the counterexample document and the file's text (header included).
    `examples`: the examples tried until the find (or in all); `simulations`: the distinct
    variations simulated, `shrink_simulations` of them while shrinking; `stopped`: why the
    search ended (found, shrink limit, shrink time, time, examples)."""

    found: bool
    counted: tuple[str, ...]
    examples: int
    simulations: int
    shrink_simulations: int
    elapsed: float
    stopped: str
    found_after: float | None = None
    values: dict[str, Any] = field(default_factory=dict)
    verdicts: tuple[Verdict, ...] = ()
    body: dict | None = None
    text: str | None = None

    @property
    def failed(self) -> list[Verdict]:
        """The counted invariants that fail in the counterexample."""
        return [v for v in self.verdicts if not v.holds and not v.vacuous and v.name in self.counted]


def search(document: ScenarioDocument | str, varies: Iterable[str | Vary] = (), invariant: str | None = None,
           max_examples: int | None = None, time_budget: float | None = None, seed: int = 0,
           max_shrinks: int = DEFAULT_MAX_SHRINKS, openshift: str | None = None) -> CheckResult:
    """Search variations of `document` (a ScenarioDocument, a file or a built-in name;
    `openshift` overrides its version) for one that fails `invariant` (default: any of
    the scenario's invariants), within `max_examples` examples (default 100) and/or
    `time_budget` seconds; shrink it (at most `max_shrinks` more simulations) and re-run
    it. `seed` seeds Hypothesis. Bad input is an `InputError`."""
    started = time.perf_counter()
    _check_budget(max_examples, time_budget, max_shrinks, seed)
    plan = make_plan(_document(document, openshift), varies, invariant)
    budget = Budget(max_examples, time_budget, max_shrinks)
    explorer = Explorer(plan, budget)
    explorer.run(seed)
    if explorer.best is None:
        return CheckResult(False, plan.counted, explorer.examples, explorer.simulations, 0,
                           time.perf_counter() - started, _why_not_found(explorer))
    return _found(explorer, command_line(plan, openshift, invariant, budget, seed), started)


def _document(document: ScenarioDocument | str, openshift: str | None) -> ScenarioDocument:
    document = ScenarioDocument.read(document) if isinstance(document, str) else document
    return document.with_values({"openshift": openshift}, flag="--openshift") if openshift else document


def _found(explorer: Explorer, command: str, started: float) -> CheckResult:
    best, plan, budget = explorer.best, explorer.plan, explorer.budget
    body = counterexample_body(best.variation)
    verdicts = rerun(body)
    failed = [v for v in verdicts if not v.holds and not v.vacuous and v.name in plan.counted]
    _check_reproduced(best, failed)
    how = (f"found after {explorer.examples} example(s), then {explorer.shrink_simulations} simulation(s) while "
           f"shrinking ({budget.stopped or 'shrunk fully'})")
    text = header(plan, command, best.variation.values, failed, how) + dump(body)
    return CheckResult(True, plan.counted, explorer.examples, explorer.simulations, explorer.shrink_simulations,
                       time.perf_counter() - started, budget.stopped or "found", budget.found_at - budget.started,
                       best.variation.values, tuple(verdicts), body, text)


def _check_reproduced(best: Found, failed: list[Verdict]) -> None:
    """The written document must fail as the searched variation did (same invariants,
    same details): anything else is a bug in the twin, not bad input."""
    if [v.as_dict() for v in failed] != [v.as_dict() for v in best.failed]:
        raise RuntimeError(f"the counterexample did not reproduce: searched {best.failed}, re-run {failed}")


def _why_not_found(explorer: Explorer) -> str:
    if explorer.budget.stopped:
        return explorer.budget.stopped
    return "examples" if explorer.examples >= explorer.budget.hypothesis_examples else "exhausted"


def _check_budget(max_examples: int | None, time_budget: float | None, max_shrinks: int, seed: int) -> None:
    if max_examples is not None and max_examples < 1:
        raise InputError("--max-examples", "", f"expected a positive number of examples, got {max_examples}")
    if time_budget is not None and not time_budget > 0:
        raise InputError("--time", "", f"expected a positive duration, got {time_budget:g} s")
    if max_shrinks < 0:
        raise InputError("--max-shrinks", "", f"expected a number of simulations >= 0, got {max_shrinks}")
    if seed < 0:
        raise InputError("--seed", "", f"expected a non-negative integer, got {seed}")
