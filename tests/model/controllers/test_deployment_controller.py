"""The Deployment controller, one sync at a time and whole rollouts, against
spec/lifecycle.md §a.3–§a.8 and the image registry strategies of spec/registry-operator.md §2.2."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from twin.model.controllers.actions import Delete, DeletePod, Note, Put
from twin.model.controllers.deployment import reconcile_deployment
from twin.model.controllers.new_replicaset import POD_TEMPLATE_HASH, REVISION_HISTORY_ANNOTATION, template_hash
from twin.model.controllers.progress import AVAILABLE, PROGRESSING, find_condition
from twin.model.controllers.replicaset import reconcile_replicaset
from twin.model.controllers.rollout import max_surge, max_unavailable
from twin.model.controllers.rs_status import pods_of, status_of
from twin.model.labels import LabelSelector
from twin.model.objects import Container, OwnerReference, Pod
from twin.model.workloads import (
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    RECREATE,
    REVISION_ANNOTATION,
    ROLLING_UPDATE,
    Condition,
    Deployment,
    DeploymentSpec,
    DeploymentStatus,
    PodRecord,
    PodStatus,
    ReplicaSet,
    ReplicaSetStatus,
)

NS = "openshift-image-registry"
NAME = "image-registry"
LABELS = {"docker-registry": "default"}
SELECTOR = LabelSelector.of(LABELS)

# ---- builders ----------------------------------------------------------------------------------


def template(version: str = "v2") -> Pod:
    return Pod("", NS, labels={**LABELS, "version": version}, containers=(Container("registry", {"cpu": 100}),))


def deployment(replicas=3, surge="25%", unavailable=2, *, version="v2", strategy=ROLLING_UPDATE, deadline=60, history=10,
               min_ready=0, generation=2, status=None, paused=False) -> Deployment:
    spec = DeploymentSpec(
        replicas, SELECTOR, template(version), strategy, surge, unavailable, min_ready, deadline, history, paused
    )
    return Deployment(NAME, NS, spec, generation=generation, status=status or DeploymentStatus())


def registry(replicas: int, **changes) -> Deployment:
    """The operator's strategy (spec/registry-operator.md §2.2): 2 -> 1/1, else (replicas - 1)/25%."""
    surge, unavailable = (1, 1) if replicas == 2 else ("25%", replicas - 1)
    return deployment(replicas, surge, unavailable, **changes)


def rset(name, spec, *, version="v1", created=0.0, replicas=None, ready=None, available=None, revision=None,
         desired=None, max_replicas=None, generation=1, min_ready=0) -> ReplicaSet:
    """A ReplicaSet of the Deployment, at the revision of its version ("v2" -> 2). Status defaults:
    every spec replica exists, is Ready and available."""
    revision = int(version[1:]) if revision is None else revision
    replicas = spec if replicas is None else replicas
    ready = replicas if ready is None else ready
    available = ready if available is None else available
    notes = {REVISION_ANNOTATION: str(revision)}
    notes |= {DESIRED_REPLICAS_ANNOTATION: str(desired)} if desired is not None else {}
    notes |= {MAX_REPLICAS_ANNOTATION: str(max_replicas)} if max_replicas is not None else {}
    body = replace(template(version), labels={**template(version).labels, POD_TEMPLATE_HASH: name})
    status = ReplicaSetStatus(replicas, ready, available, generation)
    annotations = tuple(sorted(notes.items()))
    return ReplicaSet(name, NS, spec, SELECTOR, body, name, NAME, created, annotations, min_ready, generation, status)


def pod(name: str, rs_name: str, *, phase="Running", ready=True, since=0.0, deleted=None) -> PodRecord:
    owner = (OwnerReference("ReplicaSet", rs_name),)
    status = PodStatus(phase=phase, ready=ready, ready_since=since if ready else None, deleted=deleted, created=0.0)
    return PodRecord(Pod(name, NS, labels=dict(LABELS), owner_references=owner, phase=phase), status)


