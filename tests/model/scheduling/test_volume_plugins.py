"""VolumeZone, VolumeRestrictions, VolumeBinding and NodeVolumeLimits. Case ids name the
upstream test and case they transcribe:
* volumezone/volume_zone_test.go `TestSingleZone`, `TestMultiZone`, `TestWithBinding`;
* volumerestrictions/volume_restrictions_test.go `TestGCEDiskConflicts`,
  `TestAWSDiskConflicts`, `TestRBDDiskConflicts`, `TestISCSIDiskConflicts`,
  `TestAccessModeConflicts`;
* volumebinding/binder_test.go `TestFindPodVolumesWithoutProvisioning` scenarios.
Upstream's fake listers word NotFound as `persistentvolumeclaims "x" not found`; the
real informer listers (and the twin) as `persistentvolumeclaim "x" not found`. The other
cases are sentences. A storage kind absent from the inputs warns instead of failing."""

from __future__ import annotations

import pytest
from cycle import run_prebuilt, verdicts

from twin.model.labels import IN, NodeSelectorTerm, Requirement
from twin.model.objects import Claim, Container, Node, Pod, Volume
from twin.model.storage import (
    BIND_COMPLETED_ANNOTATION,
    WAIT_FOR_FIRST_CONSUMER,
    CSINode,
    PersistentVolume,
    StorageClass,
    StorageObjects,
    TopologyTerm,
)

UU, U, OK = "UnschedulableAndUnresolvable", "Unschedulable", ("Success", ())
BETA_ZONE, BETA_REGION = "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region"
ZONE, REGION = "topology.kubernetes.io/zone", "topology.kubernetes.io/region"
NO_ZONE = (UU, ("node(s) had no available volume zone",))
ALLOC = {"cpu": 4000, "memory": 1 << 34, "pods": 110}


def node(name="host1", **labels) -> Node:
    return Node(name, {k.replace("__", "/"): v for k, v in labels.items()}, allocatable=ALLOC)


def claim_pod(*claims: str, name="pod_1", on=None) -> Pod:
    volumes = tuple(Volume(f"v{i}", "persistentVolumeClaim", c) for i, c in enumerate(claims))
    return Pod(name, node_name=on, containers=(Container("c"),), volumes=volumes)


def disk_pod(kind: str, disk: tuple, name="p", on=None, read_only=False) -> Pod:
    return Pod(name, node_name=on, containers=(Container("c"),), volumes=(Volume("d", kind, read_only=read_only, disk=disk),))


# ----- VolumeZone ------------------------------------------------------------------------
SINGLE_ZONE_PVS = [
    PersistentVolume("Vol_1", {BETA_ZONE: "us-west1-a"}), PersistentVolume("Vol_2", {BETA_REGION: "us-west1", "uselessLabel": "none"}),
    PersistentVolume("Vol_Stable_1", {ZONE: "us-west1-a"}), PersistentVolume("Vol_Stable_2", {REGION: "us-west1", "uselessLabel": "none"}),
    PersistentVolume("Vol_Stable_3", {ZONE: "us-west1-a", REGION: "us-west1-a"}),
    PersistentVolume("Vol_3", {BETA_ZONE: "us-west1-c__us-west1-a"}), PersistentVolume("Vol_Stable_4", {ZONE: "us-west1-c__us-west1-a"}),
]
ZONE_CLAIMS = [Claim(c, volume_name=v) for c, v in [
    ("PVC_1", "Vol_1"), ("PVC_2", "Vol_2"), ("PVC_4", "Vol_not_exist"), ("PVC_Stable_1", "Vol_Stable_1"),
    ("PVC_Stable_2", "Vol_Stable_2"), ("PVC_Stable_3", "Vol_Stable_3"), ("PVC_3", "Vol_3"), ("PVC_Stable_4", "Vol_Stable_4"),
]]
ZONE_STORAGE = StorageObjects.of(ZONE_CLAIMS, SINGLE_ZONE_PVS)

