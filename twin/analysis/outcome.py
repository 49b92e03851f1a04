"""One scenario run, judged: the simulation's result, each invariant's verdict and the
summary document. `twin run`, sweeps, `twin check`, the pytest plugin and notebooks all
go through `evaluate`, so they agree on what a run's verdict and KPIs are.

A verdict with nothing to check is vacuous and does not hold (`invariants/verdict.py`);
`Outcome.vacuous` lists those. The scenario's warnings (`analysis/sanity.py`
`scenario_warnings`: a fault at the very end, a registry no node can take) are recorded in
the summary document as `warnings` (one line each, `FILE: FIELD.PATH: message`) when
there are any."""

from __future__ import annotations

from twin.analysis.pruner import pruner_kpis

from dataclasses import dataclass, field

from twin.analysis.requests import request_kpis
from twin.analysis.resources import resource_kpis
from twin.analysis.pools import pool_kpis
from twin.analysis.spread import descheduler_summary, spread_recovery
from twin.analysis.summary import summary_document
from twin.invariants import Verdict, check
from twin.run import RunResult, run_scenario
from twin.analysis.sanity import scenario_warnings
from twin.scenarios.checks import ScenarioWarning
from twin.scenarios.scenario import Scenario


@dataclass
class Outcome:
    result: RunResult
    verdicts: list[Verdict]
    document: dict  # the summary.json document
    warnings: list[ScenarioWarning] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return all(v.holds for v in self.verdicts)

    @property
    def failed(self) -> list[Verdict]:
        """The verdicts that do not hold, vacuous ones included."""
        return [v for v in self.verdicts if not v.holds]

    @property
    def vacuous(self) -> list[Verdict]:
        """The verdicts that had nothing to check (they are among `failed`)."""
        return [v for v in self.verdicts if v.vacuous]


def evaluate(scenario: Scenario, seed: int | None = None, openshift: str | None = None,
             metrics_every: float | None = None, progress=None, access_log=None) -> Outcome:
    """Run `scenario` and judge its invariants. `progress(now, duration)`, when given, is
    called as simulated time passes (see `run_scenario`)."""
    result = run_scenario(scenario, seed, openshift, metrics_every=metrics_every, progress=progress, access_log=access_log)
    verdicts = [check(spec.name, result.records, spec) for spec in scenario.spec.invariants]
    engine = result.traffic.engine
    document = summary_document(result.scenario, result.seed, result.openshift, result.duration, result.records, verdicts,
                                 request_kpis(result.records, engine.stats, result.duration),
                                 resource_kpis(result.records, engine.usage, engine.store, engine.stats.first_429))
    if scenario.spec.cluster.machine_pools or any(f.kind == "scale_pool" for f in scenario.spec.faults):
        document["pools"] = pool_kpis(result.records, scenario.pools, [n.name for n in scenario.nodes], result.duration)
    pruner = pruner_kpis(result.records, result.world.store)
    if pruner is not None:
        document["pruner"] = pruner
    if scenario.spec.descheduler is not None:  # the descheduler's runs, and the spread after each zone recovery
        document["descheduler"] = {**descheduler_summary(result.records, scenario.spec.descheduler),
                                   "spread_recovery": spread_recovery(result.records, result.world.store)}
    warnings = scenario_warnings(scenario, openshift)
    if warnings:
        document["warnings"] = [str(w) for w in warnings]
    return Outcome(result, verdicts, document, warnings)
