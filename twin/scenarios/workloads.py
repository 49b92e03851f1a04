"""Other workloads of a scenario, as Deployments."""

from __future__ import annotations

from twin.model.kube_io.schema import TopologySpreadConstraintSchema
from twin.model.labels import LabelSelector
from twin.model.objects import Container, Pod
from twin.model.quantity import milli_value, value
from twin.model.workloads import Deployment, DeploymentSpec
from twin.scenarios.spec import WorkloadSpec


def workload_deployments(workloads: list[WorkloadSpec]) -> list[Deployment]:
    return [deployment(w) for w in workloads]


def deployment(w: WorkloadSpec) -> Deployment:
    labels = {"app": w.name, **w.labels}
    requests = {k: milli_value(v) if k == "cpu" else value(v) for k, v in w.requests.items()}
    constraints = tuple(TopologySpreadConstraintSchema.model_validate(c).to_domain() for c in w.topology_spread_constraints)
    template = Pod(w.name, w.namespace, labels, containers=(Container(w.name, requests, w.image),),
                   topology_spread_constraints=constraints)
    spec = DeploymentSpec(w.replicas, LabelSelector.of({"app": w.name}), template, strategy=w.strategy)
    return Deployment(w.name, w.namespace, spec)