def complete(replicas: int, observed: int = 1, at: float = 0.0) -> DeploymentStatus:
    conditions = (
        Condition(AVAILABLE, "True", "MinimumReplicasAvailable", "", at, at),
        Condition(PROGRESSING, "True", "NewReplicaSetAvailable", "", at, at),
    )
    return DeploymentStatus(observed, replicas, replicas, replicas, replicas, 0, conditions, terminating_replicas=0)


def rs_puts(result) -> list[ReplicaSet]:
    return [a.obj for a in result.actions if isinstance(a, Put) and isinstance(a.obj, ReplicaSet)]


def sizes(result) -> dict[str, int]:
    return {rs.name: rs.replicas for rs in rs_puts(result)}


def steps(result) -> list[tuple]:
    return [(a.details["step"], a.details["from"], a.details["to"]) for a in result.actions if isinstance(a, Note)]


def status_put(result) -> DeploymentStatus | None:
    puts = [a.obj.status for a in result.actions if isinstance(a, Put) and isinstance(a.obj, Deployment)]
    return puts[0] if puts else None


def progressing(status: DeploymentStatus) -> Condition | None:
    return find_condition(status.conditions, PROGRESSING)


NEW_NAME = f"{NAME}-{template_hash(template('v2'))}"

# Mid-rollout with no progress possible: replicas 3, surge 1, maxUnavailable 0; old 1 (available), new 3 (2 available).
STUCK_RSS = [rset("v1", 1), rset("v2", 3, version="v2", created=1, available=2)]
STUCK_COUNTS = DeploymentStatus(2, 4, 3, 4, 3, 1, terminating_replicas=0)


def stuck(reason="ReplicaSetUpdated", status="True", updated=100.0, transition=50.0, deadline=60) -> Deployment:
    cond = Condition(PROGRESSING, status, reason, "", transition, updated)
    available = Condition(AVAILABLE, "True", "MinimumReplicasAvailable", "", 0.0, 0.0)
    return deployment(3, 1, 0, deadline=deadline, status=replace(STUCK_COUNTS, conditions=(available, cond)))

# ---- the new ReplicaSet (§a.3 step 1) -------------------------------------------------------------


def test_a_missing_new_rs_is_created_already_surged_with_the_replicas_annotations_and_the_next_revision():
    result = reconcile_deployment(registry(3), [rset("v1", 3)], [], 100.0)
    created = rs_puts(result)[0]
    assert (created.name, created.replicas, created.created, created.owner) == (NEW_NAME, 1, 100.0, NAME)
    assert created.annotation(DESIRED_REPLICAS_ANNOTATION) == "3"
    assert created.annotation(MAX_REPLICAS_ANNOTATION) == "4"
    assert created.annotation(REVISION_ANNOTATION) == "2"


def test_the_new_rs_template_and_selector_carry_the_pod_template_hash():
    created = rs_puts(reconcile_deployment(registry(3), [rset("v1", 3)], [], 100.0))[0]
    assert created.template.labels[POD_TEMPLATE_HASH] == created.template_hash == template_hash(template("v2"))
    assert (POD_TEMPLATE_HASH, created.template_hash) in created.selector.match_labels
    assert created.template.labels["version"] == "v2"


def test_the_sync_that_creates_the_new_rs_may_also_scale_the_old_one_down():
    # Registry replicas 3 (maxUnavailable 2, surge 1): creating at 1 is not a scaling step,
    # and the budget 4 - 1 - 1 = 2 removes two available old replicas at once.
    result = reconcile_deployment(registry(3), [rset("v1", 3)], [], 100.0)
    assert steps(result) == [("create", 0, 1), ("scale-down-old", 3, 1)]


def test_creating_the_new_rs_sets_progressing_new_replicaset_created():
    status = status_put(reconcile_deployment(registry(3, status=complete(3)), [rset("v1", 3)], [], 100.0))
    cond = progressing(status)
    assert (cond.status, cond.reason, cond.last_update_time) == ("True", "NewReplicaSetCreated", 100.0)
    assert cond.last_transition_time == 0.0  # it was already True


def test_the_new_rs_name_can_be_chosen_from_the_template_hash():
    result = reconcile_deployment(registry(3), [rset("v1", 3)], [], 100.0, new_rs_name=lambda h: f"rs-{h[:4]}")
    assert rs_puts(result)[0].name == f"rs-{template_hash(template('v2'))[:4]}"


