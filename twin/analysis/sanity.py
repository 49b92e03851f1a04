"""The warnings of a scenario: what is legitimate but probably not meant. Not refused (a
what-if may mean exactly that), printed by the CLI as `twin: warning: FILE: FIELD.PATH:
message` on stderr and recorded in the run's summary (`outcome.evaluate`).

* a fault exactly at the end of the run: the run stops there, so it is never applied
  (`scenarios/checks.py` `fault_at_end_warnings`; one after the end is refused);
* a registry no node can take when the run starts (workers too small, every node tainted
  without a toleration, a nodeSelector nothing matches): the Config's replicas are placed
  once on the cluster as it starts, with kube-scheduler's semantics (`twin.place`), and
  the scheduler's reason is quoted. The registry's invariants then have nothing to check
  and say so (`invariants/verdict.py`).
"""

from __future__ import annotations

from twin.model.registry import openshift_version
from twin.place import place_registry
from twin.scenarios.checks import ScenarioWarning, fault_at_end_warnings
from twin.scenarios.scenario import Scenario

DEPLOYED = ("Managed", "Force")  # the managementStates in which the operator deploys the registry


def scenario_warnings(scenario: Scenario, openshift: str | None = None) -> list[ScenarioWarning]:
    """The warnings of a loaded scenario, in field order (`openshift` overrides its version,
    as `twin run --openshift` does). Cheap next to a run: one scheduling cycle per replica."""
    return fault_at_end_warnings(scenario) + placement_warnings(scenario, openshift)


def placement_warnings(scenario: Scenario, openshift: str | None = None) -> list[ScenarioWarning]:
    """When the operator would deploy the registry (Managed, replicas > 0, a Config it
    accepts) but no node can take even one replica on the cluster as the run starts
    (its nodes and existing pods)."""
    config = scenario.config
    if config.management_state not in DEPLOYED or config.replicas <= 0:
        return []
    version = openshift_version(openshift or scenario.spec.openshift)
    placement = place_registry(config, list(scenario.nodes), version, pods=scenario.pods, seed=scenario.spec.seed)
    if not placement.results or placement.pending < len(placement.results):
        return []
    reason = placement.results[0].fit_error().rstrip(".")
    return [ScenarioWarning(scenario.source, "cluster",
                            f"no registry replica can be placed when the run starts ({reason}); the run goes on, "
                            f"and invariants about the registry will have little or nothing to check")]
