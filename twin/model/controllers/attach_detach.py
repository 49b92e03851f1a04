"""The attach/detach controller's rules for a ReadWriteOnce block volume (an EBS volume
behind the registry's PVC), and the pod garbage collector's rule for the out-of-service
taint: when a volume may leave a node.

A pod keeps its volume in the controller's desired state of the world until its object
is gone or it is terminated (`desired_state_of_world_populator.go` `podTerminated` →
`volumeutil.IsPodTerminated`: a terminal phase, or deleted with no container reported
running). A pod on a crashed or unreachable node never reports its containers stopped, so
it keeps the volume attached while it is Terminating — until the node returns, or the pod
garbage collector force-deletes it: `gcTerminating` deletes the terminating pods of a
NotReady node that carries `node.kubernetes.io/out-of-service` (KEP-2268 non-graceful node
shutdown, GA in 1.28; `pkg/controller/podgc/gc_controller.go`, checked every 20 s), or
`gcOrphaned` those of a node that was deleted.

Once no pod needs it, the reconciler (`pkg/controller/volume/attachdetach/reconciler/
reconciler.go` `reconcile`) detaches it unless it is still mounted by the node; a node that
cannot report the unmount (unhealthy) is force-detached once the detach has waited
`maxWaitForUnmountDuration` (6 min, `attach_detach_controller.go`
`reconcilerMaxWaitForUnmountDuration`; kube-controller-manager's
`--disable-force-detach-on-timeout` is false by default and OpenShift does not set it), or
at once when the node has the out-of-service taint.
"""

from __future__ import annotations

MAX_WAIT_FOR_UNMOUNT = 360.0
RECONCILER_LOOP_PERIOD = 0.1  # `reconcilerLoopPeriod` (attach_detach_controller.go): reconcile runs every 100 ms
POD_GC_PERIOD = 20.0
OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service"
OUT_OF_SERVICE_VALUE = "nodeshutdown"  # the value the Kubernetes documentation's example uses
ATTACH_SECONDS = 10.0
"""EBS AttachVolume until the device is usable, and the mount (ASSUMPTION: AWS documents no
figure; "a few seconds" to tens of seconds is what operators report)."""
DETACH_SECONDS = 5.0
"""Unmount and EBS DetachVolume once allowed (ASSUMPTION, as ATTACH_SECONDS)."""


def may_detach(mounted: bool, node_healthy: bool, waited: float, out_of_service: bool) -> bool:
    """`reconcile`'s test for a volume no pod needs on this node: not mounted any more,
    or force-detached (an unhealthy node, `MAX_WAIT_FOR_UNMOUNT` waited), or the node is
    out of service."""
    force = not node_healthy and waited > MAX_WAIT_FOR_UNMOUNT
    return not mounted or force or out_of_service


def force_detach_at(requested: float, node_healthy: bool) -> float | None:
    """When an unhealthy node's mounted volume is force-detached: the first reconcile
    past the wait (the wait must be exceeded, so one loop period after it); None for a
    healthy node, which reports the unmount instead."""
    return None if node_healthy else requested + MAX_WAIT_FOR_UNMOUNT + RECONCILER_LOOP_PERIOD


def gc_deletes_terminating(node_ready: bool, out_of_service: bool) -> bool:
    """`gcTerminating`: terminating pods of a NotReady node with the out-of-service taint."""
    return not node_ready and out_of_service
