"""The space a check searches: the scenario (with the `--invariant` added when it lacks
it), the `--vary` specs, the invariants that count, and the Hypothesis strategy that
draws variations of the scenario from them."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st

from twin.check.faults import EARLIEST, KINDS, Room, draw_faults, merge_faults
from twin.check.specs import FLAG, AnyFault, Vary, parse_varies
from twin.errors import InputError
from twin.invariants import CHECKS
from twin.scenarios.scenario import Scenario
from twin.scenarios.variation import ScenarioDocument


@dataclass(frozen=True)
class Variation:
    """One drawn point of the space: each `--vary` path's value (for a fault path, the
    drawn fault entries), its key (ranks in draw order; lower is simpler) and the
    validated scenario."""

    values: dict[str, Any]
    key: tuple
    document: ScenarioDocument
    scenario: Scenario


@dataclass(frozen=True)
class Plan:
    document: ScenarioDocument
    varies: tuple[Vary, ...]
    counted: tuple[str, ...]  # the invariants whose failure is a counterexample

    @property
    def scalars(self) -> tuple[Vary, ...]:
        return tuple(v for v in self.varies if not isinstance(v, AnyFault))

    @property
    def faults(self) -> tuple[AnyFault, ...]:
        return tuple(v for v in self.varies if isinstance(v, AnyFault))


def make_plan(document: ScenarioDocument, varies: Iterable[str | Vary], invariant: str | None = None) -> Plan:
    """The plan, checked before anything runs: the scenario, every `--vary` (each end of a
    range and each choice applied alone, then all at their simplest together) and the
    invariant; any problem is an `InputError`."""
    parsed = parse_varies(varies)
    document = with_invariant(document, invariant)
    names = list(dict.fromkeys(spec.name for spec in document.scenario().spec.invariants))
    if not names:
        raise InputError(document.source, "invariants", "expected at least one invariant to check, or --invariant NAME")
    plan = Plan(document, parsed, (invariant,) if invariant else tuple(names))
    _check_corners(plan)
    _check_simplest(plan)
    return plan


def with_invariant(document: ScenarioDocument, name: str | None) -> ScenarioDocument:
    """The document with invariant `name` (defaults) added, unless it already checks it."""
    if name is None:
        return document
    if name not in CHECKS:
        raise InputError("--invariant", "", f"expected one of {', '.join(CHECKS)}, got {name!r}")
    body = copy.deepcopy(document.body)
    invariants = body.get("invariants") or []
    if not any(isinstance(spec, dict) and spec.get("name") == name for spec in invariants):
        body["invariants"] = [*invariants, {"name": name}]
    return ScenarioDocument(body, document.base, document.source)


class Space:
    """Draws `Variation`s of a plan. The varied scenario is cached per scalar values: the
    fault draws need its zones and nodes, and Hypothesis draws the same values often."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._varied: dict[str, tuple[ScenarioDocument, Scenario] | None] = {}

    def strategy(self) -> st.SearchStrategy[Variation]:
        return st.composite(lambda draw: self.draw(draw))()

    def draw(self, draw) -> Variation:
        values, key = {}, []
        for vary in self.plan.scalars:
            values[vary.path], rank = vary.draw(draw)
            key.append(rank)
        document, scenario = self._scalar_variation(values)
        drawn = {}
        for vary in self.plan.faults:
            drawn[vary.kind], rank = draw_faults(draw, KINDS[vary.kind], Room.of(scenario))
            values[vary.path] = drawn[vary.kind]
            key.append(rank)
        if drawn:
            document, scenario = _with_faults(document, drawn)
        return Variation(values, tuple(key), document, scenario)

    def _scalar_variation(self, values: dict[str, Any]) -> tuple[ScenarioDocument, Scenario]:
        cache_key = json.dumps(values, sort_keys=True, default=repr)
        if cache_key not in self._varied:
            try:
                document = self.plan.document.with_values(values, flag=FLAG)
                self._varied[cache_key] = document, document.scenario()
            except InputError:
                self._varied[cache_key] = None
        if self._varied[cache_key] is None:
            reject()  # a combination the scenario refuses: not an example
        return self._varied[cache_key]


def _with_faults(document: ScenarioDocument, drawn: dict[str, list[dict]]) -> tuple[ScenarioDocument, Scenario]:
    body = copy.deepcopy(document.body)
    body["faults"] = merge_faults(body.get("faults") or [], drawn)
    varied = ScenarioDocument(body, document.base, document.source)
    try:
        return varied, varied.scenario()
    except InputError:
        reject()


def _check_corners(plan: Plan) -> None:
    for vary in plan.scalars:
        for value in vary.corners:
            plan.document.with_values({vary.path: value}, flag=FLAG)


def _check_simplest(plan: Plan) -> None:
    simplest = {vary.path: vary.corners[0] for vary in plan.scalars}
    room = Room.of(plan.document.with_values(simplest, flag=FLAG).scenario())
    for vary in plan.faults:
        if not room.fits:
            raise InputError(FLAG, str(vary), f"expected a run long enough to judge a fault: faults start at {EARLIEST} s "
                                              f"and need {room.window} s before the end, the run lasts {room.end} s")
