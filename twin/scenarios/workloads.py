"""Other workloads of a scenario, as Deployments."""

from __future__ import annotations

from twin.model.kube_io.schema import TopologySpreadConstraintSchema
from twin.model.labels import LabelSelector
from twin.model.objects import Container, Pod
from twin.model.quantity import milli_value, value
from twin.model.registry.resources.nodes import CPU_USAGE, MEMORY_USAGE
from twin.model.workloads import Deployment, DeploymentSpec
from twin.scenarios.spec import WorkloadSpec


def workload_deployments(workloads: list[WorkloadSpec]) -> list[Deployment]:
    return [deployment(copy) for w in workloads for copy in copies(w)]


def copies(w: WorkloadSpec) -> list[WorkloadSpec]:
    """`copies: n` expands into n workloads <name>-1..n, `{i}` in the image numbered."""
    if w.copies == 1:
        return [w]
    return [w.model_copy(update={"name": f"{w.name}-{i}", "image": w.image.replace("{i}", str(i)), "copies": 1})
            for i in range(1, w.copies + 1)]


def deployment(w: WorkloadSpec) -> Deployment:
    labels = {"app": w.name, **w.labels}
    requests = {k: milli_value(v) if k == "cpu" else value(v) for k, v in w.requests.items()}
    constraints = tuple(TopologySpreadConstraintSchema.model_validate(c).to_domain() for c in w.topology_spread_constraints)
    usage = {}
    if w.usage is not None:
        usage = {key: str(amount) for key, amount in ((CPU_USAGE, w.usage.cpu), (MEMORY_USAGE, w.usage.memory))
                 if amount is not None}
    template = Pod(w.name, w.namespace, labels, containers=(Container(w.name, requests, w.image),), annotations=usage,
                   topology_spread_constraints=constraints)
    spec = DeploymentSpec(w.replicas, LabelSelector.of({"app": w.name}), template, strategy=w.strategy)
    return Deployment(w.name, w.namespace, spec)
