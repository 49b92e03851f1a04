"""`priority_classes`: the scenario's user PriorityClasses (scheduling.k8s.io/v1), and the
checks the API server makes of them and of the workloads naming them
(`twin/model/scheduling/priority.py` cites the sources):

    priority_classes:
      - {name: batch-low, value: 100, preemption_policy: PreemptLowerPriority}
    workloads:
      - {name: batch, replicas: 6, priority_class: batch-low, requests: {cpu: "1"}}

A user class's value is at most 1000000000 (HighestUserDefinablePriority), its name a DNS
subdomain without the `system-` prefix, at most one class is a global default, and a
workload names a class defined here or a system one (`system-cluster-critical`,
`system-node-critical`).
"""

from __future__ import annotations

from typing import Literal

from twin.errors import InputError
from twin.model.kube_io import validation as kv
from twin.model.scheduling.priority import PriorityClass, PriorityClasses, class_problems
from twin.scenarios.fields import Int32, Strict


class PriorityClassYaml(Strict):
    name: str
    value: Int32
    global_default: bool = False
    preemption_policy: Literal["PreemptLowerPriority", "Never"] = "PreemptLowerPriority"
    description: str = ""

    def to_domain(self) -> PriorityClass:
        return PriorityClass(self.name, self.value, self.global_default, self.preemption_policy, self.description)


def priority_classes(spec) -> PriorityClasses:
    """The cluster's classes for a ScenarioFile."""
    return PriorityClasses(tuple(c.to_domain() for c in spec.priority_classes))


def check_priority_classes(source: str, spec) -> None:
    """One `InputError` for the first problem: a class's name, value or second global
    default, then a workload naming an unknown class."""
    for i, yaml in enumerate(spec.priority_classes):
        message = kv.expected_name(yaml.name, "subdomain")
        if message:
            raise InputError(source, f"priority_classes[{i}].name", message)
    for i, field, message in class_problems(c.to_domain() for c in spec.priority_classes):
        raise InputError(source, f"priority_classes[{i}].{field}", message)
    names = [c.name for c in spec.priority_classes]
    if len(set(names)) != len(names):
        i = next(i for i, name in enumerate(names) if name in names[:i])
        raise InputError(source, f"priority_classes[{i}].name", f"expected names unique, got a second {names[i]!r}")
    classes = priority_classes(spec)
    for i, workload in enumerate(spec.workloads):
        if workload.priority_class is not None and classes.get(workload.priority_class) is None:
            known = ", ".join(sorted({*names, "system-cluster-critical", "system-node-critical"}))
            raise InputError(source, f"workloads[{i}].priority_class",
                             f"expected a PriorityClass defined in priority_classes or a system one ({known}), "
                             f"got {workload.priority_class!r} (admission: no PriorityClass with name "
                             f"{workload.priority_class} was found)")