def test_the_new_rs_is_the_oldest_rs_whose_template_matches_ignoring_the_hash_label():
    rss = [rset("v1", 3), rset("late", 0, version="v2", created=5), rset("early", 0, version="v2", created=3)]
    result = reconcile_deployment(deployment(3, 1, 0), rss, [], 100.0)
    assert sizes(result) == {"early": 1}
    assert NEW_NAME not in sizes(result)


def test_the_template_hash_is_deterministic_and_ignores_label_order_and_the_hash_label():
    reordered = replace(template(), labels={"version": "v2", **LABELS})
    hashed = replace(template(), labels={**template().labels, POD_TEMPLATE_HASH: "x"})
    assert template_hash(template()) == template_hash(reordered) == template_hash(hashed)
    assert template_hash(template("v3")) != template_hash(template())


def test_rolling_back_to_an_old_template_raises_that_rs_to_the_next_revision():
    rss = [rset("v1", 0, revision=1), rset("v2", 3, version="v2", created=1, revision=2)]
    result = reconcile_deployment(deployment(3, 1, 0, version="v1"), rss, [], 100.0)
    back = rs_puts(result)[0]
    assert back.name == "v1" and back.annotation(REVISION_ANNOTATION) == "3"
    assert back.annotation(REVISION_HISTORY_ANNOTATION) == "1"


# ---- one rolling step (§a.3) ---------------------------------------------------------------------


def test_at_most_one_scaling_step_per_sync_a_scale_up_returns_before_any_scale_down():
    rss = [rset("v1", 2), rset("v2", 1, version="v2", created=1)]
    result = reconcile_deployment(registry(3), rss, [], 100.0)
    assert steps(result) == [("scale-up", 1, 2)]


def test_derived_case_new_rs_unavailable_and_one_old_pod_failed_scales_nothing_down():
    # 10 replicas, maxUnavailable 2, maxSurge 3; new RS 5 none available; old RS 8, 1 failed.
    rss = [rset("v1", 8, available=7), rset("v2", 5, version="v2", created=1, available=0)]
    result = reconcile_deployment(deployment(10, 3, 2), rss, [], 100.0)
    assert rs_puts(result) == []


def test_unhealthy_old_replicas_are_removed_first_without_touching_available_ones():
    # replicas 3, surge 1, maxUnavailable 1: total 4, budget 4 - 2 - 1 = 1.
    rss = [rset("v1", 3, available=1), rset("v2", 1, version="v2", created=1, available=0)]
    result = reconcile_deployment(deployment(3, 1, 1), rss, [], 100.0)
    assert steps(result) == [("cleanup-unhealthy", 3, 2)]


def test_a_stale_old_rs_status_stalls_the_sync():
    # Old RS just scaled 3 -> 1; its status still reports 3 available (§a.3 subtlety).
    new = rset("v2", 3, version="v2", created=1, available=2)
    stale = reconcile_deployment(deployment(3, 1, 1), [rset("v1", 1, available=3), new], [], 100.0)
    fresh = reconcile_deployment(deployment(3, 1, 1), [rset("v1", 1, available=1), new], [], 100.0)
    assert rs_puts(stale) == []
    assert steps(fresh) == [("scale-down-old", 1, 0)]


def test_a_scaled_rs_gets_fresh_replicas_annotations_and_a_new_generation():
    rss = [rset("v1", 2), rset("v2", 1, version="v2", created=1, desired=3, max_replicas=4)]
    scaled = rs_puts(reconcile_deployment(registry(3), rss, [], 100.0))[0]
    assert (scaled.replicas, scaled.generation) == (2, 2)
    assert (scaled.annotation(DESIRED_REPLICAS_ANNOTATION), scaled.annotation(MAX_REPLICAS_ANNOTATION)) == ("3", "4")


def test_an_oversized_new_rs_is_scaled_down_to_replicas():
    rss = [rset("v2", 5, version="v2", desired=3)]
    assert steps(reconcile_deployment(deployment(3, 1, 0), rss, [], 100.0)) == [("scale-down-new", 5, 3)]


# ---- scaling events and pauses (§a.5) -------------------------------------------------------------


