"""OpenShift's worker latency profile (`nodes.config.openshift.io/cluster`
`spec.workerLatencyProfile`): one setting that moves the kubelet's status updates, the
node-lifecycle controller's grace period and the API server's default tolerations
together (`spec/openshift-cluster.md` §1).

The profiles' values are openshift/api `config/v1/types_node.go` constants
(`DefaultNodeStatusUpdateFrequency` ... `LowUnreachableTolerationSeconds`):

| profile | kubelet node-status-update-frequency | KCM node-monitor-grace-period | KAS default not-ready / unreachable toleration |
|---|---|---|---|
| Default | 10 s | 40 s | 300 / 300 s |
| MediumUpdateAverageReaction | 20 s | 2 min | 60 / 60 s |
| LowUpdateSlowReaction | 1 min | 5 min | 60 / 60 s |

Who writes them: cluster-kube-controller-manager-operator's config observer
(`pkg/operator/configobservation/node/latency_profile.go`) writes
`extendedArguments.node-monitor-grace-period`; cluster-kube-apiserver-operator's the two
`default-*-toleration-seconds` arguments; machine-config-operator's kubelet-config
controller (`updateOriginalKubeConfigwithNodeConfig`) the kubelet's
`nodeStatusUpdateFrequency`.

**Unset** (the field empty, as on a new cluster: `nodes.config/cluster` comes with
`spec: {}`, as machine-config-operator's bootstrap tests create it ("With a node config
manifest empty spec") and as `oc get nodes.config/cluster` shows on a default cluster;
that ROSA's provisioning leaves it so is inferred, not read in ROSA's code) is not the
same as `Default`: library-go's
`observe_latency_profile.go` observes nothing for an empty profile (its test "default
value is not applied when worker latency profile is unset"), and the operators' default
configs set none of these flags, so the components' compiled-in defaults apply: the
controller manager's grace period is upstream's, 50 s from Kubernetes 1.32 (k/k PR
#126287; 4.21-4.23 run 1.34-1.36), *longer* than the 40 s an explicit Default writes;
the API server's tolerations are upstream's 300 s; the kubelet's 10 s comes from
machine-config-operator's kubelet.yaml template (`nodeStatusUpdateFrequency: 10s`).

The kubelet's Lease is renewed every 10 s whatever the profile (25 % of the 40 s
`nodeLeaseDurationSeconds`, which no profile changes), so a lost node is noticed a grace
period after its last renewal; the status update frequency decides how soon a node that
comes back is Ready again: the kubelet's next status sync sees the controller's
`Unknown` and posts `True`.

A scenario's profile holds for the whole run. (Changing it on a cluster rolls new
revisions of the API server and controller manager and new kubelet configs over minutes;
admission refuses a move between Low and Default or unset, `validateConfigNodeForExtremeLatencyProfile`:
Low is reached from and left through Medium.)
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from twin.model.controllers.node_config import monitor_grace_period
from twin.model.quoting import shown

DEFAULT = "Default"
MEDIUM = "MediumUpdateAverageReaction"
LOW = "LowUpdateSlowReaction"
PROFILES = (DEFAULT, MEDIUM, LOW)
UNSET_STATUS_UPDATE_FREQUENCY = 10.0  # machine-config-operator templates/*/01-*-kubelet/_base/files/kubelet.yaml
UNSET_TOLERATION_SECONDS = 300  # kube-apiserver's --default-*-toleration-seconds default


@dataclass(frozen=True, slots=True)
class LatencySettings:
    """What a profile (or its absence) sets, in seconds."""

    profile: str | None
    node_status_update_frequency: float
    node_monitor_grace_period: float
    not_ready_toleration_seconds: int
    unreachable_toleration_seconds: int


_SET = MappingProxyType({
    DEFAULT: (10.0, 40.0, 300, 300),
    MEDIUM: (20.0, 120.0, 60, 60),
    LOW: (60.0, 300.0, 60, 60),
})


def latency_settings(profile: str | None, kubernetes_minor: int) -> LatencySettings:
    """The settings a cluster runs with `profile` (None: unset) on Kubernetes 1.<minor>.

    >>> latency_settings(None, 36).node_monitor_grace_period, latency_settings("Default", 36).node_monitor_grace_period
    (50.0, 40.0)
    >>> latency_settings("LowUpdateSlowReaction", 36).unreachable_toleration_seconds
    60
    """
    if profile is None:
        return LatencySettings(None, UNSET_STATUS_UPDATE_FREQUENCY, monitor_grace_period(kubernetes_minor),
                               UNSET_TOLERATION_SECONDS, UNSET_TOLERATION_SECONDS)
    if profile not in _SET:
        raise ValueError(f"expected one of {', '.join(PROFILES)}, got {shown(profile)}")
    return LatencySettings(profile, *_SET[profile])

