"""The attach/detach controller's detach rule and the pod garbage collector's
out-of-service rule (`twin/model/controllers/attach_detach.py`), case by case as
kubernetes `pkg/controller/volume/attachdetach/reconciler/reconciler.go` `reconcile`
decides them (forceDetach := !isHealthy && maxWaitForUnmountDurationExpired; skip while
MountedByNode && !forceDetach && !hasOutOfServiceTaint) and `pkg/controller/podgc/
gc_controller.go` `gcTerminating` (NotReady and tainted out-of-service)."""

from __future__ import annotations

import pytest

from twin.model.controllers.attach_detach import (MAX_WAIT_FOR_UNMOUNT, force_detach_at, gc_deletes_terminating,
                                                  may_detach)

CASES = [
    # mounted, healthy, waited, out of service -> detach now
    ("an unmounted volume goes at once", False, True, 0.0, False, True),
    ("a healthy node's mounted volume waits for the unmount however long", True, True, 3600.0, False, False),
    ("an unhealthy node's mounted volume waits the 6 minutes", True, False, MAX_WAIT_FOR_UNMOUNT, False, False),
    ("then it is force-detached", True, False, MAX_WAIT_FOR_UNMOUNT + 0.1, False, True),
    ("the out-of-service taint detaches at once", True, False, 0.0, True, True),
    ("the taint also frees a healthy node's mounted volume", True, True, 0.0, True, True),
]


@pytest.mark.parametrize("name, mounted, healthy, waited, oos, detach", CASES, ids=[c[0] for c in CASES])
def test_when_a_volume_no_pod_needs_is_detached(name, mounted, healthy, waited, oos, detach):
    assert may_detach(mounted, healthy, waited, oos) is detach


def test_the_force_detach_comes_one_reconcile_after_6_minutes_and_only_for_unhealthy_nodes():
    at = force_detach_at(100.0, node_healthy=False)
    assert at == 460.1 and may_detach(True, False, at - 100.0, False)
    assert force_detach_at(100.0, node_healthy=True) is None


@pytest.mark.parametrize("ready, oos, deletes", [(False, True, True), (True, True, False), (False, False, False)])
def test_the_pod_gc_deletes_terminating_pods_only_of_notready_out_of_service_nodes(ready, oos, deletes):
    assert gc_deletes_terminating(ready, oos) is deletes
