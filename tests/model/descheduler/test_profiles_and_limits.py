"""The operator's profiles and one descheduling cycle: protected namespaces, the eviction
limits (`evictions.go` `EvictPod`), refused evictions, fewer than two Ready nodes
(`descheduler.go` `runProfiles`), and the plugins of a cycle seeing earlier evictions."""

from __future__ import annotations

from upstream import build_node, create_test_pods, group, spread

from twin.model.descheduler import EvictionLimits, Snapshot, operator_policy, protected, run_cycle
from twin.model.descheduler.evictions import NODE_LIMIT, TOTAL_LIMIT, PodEvictor
from twin.model.objects import SCHEDULE_ANYWAY

FOO = {"foo": "bar"}
NODES = [build_node("n1", labels={"zone": "a"}), build_node("n2", labels={"zone": "b"}),
         build_node("n3", labels={"zone": "c"})]


SPREAD_AND_DUPLICATES = 5
"""Six pods on n1 (zone a): the spread plugin takes 4 ([6,0,0] -> [2,2,2]); RemoveDuplicates
then sees 2 pods of the ReplicaSet left (the 4 are Terminating) over 3 target nodes,
upperAvg ceil(2/3) = 1, and takes the second one too."""


def skewed(namespace: str = "ns1", when: str = "DoNotSchedule", count: int = 6):
    """`count` pods of one ReplicaSet, all in zone a, spread over zones (maxSkew 1)."""
    return create_test_pods(group(count, "n1", labels=FOO, namespace=namespace, constraints=spread(key="zone", when=when)))


def evicted(pods, profiles=("TopologyAndDuplicates",), nodes=NODES, accept=lambda pod: True, **kw):
    return [e.pod for e in run_cycle(Snapshot.of(nodes, pods), operator_policy(profiles, **kw), accept).evicted]


def test_the_protected_namespaces_are_kube_system_hypershift_openshift_and_openshift_star():
    assert [protected(ns) for ns in ("kube-system", "hypershift", "openshift", "openshift-image-registry", "apps",
                                     "openshiftx", "default")] == [True, True, True, True, False, False, False]


def test_pods_in_a_protected_namespace_are_never_evicted():
    assert evicted(skewed("openshift-image-registry")) == []
    assert len(evicted(skewed("apps"))) == SPREAD_AND_DUPLICATES


def test_included_namespaces_limit_the_profile_to_them():
    assert evicted(skewed("apps"), included=("other",)) == []
    assert len(evicted(skewed("apps"), included=("apps",))) == SPREAD_AND_DUPLICATES


def test_excluded_namespaces_are_added_to_the_protected_ones():
    assert evicted(skewed("apps"), excluded=("apps",)) == []


def test_topology_and_duplicates_ignores_schedule_anyway_constraints_the_soft_profile_balances_them():
    pods = skewed(when=SCHEDULE_ANYWAY)
    # TopologyAndDuplicates: RemoveDuplicates alone, 6 on n1 over 3 nodes, upperAvg 2: 4 go
    assert len(evicted(pods)) == 4
    assert len(evicted(pods, ("SoftTopologyAndDuplicates",))) == SPREAD_AND_DUPLICATES


def test_remove_duplicates_sees_the_pods_the_spread_plugin_evicted_before_it():
    """ASSUMPTION (profiles.py): the 4 the spread plugin evicted are Terminating for
    RemoveDuplicates, which counts the 2 left (otherwise it would count 6)."""
    got = evicted(skewed())
    assert got == ["ns1/pod-4", "ns1/pod-5", "ns1/pod-2", "ns1/pod-3", "ns1/pod-1"]


def test_a_total_limit_stops_the_cycle_and_a_node_limit_stops_that_node():
    assert len(evicted(skewed(), limits=EvictionLimits(total=3))) == 3
    assert len(evicted(skewed(), limits=EvictionLimits(per_node=1))) == 1


def test_the_limits_check_total_then_node_then_namespace():
    pod = skewed()[0]
    evictor = PodEvictor(EvictionLimits(per_node=0, total=0), lambda p: True)
    assert evictor.evict(pod, "s", "p") == TOTAL_LIMIT
    assert PodEvictor(EvictionLimits(per_node=0), lambda p: True).evict(pod, "s", "p") == NODE_LIMIT


def test_a_refused_eviction_counts_toward_no_limit():
    refuse_first = iter([False, True, True, True, True, True])
    evictor = run_cycle(Snapshot.of(NODES, skewed()), operator_policy(("TopologyAndDuplicates",), EvictionLimits(total=2)),
                        lambda pod: next(refuse_first))
    assert len(evictor.refused) == 1 and len(evictor.evicted) == 2


def test_a_cycle_with_fewer_than_two_ready_nodes_does_nothing():
    nodes = [NODES[0], build_node("n2", labels={"zone": "b"}, ready="False")]
    assert evicted(skewed(), nodes=nodes) == []


def test_pods_with_a_pvc_stay_unless_evict_pods_with_pvc_is_listed():
    from dataclasses import replace
    from twin.model.objects import Volume
    pods = [replace(p, volumes=(Volume("data", "persistentVolumeClaim", "c"),)) for p in skewed()]
    assert evicted(pods) == []
    assert len(evicted(pods, ("TopologyAndDuplicates", "EvictPodsWithPVC"))) == SPREAD_AND_DUPLICATES