def test_a_scaling_event_scales_proportionally_instead_of_rolling():
    # Upstream TestScale "deployment with surge pods": surge 2, 10 -> 20 with 6/6 gives 11/11.
    rss = [rset("v1", 6, desired=10, max_replicas=12), rset("v2", 6, version="v2", created=1, desired=10, max_replicas=12)]
    result = reconcile_deployment(deployment(20, 2, 0), rss, [], 100.0)
    assert sizes(result) == {"v1": 11, "v2": 11}
    assert {s[0] for s in steps(result)} == {"proportional"}
    assert all(rs.annotation(DESIRED_REPLICAS_ANNOTATION) == "20" for rs in rs_puts(result))


def test_a_scaling_event_with_a_new_template_does_not_create_the_new_rs():
    # Upstream TestScale "change both size and template": 10 -> 14 over 7/3, no new RS yet.
    rss = [rset("v1", 3, desired=10, max_replicas=10), rset("v2", 7, version="v2", created=1, desired=10, max_replicas=10)]
    result = reconcile_deployment(deployment(14, 0, 0, version="v3"), rss, [], 100.0)
    assert sizes(result) == {"v1": 4, "v2": 10}


def test_a_scaling_event_does_not_estimate_progress():
    stuck = Condition(PROGRESSING, "True", "ReplicaSetUpdated", "", 0.0, 0.0)
    d = deployment(20, 2, 0, status=replace(complete(10), conditions=(stuck,)))
    rss = [rset("v1", 6, desired=10, max_replicas=12), rset("v2", 6, version="v2", created=1, desired=10, max_replicas=12)]
    result = reconcile_deployment(d, rss, [], 1000.0)
    assert progressing(status_put(result)) == stuck
    assert result.requeue_after is None


def test_a_paused_deployment_with_a_new_template_creates_nothing_and_reports_paused():
    result = reconcile_deployment(registry(3, paused=True, status=complete(3)), [rset("v1", 3, desired=3)], [], 100.0)
    assert rs_puts(result) == []
    cond = progressing(status_put(result))
    assert (cond.status, cond.reason) == ("Unknown", "DeploymentPaused")


def test_resuming_reports_deployment_resumed_and_the_deadline_counts_from_there():
    d = stuck("DeploymentPaused", "Unknown", updated=0.0, transition=0.0)
    result = reconcile_deployment(d, STUCK_RSS, [], 100.0)
    cond = progressing(status_put(result))
    assert (cond.status, cond.reason, cond.last_update_time) == ("Unknown", "DeploymentResumed", 100.0)
    assert result.requeue_after == pytest.approx(61.0)  # 100 + 60 - 100 + 1


# ---- Recreate (§a.4) --------------------------------------------------------------------------------


def test_recreate_first_scales_every_active_old_rs_to_zero_and_creates_nothing():
    rss = [rset("v0", 1, revision=1), rset("v1", 3, created=1, revision=2)]
    result = reconcile_deployment(deployment(3, strategy=RECREATE), rss, [], 100.0)
    assert sizes(result) == {"v0": 0, "v1": 0}
    assert {s[0] for s in steps(result)} == {"recreate-scale-down"}


@pytest.mark.parametrize("phase, deleted", [("Running", 95.0), ("Pending", None), ("Unknown", None), ("Running", None)])
def test_recreate_waits_while_an_old_pod_is_not_terminal(phase, deleted):
    old = rset("v1", 0, replicas=0)
    result = reconcile_deployment(deployment(3, strategy=RECREATE), [old], [pod("p", "v1", phase=phase, deleted=deleted)], 100.0)
    assert rs_puts(result) == []


def test_recreate_waits_while_an_old_rs_still_reports_replicas():
    result = reconcile_deployment(deployment(3, strategy=RECREATE), [rset("v1", 0, replicas=1)], [], 100.0)
    assert rs_puts(result) == []


@pytest.mark.parametrize("phase", ["Failed", "Succeeded"])
def test_recreate_creates_the_new_rs_at_full_size_once_old_pods_are_terminal(phase):
    old = rset("v1", 0, replicas=0)
    result = reconcile_deployment(deployment(3, strategy=RECREATE), [old], [pod("p", "v1", phase=phase, deleted=90.0)], 100.0)
    created = rs_puts(result)[0]
    assert (created.name, created.replicas, created.annotation(MAX_REPLICAS_ANNOTATION)) == (NEW_NAME, 3, "3")


