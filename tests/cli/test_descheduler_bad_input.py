"""Bad `descheduler:` input (the KubeDescheduler spec): what the CRD and the operator
refuse, and the profiles the twin does not model. One line naming the file and the field,
exit 2, nothing written."""

from __future__ import annotations

import json

import pytest
from helpers import twin

TOPOLOGY = {"profiles": ["TopologyAndDuplicates"], "deschedulingIntervalSeconds": 300}
CASES = [
    ("an unknown profile", {**TOPOLOGY, "profiles": ["Balanced"]}, "descheduler.profiles[0]",
     "expected one of the operator's profiles (TopologyAndDuplicates, SoftTopologyAndDuplicates, EvictPodsWithPVC, "
     "EvictPodsWithLocalStorage, AffinityAndTaints, LifecycleAndUtilization, DevPreviewLongLifecycle, LongLifecycle, "
     "CompactAndScale, KubeVirtRelieveAndMigrate, DevKubeVirtRelieveAndMigrate), got 'Balanced'"),
    ("a profile the twin does not model", {**TOPOLOGY, "profiles": ["TopologyAndDuplicates", "AffinityAndTaints"]},
     "descheduler.profiles[1]", "expected a profile the twin models (TopologyAndDuplicates, SoftTopologyAndDuplicates, "
     "EvictPodsWithPVC, EvictPodsWithLocalStorage); AffinityAndTaints is valid for the Kube Descheduler Operator but "
     "not modelled"),
    ("the hard and soft topology profiles together", {**TOPOLOGY, "profiles": ["TopologyAndDuplicates",
                                                                               "SoftTopologyAndDuplicates"]},
     "descheduler.profiles", "cannot declare SoftTopologyAndDuplicates and TopologyAndDuplicates profiles simultaneously"),
    ("a profile twice", {**TOPOLOGY, "profiles": ["TopologyAndDuplicates", "TopologyAndDuplicates"]},
     "descheduler.profiles", "expected each profile once, got TopologyAndDuplicates twice (duplicate profiles are not "
     "allowed)"),
    ("no profile", {**TOPOLOGY, "profiles": []}, "descheduler.profiles",
     "expected at least one profile (the operator refuses an empty list)"),
    ("no interval", {"profiles": ["TopologyAndDuplicates"]}, "descheduler.deschedulingIntervalSeconds",
     "expected the seconds between descheduler runs, at least 1 (without it the operator scales the descheduler to 0: "
     "it never runs)"),
    ("an interval of 0", {**TOPOLOGY, "deschedulingIntervalSeconds": 0}, "descheduler.deschedulingIntervalSeconds",
     "expected a number >= 1, got 0"),
    ("an unknown mode", {**TOPOLOGY, "mode": "Auto"}, "descheduler.mode", "expected Automatic or Predictive, got 'Auto'"),
    ("a negative eviction limit", {**TOPOLOGY, "evictionLimits": {"total": -1}}, "descheduler.evictionLimits.total",
     "expected a number >= 0, got -1"),
    ("included and excluded namespaces together",
     {**TOPOLOGY, "profileCustomizations": {"namespaces": {"included": ["a"], "excluded": ["b"]}}},
     "descheduler.profileCustomizations.namespaces",
     "expected included or excluded namespaces, not both (the operator forbids combining them)"),
    ("a protected namespace included",
     {**TOPOLOGY, "profileCustomizations": {"namespaces": {"included": ["openshift-image-registry"]}}},
     "descheduler.profileCustomizations.namespaces",
     "expected no protected namespace (kube-system, hypershift, openshift, openshift-*) among the included ones, "
     "got 'openshift-image-registry'"),
]


@pytest.mark.parametrize("name, descheduler, path, message", CASES, ids=[c[0] for c in CASES])
def test_bad_descheduler_input_is_one_line_naming_the_field(capsys, tmp_path, monkeypatch, name, descheduler, path,
                                                            message):
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps({"name": "x", "duration": "5m", "descheduler": descheduler}))
    code, out, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code == 2 and out == ""
    assert err == f"twin: error: {scenario}: {path}: {message}\n"
    assert not (tmp_path / "out").exists()
