"""Other workloads of a scenario, as Deployments, and what follows their image tags
(image-change triggers and builds, `model/images/`)."""

from __future__ import annotations

from twin.model.images.followers import BuildConfig, TriggeredDeployment
from twin.model.images.streams import stream_tag_of
from twin.model.images.triggers import TRIGGER_ANNOTATION, parse_triggers, tag_trigger
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
    """`copies: n` expands into n workloads <name>-1..n, `{i}` in the image, the
    annotations and the build's `from` numbered."""
    if w.copies == 1:
        return [w]
    return [w.model_copy(update=_numbered(w, i)) for i in range(1, w.copies + 1)]


def _numbered(w: WorkloadSpec, i: int) -> dict:
    number = str(i)
    update = {"name": f"{w.name}-{i}", "image": w.image.replace("{i}", number), "copies": 1,
              "annotations": {k: v.replace("{i}", number) for k, v in w.annotations.items()}}
    if w.build is not None:
        update["build"] = w.build.model_copy(update={"from_": w.build.from_.replace("{i}", number)})
    if w.import_ is not None:
        update["import_"] = w.import_.model_copy(update={"from_": w.import_.from_.replace("{i}", number)})
    return update


def deployment(w: WorkloadSpec) -> Deployment:
    labels = {"app": w.name, **w.labels}
    requests = {k: milli_value(v) if k == "cpu" else value(v) for k, v in w.requests.items()}
    constraints = tuple(TopologySpreadConstraintSchema.model_validate(c).to_domain() for c in w.topology_spread_constraints)
    usage = {}
    if w.usage is not None:
        usage = {key: str(amount) for key, amount in ((CPU_USAGE, w.usage.cpu), (MEMORY_USAGE, w.usage.memory))
                 if amount is not None}
    template = Pod(w.name, w.namespace, labels, containers=(Container(w.name, requests, w.image),), annotations=usage,
                   topology_spread_constraints=constraints, priority_class_name=w.priority_class)
    spec = DeploymentSpec(w.replicas, LabelSelector.of({"app": w.name}), template, strategy=w.strategy)
    return Deployment(w.name, w.namespace, spec)


def triggered_deployments(workloads: list[WorkloadSpec]) -> list[TriggeredDeployment]:
    """Workloads whose image follows a tag: their triggers annotation, or with `trigger:
    true` the one `oc set triggers --from-image` writes for the workload's container."""
    found = []
    for w in (copy for w in workloads for copy in copies(w)):
        text = w.annotations.get(TRIGGER_ANNOTATION)
        if w.trigger and text is None:
            stream, tag = stream_tag_of(w.image).split(":", 1)
            namespace, name = stream.split("/", 1)
            text = tag_trigger(w.name, f"{name}:{tag}", "" if namespace == w.namespace else namespace)
        if text is not None:
            found.append(TriggeredDeployment(f"{w.namespace}/{w.name}", w.namespace, parse_triggers(text)))
    return found


def build_configs(workloads: list[WorkloadSpec]) -> list[BuildConfig]:
    """Workloads built in the cluster: a BuildConfig from `build.from` to the image's tag."""
    return [BuildConfig(w.name, w.build.from_, stream_tag_of(w.image), w.build.duration.median, w.build.duration.p99)
            for w in (copy for w in workloads for copy in copies(w)) if w.build is not None]