def test_recreate_is_available_only_with_all_replicas():
    rss = [rset("v1", 0, replicas=0), rset("v2", 3, version="v2", created=1, available=2)]
    status = status_put(reconcile_deployment(deployment(3, strategy=RECREATE), rss, [], 100.0))
    assert find_condition(status.conditions, AVAILABLE).reason == "MinimumReplicasUnavailable"


# ---- status (§a.2) ------------------------------------------------------------------------------------


def test_status_sums_the_replicasets_and_counts_unavailable_against_spec():
    old = rset("v1", 1, replicas=2, ready=2, available=2)
    new = rset("v2", 3, version="v2", created=1, replicas=2, ready=1, available=0)
    s = status_put(reconcile_deployment(registry(3, generation=7), [old, new], [], 100.0))
    assert (s.observed_generation, s.replicas, s.updated_replicas, s.ready_replicas, s.available_replicas) == (7, 4, 2, 3, 2)
    assert s.unavailable_replicas == 2  # max(0, Σspec 4 - available 2)


@pytest.mark.parametrize("available, reason", [(1, "MinimumReplicasAvailable"), (0, "MinimumReplicasUnavailable")])
def test_available_needs_replicas_minus_max_unavailable(available, reason):
    # Registry replicas 3: maxUnavailable 2, so 1 available is enough.
    rss = [rset("v2", 3, version="v2", ready=available, available=available)]
    status = status_put(reconcile_deployment(registry(3), rss, [], 100.0))
    assert find_condition(status.conditions, AVAILABLE).reason == reason


def test_a_complete_deployment_in_steady_state_does_nothing():
    d = registry(3, generation=1, status=complete(3))
    result = reconcile_deployment(d, [rset("v2", 3, version="v2", desired=3, max_replicas=4)], [], 5000.0)
    assert result.actions == () and result.requeue_after is None


# ---- Progressing and the deadline (§a.6) ------------------------------------------------------------------

def test_at_the_deadline_exactly_the_rollout_has_not_timed_out():
    result = reconcile_deployment(stuck(), STUCK_RSS, [], 160.0)
    assert status_put(result) is None  # nothing changed


def test_strictly_after_the_deadline_progressing_turns_false_progress_deadline_exceeded():
    cond = progressing(status_put(reconcile_deployment(stuck(), STUCK_RSS, [], 160.5)))
    assert (cond.status, cond.reason, cond.last_transition_time) == ("False", "ProgressDeadlineExceeded", 160.5)


def test_a_stuck_rollout_is_requeued_at_last_update_plus_deadline_plus_one_second():
    assert reconcile_deployment(stuck(), STUCK_RSS, [], 130.0).requeue_after == pytest.approx(31.0)


def test_under_a_second_before_the_deadline_the_requeue_lands_just_after_it():
    assert reconcile_deployment(stuck(), STUCK_RSS, [], 159.5).requeue_after == pytest.approx(0.505)
    assert reconcile_deployment(stuck(), STUCK_RSS, [], 160.0).requeue_after == pytest.approx(0.005)


def test_progress_deadline_exceeded_stays_and_stops_the_requeue():
    result = reconcile_deployment(stuck("ProgressDeadlineExceeded", "False"), STUCK_RSS, [], 1000.0)
    assert status_put(result) is None and result.requeue_after is None


def test_progress_refreshes_last_update_and_keeps_the_transition_time():
    rss = [rset("v1", 1), rset("v2", 3, version="v2", created=1, available=3)]
    cond = progressing(status_put(reconcile_deployment(stuck(), rss, [], 150.0)))
    assert (cond.reason, cond.last_update_time, cond.last_transition_time) == ("ReplicaSetUpdated", 150.0, 50.0)