VOLUME_ZONE_CASES = [
    ("TestSingleZone/node without labels", "PVC_1", {}, OK),
    ("TestSingleZone/beta zone label matched", "PVC_1", {BETA_ZONE: "us-west1-a", "uselessLabel": "none"}, OK),
    ("TestSingleZone/beta region label matched", "PVC_2", {BETA_REGION: "us-west1", "uselessLabel": "none"}, OK),
    ("TestSingleZone/beta region label doesn't match", "PVC_2", {BETA_REGION: "no_us-west1"}, NO_ZONE),
    ("TestSingleZone/beta zone label doesn't match", "PVC_1", {BETA_ZONE: "no_us-west1-a"}, NO_ZONE),
    ("TestSingleZone/zone label matched", "PVC_Stable_1", {ZONE: "us-west1-a", "uselessLabel": "none"}, OK),
    ("TestSingleZone/region label matched", "PVC_Stable_2", {REGION: "us-west1"}, OK),
    ("TestSingleZone/region label doesn't match", "PVC_Stable_2", {REGION: "no_us-west1"}, NO_ZONE),
    ("TestSingleZone/zone label doesn't match", "PVC_Stable_1", {ZONE: "no_us-west1-a"}, NO_ZONE),
    ("TestSingleZone/pv with zone and region, node with only zone", "PVC_Stable_3", {ZONE: "us-west1-a"}, NO_ZONE),
    ("TestSingleZone/pv with zone,node with beta zone", "PVC_Stable_1", {BETA_ZONE: "us-west1-a"}, NO_ZONE),
    ("TestSingleZone/pv with beta label,node with ga label, matched", "PVC_1", {ZONE: "us-west1-a"}, OK),
    ("TestSingleZone/pv with beta label,node with ga label, don't match", "PVC_1", {ZONE: "us-west1-b"}, NO_ZONE),
    ("TestMultiZone/beta zone label matched", "PVC_3", {BETA_ZONE: "us-west1-a"}, OK),
    ("TestMultiZone/beta zone label doesn't match", "PVC_1", {BETA_ZONE: "us-west1-b"}, NO_ZONE),
    ("TestMultiZone/zone label matched", "PVC_Stable_4", {ZONE: "us-west1-a"}, OK),
    ("TestMultiZone/zone label doesn't match", "PVC_Stable_1", {ZONE: "us-west1-b"}, NO_ZONE),
]


@pytest.mark.parametrize(("claim", "labels", "expected"), [c[1:] for c in VOLUME_ZONE_CASES],
                         ids=[c[0] for c in VOLUME_ZONE_CASES])
def test_volume_zone_upstream_cases(claim, labels, expected):
    result = run_prebuilt([Node("host1", labels, allocatable=ALLOC)], [], claim_pod(claim), storage=ZONE_STORAGE)
    assert verdicts(result, "VolumeZone")["host1"] == expected


def test_volume_zone_pod_without_volume_skips():
    """TestSingleZone/pod without volume: PreFilter Skip."""
    result = run_prebuilt([node(**{BETA_ZONE.replace("/", "__"): "us-west1-a"})], [], Pod("pod_1"), storage=ZONE_STORAGE)
    assert "VolumeZone" not in result.filters


BINDING_STORAGE = StorageObjects.of(
    [Claim("PVC_1", volume_name="Vol_1"), Claim("PVC_NoSC", storage_class="Class_0"), Claim("PVC_EmptySC"),
     Claim("PVC_WaitSC", storage_class="Class_Wait"), Claim("PVC_ImmediateSC", storage_class="Class_Immediate")],
    [PersistentVolume("Vol_1", {BETA_ZONE: "us-west1-a"})],
    [StorageClass("Class_Immediate"), StorageClass("Class_Wait", binding_mode=WAIT_FOR_FIRST_CONSUMER)],
)
WITH_BINDING_CASES = [
    ("TestWithBinding/label zone failure domain matched", "PVC_1", OK),
    ("TestWithBinding/unbound volume empty storage class", "PVC_EmptySC",
     (UU, ("PersistentVolumeClaim had no pv name and storageClass name",))),
    ("TestWithBinding/unbound volume no storage class", "PVC_NoSC", (UU, ('storageclass.storage.k8s.io "Class_0" not found',))),
    ("TestWithBinding/unbound volume immediate binding mode", "PVC_ImmediateSC", (UU, ("PersistentVolume had no name",))),
    ("TestWithBinding/unbound volume wait binding mode", "PVC_WaitSC", None),
]


