"""The twin's side of a validation: run the scenario and take its figures over its
traffic period (after `warm_up`)."""

from __future__ import annotations

from twin.analysis.outcome import evaluate
from twin.comparison.figures import predicted_figures
from twin.scenarios.scenario import Scenario


def predict(scenario: Scenario, seed: int | None = None, openshift: str | None = None) -> dict:
    outcome = evaluate(scenario, seed, openshift)
    return predicted_figures(outcome.document, outcome.result.traffic.engine.stats.series,
                             scenario.spec.traffic.warm_up, scenario.spec.duration)