def test_progress_after_a_timeout_starts_a_new_transition():
    rss = [rset("v1", 1), rset("v2", 3, version="v2", created=1, available=3)]
    cond = progressing(status_put(reconcile_deployment(stuck("ProgressDeadlineExceeded", "False"), rss, [], 500.0)))
    assert (cond.status, cond.reason, cond.last_transition_time) == ("True", "ReplicaSetUpdated", 500.0)


def test_the_rollout_keeps_going_after_the_deadline():
    d = stuck("ProgressDeadlineExceeded", "False")
    rss = [rset("v1", 3), rset("v2", 0, version="v2", created=1)]
    assert steps(reconcile_deployment(d, rss, [], 1000.0)) == [("scale-up", 0, 1)]


def test_new_replicaset_available_never_times_out():
    # Complete long ago; one new pod has since become unavailable.
    d = registry(3, generation=1, status=complete(3, at=0.0))
    rss = [rset("v2", 3, version="v2", available=2, desired=3, max_replicas=4)]
    result = reconcile_deployment(d, rss, [], 100_000.0)
    assert progressing(status_put(result)).reason == "NewReplicaSetAvailable"
    assert result.requeue_after is None


def test_a_complete_rollout_sets_new_replicaset_available():
    rss = [rset("v1", 0, replicas=0), rset("v2", 3, version="v2", created=1)]
    cond = progressing(status_put(reconcile_deployment(stuck(), rss, [], 120.0)))
    assert (cond.status, cond.reason, cond.last_update_time) == ("True", "NewReplicaSetAvailable", 120.0)


def test_without_a_deadline_there_is_no_progressing_condition():
    status = status_put(reconcile_deployment(stuck(deadline=None), STUCK_RSS, [], 1000.0))
    assert progressing(status) is None


def test_ready_pods_waiting_for_min_ready_seconds_requeue_the_deployment():
    # minReadySeconds 10, a pod Ready since 95, now 100: the RS controller re-checks at 95 + 10 + 1.
    rs = rset("v2", 1, version="v2", ready=1, available=0, min_ready=10)
    d = deployment(1, 1, 0, deadline=None, min_ready=10, status=DeploymentStatus(2, 1, 1, 1, 0, 1, terminating_replicas=0))
    result = reconcile_deployment(d, [rs], [pod("p", "v2", since=95.0)], 100.0)
    assert result.requeue_after == pytest.approx(6.0)


# ---- revision history (§a.8) ---------------------------------------------------------------------------------


def history(count: int) -> list[ReplicaSet]:
    return [rset(f"old{i}", 0, replicas=0, revision=i, created=i) for i in range(1, count + 1)]


def test_surplus_empty_old_rss_are_deleted_when_the_stored_status_is_complete():
    d = registry(3, generation=1, history=2, status=complete(3))
    rss = [*history(4), rset("v2", 3, version="v2", created=10, revision=5, desired=3, max_replicas=4)]
    result = reconcile_deployment(d, rss, [], 100.0)
    assert [a.key for a in result.actions if isinstance(a, Delete)] == [f"{NS}/old1", f"{NS}/old2"]


def test_no_history_is_deleted_while_the_rollout_is_incomplete():
    d = registry(3, generation=2, history=0, status=complete(3))
    rss = [*history(2), rset("v2", 3, version="v2", created=10, revision=3, available=2, desired=3, max_replicas=4)]
    result = reconcile_deployment(d, rss, [], 100.0)
    assert not [a for a in result.actions if isinstance(a, Delete)]


# ---- whole rollouts: reconcile -> apply -> ReplicaSet controller -> kubelet -> ... --------------------------