@pytest.mark.parametrize(("claim", "expected"), [c[1:] for c in WITH_BINDING_CASES], ids=[c[0] for c in WITH_BINDING_CASES])
def test_volume_zone_with_binding_upstream_cases(claim, expected):
    host = Node("host1", {BETA_ZONE: "us-west1-a", "uselessLabel": "none"}, allocatable=ALLOC)
    result = run_prebuilt([host], [], claim_pod(claim), storage=BINDING_STORAGE)
    if expected is None:
        assert "VolumeZone" not in result.filters
    else:
        assert verdicts(result, "VolumeZone")["host1"] == expected


def test_a_registry_on_a_zonal_volume_fits_only_its_zone_and_names_volume_zone_everywhere_else():
    nodes = [node(f"w-{z}", **{"topology.kubernetes.io__zone": z}) for z in ("a", "b", "c")]
    bound = {BIND_COMPLETED_ANNOTATION: "yes"}
    storage = StorageObjects.of([Claim("image-registry-storage", volume_name="pvc-1", annotations=bound)],
                                [PersistentVolume("pvc-1", {ZONE: "a"})])
    result = run_prebuilt(nodes, [], claim_pod("image-registry-storage"), storage=storage)
    assert result.node_status(0)[1] is None
    assert [result.node_status(n)[1] for n in (1, 2)] == ["VolumeZone", "VolumeZone"]


def test_without_any_claims_in_the_inputs_the_volume_plugins_pass_and_warn():
    result = run_prebuilt([node()], [], claim_pod("data"))
    assert bool(result.feasible[0])
    plugins = {n.plugin for n in result.notices}
    assert {"VolumeZone", "VolumeBinding", "VolumeRestrictions", "NodeVolumeLimits"} <= plugins
    assert all("PersistentVolumeClaim default/data is not in the inputs" in n.message
               for n in result.notices if n.plugin == "VolumeZone")


def test_a_claim_missing_from_given_claims_fails_every_node_as_a_prefilter_rejection():
    storage = StorageObjects.of([Claim("other")])
    result = run_prebuilt([node("a"), node("b")], [], claim_pod("data"), storage=storage)
    assert result.node_status(0) == result.node_status(1)
    status, plugin = result.node_status(0)
    assert plugin == "VolumeRestrictions"  # the first PreFilter in profile order
    assert status.reasons == ('persistentvolumeclaim "data" not found',)


# ----- VolumeRestrictions ------------------------------------------------------------------
DISKS = {
    "TestGCEDiskConflicts": ("gcePersistentDisk", ("foo",), ("bar",)),
    "TestAWSDiskConflicts": ("awsElasticBlockStore", ("foo",), ("bar",)),
    "TestRBDDiskConflicts": ("rbd", (("a", "b"), "foo", "bar"), (("c", "d"), "foo", "bar")),
    "TestISCSIDiskConflicts": ("iscsi", ("iqn.2016-12.server:storage.target01",), ("iqn.2017-12.server:storage.target01",)),
}


@pytest.mark.parametrize("test", sorted(DISKS))
def test_volume_restrictions_disk_conflicts_upstream_cases(test):
    kind, state, state2 = DISKS[test]
    existing = [disk_pod(kind, state, "existing", on="host1")]
    same = run_prebuilt([node()], existing, disk_pod(kind, state))
    assert verdicts(same, "VolumeRestrictions")["host1"] == (U, ("node(s) had no available disk",)), f"{test}/same state"
    different = run_prebuilt([node()], existing, disk_pod(kind, state2))
    assert verdicts(different, "VolumeRestrictions")["host1"] == OK, f"{test}/different state"
    one_state = run_prebuilt([node()], existing, Pod("p"))
    assert "VolumeRestrictions" not in one_state.filters, f"{test}/one state"


