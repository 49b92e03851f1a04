"""OpenShift's worker latency profiles (`spec/openshift-cluster.md` §1): the values are
openshift/api `config/v1/types_node.go` constants; with the profile unset the operators
write nothing (library-go `observe_latency_profile.go`, its test "default value is not
applied when worker latency profile is unset") and upstream's compiled-in defaults
apply."""

from __future__ import annotations

import pytest

from twin.model.controllers.latency_profile import latency_settings


@pytest.mark.parametrize("profile, minor, expected", [
    # (kubelet node-status-update-frequency, KCM node-monitor-grace-period, KAS not-ready / unreachable toleration)
    ("Default", 36, (10.0, 40.0, 300, 300)),  # DefaultNodeStatusUpdateFrequency, DefaultNodeMonitorGracePeriod, ...
    ("MediumUpdateAverageReaction", 36, (20.0, 120.0, 60, 60)),  # MediumNodeStatusUpdateFrequency = 20 s, 2 min, 60, 60
    ("LowUpdateSlowReaction", 36, (60.0, 300.0, 60, 60)),  # LowNodeStatusUpdateFrequency = 1 min, 5 min, 60, 60
    (None, 34, (10.0, 50.0, 300, 300)),  # unset on 4.21: upstream's 50 s (k/k #126287), MCO kubelet.yaml 10 s
    (None, 31, (10.0, 40.0, 300, 300)),  # unset before Kubernetes 1.32: upstream's 40 s
])
def test_each_profile_sets_the_kubelet_controller_manager_and_api_server_values(profile, minor, expected):
    s = latency_settings(profile, minor)
    assert (s.node_status_update_frequency, s.node_monitor_grace_period, s.not_ready_toleration_seconds,
            s.unreachable_toleration_seconds) == expected


def test_unset_is_not_default_an_explicit_default_profile_shortens_the_grace_period():
    assert latency_settings(None, 36).node_monitor_grace_period > latency_settings("Default", 36).node_monitor_grace_period


def test_an_unknown_profile_is_refused_naming_the_three():
    with pytest.raises(ValueError, match="Default, MediumUpdateAverageReaction, LowUpdateSlowReaction"):
        latency_settings("Fast", 36)