class Cluster:
    """A tiny world: the Deployment, its ReplicaSets (driven by the real ReplicaSet
    controller), pods that start Ready one second after creation and vanish two seconds
    after deletion."""

    GRACE = 2.0

    def __init__(self, d: Deployment, old: ReplicaSet):
        self.d, self.rss, self.now, self.notes = d, {old.name: old}, 0.0, []
        self.pods = {f"{NS}/old-{i}": pod(f"old-{i}", old.name) for i in range(old.replicas)}
        self.names = itertools.count(1)

    def tick(self) -> None:
        self.now += 1
        self.kubelet()
        self.settle()
        self.apply(reconcile_deployment(self.d, list(self.rss.values()), list(self.pods.values()), self.now).actions)
        self.settle()

    def kubelet(self) -> None:
        for key, p in list(self.pods.items()):
            if p.status.deleted is not None and p.status.deleted + self.GRACE <= self.now:
                del self.pods[key]
            elif p.status.phase == "Pending":
                self.pods[key] = replace(p, status=replace(p.status, phase="Running", ready=True, ready_since=self.now))

    def settle(self) -> None:
        for _ in range(5):
            before = (dict(self.pods), dict(self.rss))
            for rs in list(self.rss.values()):
                pods = pods_of(rs, self.pods.values())
                self.apply(reconcile_replicaset(rs, pods, self.now, lambda: f"pod-{next(self.names)}").actions)
            if (self.pods, self.rss) == before:
                return

    def apply(self, actions) -> None:
        for action in actions:
            if isinstance(action, Note):
                self.notes.append((action.details["replicaset"] == self.d.name + "-v1", action.details["step"],
                                   action.details["from"], action.details["to"]))
            elif isinstance(action, DeletePod):
                p = self.pods[action.key]
                self.pods[action.key] = replace(p, status=replace(p.status, deleted=self.now))
            elif isinstance(action, Put) and isinstance(action.obj, PodRecord):
                self.pods[action.obj.key] = action.obj
            elif isinstance(action, Put) and isinstance(action.obj, ReplicaSet):
                self.rss[action.obj.name] = action.obj
            elif isinstance(action, Put):
                self.d = action.obj

    def live(self) -> list[PodRecord]:
        return [p for p in self.pods.values() if p.status.deleted is None and p.status.phase not in ("Succeeded", "Failed")]

    def done(self) -> bool:
        status, cond = self.d.status, progressing(self.d.status)
        observed = status.observed_generation >= self.d.generation and status.updated_replicas == self.d.spec.replicas
        return observed and cond is not None and cond.reason == "NewReplicaSetAvailable"


def start(d: Deployment) -> Cluster:
    old = rset(f"{NAME}-v1", d.spec.replicas)
    return Cluster(replace(d, status=complete(d.spec.replicas)), old)


@pytest.mark.parametrize("replicas", [1, 2, 3, 6])
def test_image_registry_rollout_keeps_availability_and_surge_bounds_at_every_step(replicas):
    cluster = start(registry(replicas))
    spec = cluster.d.spec
    floor, ceiling = replicas - max_unavailable(spec), replicas + max_surge(spec)
    for _ in range(30):
        cluster.tick()
        available = sum(p.available(0, cluster.now) for p in cluster.live())
        assert available >= floor, f"t={cluster.now}: {available} available < {floor}"
        assert len(cluster.live()) <= ceiling, f"t={cluster.now}: {len(cluster.live())} pods > {ceiling}"
        assert sum(rs.replicas for rs in cluster.rss.values()) <= ceiling
        if cluster.done():
            break
    assert cluster.done()
    assert {rs.name: rs.replicas for rs in cluster.rss.values()} == {f"{NAME}-v1": 0, NEW_NAME: replicas}
    assert all(status_of(rs, cluster.pods.values(), cluster.now) == rs.status for rs in cluster.rss.values())


def test_image_registry_rollout_of_2_replicas_step_by_step():
    # Registry replicas 2: maxSurge 1, maxUnavailable 1 (spec/registry-operator.md §2.2).
    cluster = start(registry(2))
    while not cluster.done() and cluster.now < 30:
        cluster.tick()
    assert cluster.notes == [
        (False, "create", 0, 1),
        (True, "scale-down-old", 2, 1),
        (False, "scale-up", 1, 2),
        (True, "scale-down-old", 1, 0),
    ]


def test_recreate_rollout_never_runs_old_and_new_pods_together():
    cluster = start(deployment(3, strategy=RECREATE))
    for _ in range(30):
        cluster.tick()
        owners = {p.pod.controller_owner().name for p in cluster.pods.values()}
        assert not ({f"{NAME}-v1", NEW_NAME} <= owners), f"t={cluster.now}: old and new pods together"
        if cluster.done():
            break
    assert cluster.done()
    assert cluster.notes == [(True, "recreate-scale-down", 3, 0), (False, "create", 0, 3)]