def test_read_only_gce_disks_may_be_shared_but_ebs_volumes_never():
    existing = [disk_pod("gcePersistentDisk", ("foo",), "e", on="host1", read_only=True)]
    shared = run_prebuilt([node()], existing, disk_pod("gcePersistentDisk", ("foo",), read_only=True))
    assert verdicts(shared, "VolumeRestrictions")["host1"] == OK
    ebs = [disk_pod("awsElasticBlockStore", ("vol",), "e", on="host1", read_only=True)]
    again = run_prebuilt([node()], ebs, disk_pod("awsElasticBlockStore", ("vol",), read_only=True))
    assert verdicts(again, "VolumeRestrictions")["host1"][0] == U


RWOP = StorageObjects.of([Claim("claim-with-rwop-1", access_modes=("ReadWriteOncePod",)),
                          Claim("claim-with-rwx", access_modes=("ReadWriteMany",))])


def test_access_mode_conflicts_failed_to_get_pvc():
    """TestAccessModeConflicts/failed to get PVC."""
    result = run_prebuilt([node("node-1")], [], claim_pod("claim-with-rwop-2"), storage=RWOP)
    assert verdicts(result, "VolumeRestrictions")["node-1"] == (UU, ('persistentvolumeclaim "claim-with-rwop-2" not found',))


def test_access_mode_conflicts_no_access_mode_conflict():
    """TestAccessModeConflicts/no access mode conflict: PreFilter Skip."""
    existing = [claim_pod("claim-with-rwx", name="pod-with-rwx", on="node-1")]
    result = run_prebuilt([node("node-1")], existing, claim_pod("claim-with-rwop-1"), storage=RWOP)
    assert "VolumeRestrictions" not in result.filters


def test_access_mode_conflicts_access_mode_conflict_unschedulable():
    """TestAccessModeConflicts/access mode conflict, unschedulable: on every node."""
    existing = [claim_pod("claim-with-rwop-1", name="pod-with-one-pvc", on="node-1")]
    result = run_prebuilt([node("node-1"), node("node-2")], existing, claim_pod("claim-with-rwop-1"), storage=RWOP)
    reason = "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode"
    assert set(verdicts(result, "VolumeRestrictions").values()) == {(U, (reason,))}


# ----- VolumeBinding -------------------------------------------------------------------------
def pinned(name: str, host: str, **extra) -> PersistentVolume:
    term = NodeSelectorTerm((Requirement("kubernetes.io/hostname", IN, (host,)),))
    return PersistentVolume(name, node_affinity=(term,), **extra)


BOUND = {BIND_COMPLETED_ANNOTATION: "yes"}
WAIT = StorageClass("wait", "kubernetes.io/no-provisioner", WAIT_FOR_FIRST_CONSUMER)
NODES = [node("node1", **{"kubernetes.io__hostname": "node1"}), node("node2", **{"kubernetes.io__hostname": "node2"})]


def binding(claims, volumes=(), classes=(WAIT,)):
    return StorageObjects.of(claims, volumes, classes)


def test_find_pod_volumes_bound_pvc():
    storage = binding([Claim("pvc", volume_name="pv-node1", annotations=BOUND)], [pinned("pv-node1", "node1")])
    v = verdicts(run_prebuilt(NODES, [], claim_pod("pvc"), storage=storage), "VolumeBinding")
    assert v == {"node1": OK, "node2": (UU, ("node(s) had volume node affinity conflict",))}


def test_find_pod_volumes_bound_pvc_pv_not_exists():
    storage = binding([Claim("pvc", volume_name="gone", annotations=BOUND)], [pinned("other", "node1")])
    v = verdicts(run_prebuilt(NODES, [], claim_pod("pvc"), storage=storage), "VolumeBinding")
    assert v["node1"] == (UU, ("node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)",))


