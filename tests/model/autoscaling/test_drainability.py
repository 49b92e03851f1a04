"""Which pods block scale-down, after kubernetes/autoscaler
`simulator/drainability/rules/` (each rule's `rule_test.go`; the order of `rules.go`
`Default`) and `utils/drain/drain.go`, and node utilization after
`simulator/utilization/info.go` `Calculate` (`info_test.go`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from twin.model.autoscaling.drainability import MOVE, STAY, drainable, utilization
from twin.model.labels import LabelSelector
from twin.model.objects import Container, Node, OwnerReference, Pod, Volume
from twin.model.workloads import PodDisruptionBudget

RS = (OwnerReference("ReplicaSet", "rs"),)
BASE = Pod("p", "default", {"app": "a"}, "n1", (Container("c", {"cpu": 100, "memory": 100}),), owner_references=RS)
PDB = PodDisruptionBudget("pdb", "default", LabelSelector.of({"app": "a"}), min_available=1)
KS_PDB = PodDisruptionBudget("pdb", "kube-system", LabelSelector.of({"app": "a"}), min_available=1)


def pod(**changes) -> Pod:
    return replace(BASE, **changes)


CASES = [
    ("a replicated pod moves", pod(), (), {}, MOVE),
    ("a mirror pod stays (mirror/rule_test.go)", pod(annotations={"kubernetes.io/config.mirror": "x"}, owner_references=()),
     (), {}, STAY),
    ("a DaemonSet pod stays (daemonset/rule_test.go)", pod(owner_references=(OwnerReference("DaemonSet", "ds"),)), (), {},
     STAY),
    ("a pod without a controller blocks: NotReplicated (replicated/rule_test.go)", pod(owner_references=()), (), {},
     "NotReplicated"),
    ("a pod of a custom controller blocks: NotReplicated", pod(owner_references=(OwnerReference("CustomThing", "x"),)),
     (), {}, "NotReplicated"),
    ("a Job's pod moves", pod(owner_references=(OwnerReference("Job", "j", api_version="batch/v1"),)), (), {}, MOVE),
    ("an unowned pod annotated safe-to-evict true moves (safetoevict/rule_test.go)",
     pod(owner_references=(), annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"}), (), {}, MOVE),
    ("a kube-system pod without a PDB blocks: UnmovableKubeSystemPod (system/rule_test.go)", pod(namespace="kube-system"),
     (), {}, "UnmovableKubeSystemPod"),
    ("a kube-system pod with a PDB that allows a disruption moves", pod(namespace="kube-system"), (KS_PDB,),
     {"kube-system/pdb": 1}, MOVE),
    ("safe-to-evict false blocks: NotSafeToEvictAnnotation (notsafetoevict/rule_test.go)",
     pod(annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"}), (), {}, "NotSafeToEvictAnnotation"),
    ("an emptyDir blocks: LocalStorageRequested (localstorage/rule_test.go)", pod(volumes=(Volume("scratch", "emptyDir"),)),
     (), {}, "LocalStorageRequested"),
    ("a hostPath blocks", pod(volumes=(Volume("host", "hostPath"),)), (), {}, "LocalStorageRequested"),
    ("an emptyDir named in safe-to-evict-local-volumes moves",
     pod(volumes=(Volume("scratch", "emptyDir"),),
         annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes": "scratch"}), (), {}, MOVE),
    ("one of two emptyDirs named in safe-to-evict-local-volumes still blocks",
     pod(volumes=(Volume("a", "emptyDir"), Volume("b", "emptyDir")),
         annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes": "a"}), (), {},
     "LocalStorageRequested"),
    ("a persistentVolumeClaim does not block", pod(volumes=(Volume("data", "persistentVolumeClaim", "claim"),)), (), {},
     MOVE),
    ("a PDB with no disruption left blocks: NotEnoughPdb (pdb/rule_test.go)", pod(), (PDB,), {"default/pdb": 0},
     "NotEnoughPdb"),
    ("a PDB with a disruption left lets the pod move", pod(), (PDB,), {"default/pdb": 1}, MOVE),
    ("safe-to-evict true overrides a PDB with no disruption left (the rule order)",
     pod(annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"}), (PDB,), {"default/pdb": 0}, MOVE),
    ("an unowned pod blocks before its local storage is looked at (the rule order)",
     pod(owner_references=(), volumes=(Volume("scratch", "emptyDir"),)), (), {}, "NotReplicated"),
]


@pytest.mark.parametrize("name, candidate, pdbs, remaining, outcome", CASES, ids=[c[0] for c in CASES])
def test_drainability_rules_in_upstream_order(name, candidate, pdbs, remaining, outcome):
    assert drainable(candidate, pdbs, remaining).outcome == outcome


def test_local_storage_does_not_block_with_skip_nodes_with_local_storage_false():
    assert drainable(pod(volumes=(Volume("scratch", "emptyDir"),)), (), {}, skip_local_storage=False).outcome == MOVE


def test_kube_system_pods_do_not_block_with_skip_nodes_with_system_pods_false():
    assert drainable(pod(namespace="kube-system"), (), {}, skip_system=False).outcome == MOVE


# ----- utilization (info_test.go) ---------------------------------------------------------
NODE = Node("n1", allocatable={"cpu": 2000, "memory": 2000000, "pods": 110})


def sized(name: str, cpu: int, memory: int, owners=RS) -> Pod:
    return Pod(name, "default", {}, "n1", (Container("c", {"cpu": cpu, "memory": memory}),), owner_references=owners)


def test_utilization_is_the_larger_of_cpu_and_memory():
    """`TestUtilization`: two pods of 100m / 200000 on 2000m / 2000000: cpu 0.1, memory 0.2."""
    pods = [sized("a", 100, 200000), sized("b", 100, 200000)]
    assert utilization(NODE, pods) == pytest.approx(0.2)


def test_daemonset_pods_count_unless_ignored_and_then_leave_the_allocatable():
    """`Calculate` with skipDaemonSetPods: the DaemonSet pod's requests are taken out of
    both the requests and the allocatable."""
    ds = sized("ds", 1000, 1000000, owners=(OwnerReference("DaemonSet", "ds"),))
    pods = [sized("a", 100, 200000), ds]
    assert utilization(NODE, pods) == pytest.approx(0.6)
    assert utilization(NODE, pods, ignore_daemonsets=True) == pytest.approx(0.2)  # 200000 / (2000000 - 1000000)


def test_mirror_pods_count():
    mirror = replace(sized("m", 1000, 0, owners=()), annotations={"kubernetes.io/config.mirror": "x"})
    assert utilization(NODE, [mirror]) == pytest.approx(0.5)
