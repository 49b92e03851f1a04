"""Status fields the API server drops when their feature gate is off
(`dropDisabledStatusFields` in k/k `pkg/registry/apps/{deployment,replicaset}/strategy.go`):
the controllers compute them either way; what is stored is what a client sees.

`DeploymentReplicaSetTerminatingReplicas` (KEP-3973, `status.terminatingReplicas` of
Deployments and ReplicaSets; k/k `pkg/features/kube_features.go`): alpha and off in 1.33
and 1.34, beta and on from 1.35 (`spec/openshift-cluster.md` §7). So OpenShift 4.21
(Kubernetes 1.34) shows no terminatingReplicas, 4.22 and 4.23 (1.35, 1.36) do. The
companion `spec.podReplacementPolicy` (KEP-5882, gate `DeploymentPodReplacementPolicy`)
is at most alpha and off in 1.36: replacements are created as soon as old pods start
terminating, and the twin offers no `TerminationComplete`.

(The gate's state on OpenShift follows upstream's default here: openshift/api's
`features/` on release-4.21 to 4.23 does not list it, so the cluster's feature set does
not override it [inferred].)
"""

from __future__ import annotations

from dataclasses import replace

from twin.model.workloads import Deployment, ReplicaSet

TERMINATING_REPLICAS_BETA = 35


def terminating_replicas_enabled(kubernetes_minor: int) -> bool:
    """The gate's default on Kubernetes 1.<minor>.

    >>> terminating_replicas_enabled(34), terminating_replicas_enabled(35)
    (False, True)
    """
    return kubernetes_minor >= TERMINATING_REPLICAS_BETA


def stored(obj: Deployment | ReplicaSet, kubernetes_minor: int) -> Deployment | ReplicaSet:
    """`obj` as the API server stores it: without terminatingReplicas when the gate is off."""
    if terminating_replicas_enabled(kubernetes_minor) or obj.status.terminating_replicas is None:
        return obj
    return replace(obj, status=replace(obj.status, terminating_replicas=None))