def test_find_pod_volumes_unbound_pvc_pv_same_node_and_pv_different_node():
    claim = Claim("pvc", storage_class="wait", access_modes=("ReadWriteOnce",), storage_request=1 << 30)
    pv = pinned("pv-node1", "node1", storage_class="wait", access_modes=("ReadWriteOnce",), capacity=1 << 30)
    v = verdicts(run_prebuilt(NODES, [], claim_pod("pvc"), storage=binding([claim], [pv])), "VolumeBinding")
    assert v == {"node1": OK, "node2": (UU, ("node(s) didn't find available persistent volumes to bind",))}


def test_find_pod_volumes_pvc_not_found():
    storage = binding([Claim("other")])
    v = verdicts(run_prebuilt(NODES, [], claim_pod("pvc"), storage=storage), "VolumeBinding")
    assert v["node1"] == (UU, ('persistentvolumeclaim "pvc" not found',))


def test_an_unbound_claim_of_an_immediate_class_fails_every_node():
    storage = binding([Claim("pvc", storage_class="gp3")], classes=[StorageClass("gp3", "ebs.csi.aws.com")])
    result = run_prebuilt(NODES, [], claim_pod("pvc"), storage=storage)
    assert set(verdicts(result, "VolumeBinding").values()) == {(UU, ("pod has unbound immediate PersistentVolumeClaims",))}


def test_a_wait_for_first_consumer_claim_is_provisioned_where_allowed_topologies_match_and_warns_about_capacity():
    gp3 = StorageClass("gp3", "ebs.csi.aws.com", WAIT_FOR_FIRST_CONSUMER, (TopologyTerm(((ZONE, ("a",)),)),))
    nodes = [node("in-a", **{"topology.kubernetes.io__zone": "a"}), node("in-b", **{"topology.kubernetes.io__zone": "b"})]
    result = run_prebuilt(nodes, [], claim_pod("pvc"), storage=binding([Claim("pvc", storage_class="gp3")], classes=[gp3]))
    v = verdicts(result, "VolumeBinding")
    assert v == {"in-a": OK, "in-b": (UU, ("node(s) didn't find available persistent volumes to bind",))}
    assert any("CSIStorageCapacity" in n.message for n in result.notices if n.plugin == "VolumeBinding")


# ----- NodeVolumeLimits --------------------------------------------------------------------------
def test_a_node_at_its_csi_attach_limit_rejects_a_new_volume_but_not_one_already_attached():
    pvs = [PersistentVolume(f"pv{i}", csi_driver="ebs.csi.aws.com", volume_handle=f"vol-{i}") for i in range(3)]
    claims = [Claim(f"c{i}", volume_name=f"pv{i}", annotations=BOUND) for i in range(3)]
    storage = StorageObjects.of(claims, pvs, csi_nodes=[CSINode("host1", {"ebs.csi.aws.com": 2})])
    existing = [claim_pod("c0", "c1", name="e", on="host1")]
    new = run_prebuilt([node()], existing, claim_pod("c2"), storage=storage)
    assert verdicts(new, "NodeVolumeLimits")["host1"] == (U, ("node(s) exceed max volume count",))
    shared = run_prebuilt([node()], existing, claim_pod("c1"), storage=storage)
    assert verdicts(shared, "NodeVolumeLimits")["host1"] == OK


def test_without_csi_nodes_the_attach_limit_is_not_checked_and_a_warning_says_so():
    storage = StorageObjects.of([Claim("c", volume_name="pv", annotations=BOUND)],
                                [PersistentVolume("pv", csi_driver="ebs.csi.aws.com", volume_handle="vol")])
    result = run_prebuilt([node()], [], claim_pod("c"), storage=storage)
    assert verdicts(result, "NodeVolumeLimits")["host1"] == OK
    assert any(n.plugin == "NodeVolumeLimits" and "CSINode" in n.message for n in result.notices)
