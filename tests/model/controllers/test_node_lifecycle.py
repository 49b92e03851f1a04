"""Node health, Ready-derived taints, the rate-limited NoExecute queue and whole monitor
passes, from `spec/lifecycle.md` §0 and §b (upstream node_lifecycle_controller.go,
rate_limited_queue.go), ending with the worked single-node-crash timeline."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from builders import node

from twin.model.controllers.node_lifecycle import (
    FULL_DISRUPTION,
    NORMAL,
    LifecycleState,
    NodeHealth,
    NodeLifecycleConfig,
    NoExecuteQueue,
    RateLimiter,
    drain,
    evaluate_health,
    monitor_grace_period,
    monitor_pass,
    no_execute_taint,
    no_schedule_taints,
    observe_heartbeat,
    observe_lease,
    process_taint_based_eviction,
    tainting_pass,
    with_no_execute_taint,
    with_no_schedule_taints,
)
from twin.model.controllers.taint_eviction import reschedule, with_default_tolerations
from twin.model.objects import Pod, Taint, Toleration

T, F, U = "True", "False", "Unknown"
NOT_READY, UNREACHABLE = "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"
NOT_READY_NE, UNREACHABLE_NE = Taint(NOT_READY, effect="NoExecute"), Taint(UNREACHABLE, effect="NoExecute")


@pytest.mark.parametrize("minor, grace", [(28, 40.0), (31, 40.0), (32, 50.0), (34, 50.0), (36, 50.0)])
def test_the_monitor_grace_period_is_40_s_up_to_1_31_and_50_s_from_1_32(minor, grace):
    assert monitor_grace_period(minor) == grace
    assert NodeLifecycleConfig.for_kubernetes(minor).monitor_grace_period == grace


def unknown_at(last_heartbeat: float, grace: float) -> float:
    """The first 5 s monitor tick at which a node whose heartbeats stopped is Unknown."""
    health = observe_heartbeat(NodeHealth.registered(0.0), last_heartbeat, True)
    tick = 5.0 * math.ceil(last_heartbeat / 5.0)
    while evaluate_health(health, tick, grace).ready == T:
        tick += 5.0
    return tick


@pytest.mark.parametrize(
    "last_heartbeat, grace, detected",
    [
        pytest.param(93.0, 50.0, 145.0, id="a heartbeat 2 s before a tick is detected 52 s later"),
        pytest.param(94.9, 50.0, 145.0, id="a heartbeat just before a tick is detected 50.1 s later"),
        pytest.param(95.0, 50.0, 150.0, id="a heartbeat on a tick is detected 55 s later: the comparison is strict"),
        pytest.param(93.0, 40.0, 135.0, id="with the 1.31 grace the same heartbeat is detected 42 s later"),
    ],
)
def test_detection_latency_is_grace_plus_up_to_one_monitor_period(last_heartbeat, grace, detected):
    assert unknown_at(last_heartbeat, grace) == detected
    assert grace < detected - last_heartbeat <= grace + 5.0


def test_a_node_that_never_posts_status_gets_the_startup_grace_and_reason_never_updated():
    health = NodeHealth.registered(0.0)
    assert evaluate_health(health, 60.0, 50.0).ready is None
    later = evaluate_health(health, 65.0, 50.0)
    assert (later.ready, later.reason, later.transition_time, later.ever_posted) == (U, "NodeStatusNeverUpdated", 65.0, False)


def test_a_silent_node_gets_reason_node_status_unknown_once():
    health = evaluate_health(observe_heartbeat(NodeHealth.registered(0.0), 10.0, True), 65.0, 50.0)
    assert (health.ready, health.reason, health.transition_time) == (U, "NodeStatusUnknown", 65.0)
    assert evaluate_health(health, 200.0, 50.0) == health


def test_lease_renewals_keep_a_node_ready_without_a_status_post():
    health = observe_heartbeat(NodeHealth.registered(0.0), 0.0, True)
    for renewal in range(10, 300, 10):
        health = evaluate_health(observe_lease(health, float(renewal)), renewal + 5.0, 50.0)
    assert (health.ready, health.transition_time) == (T, 0.0)


def test_a_returning_kubelet_makes_the_node_ready_with_a_new_transition_time():
    down = evaluate_health(observe_heartbeat(NodeHealth.registered(0.0), 0.0, True), 55.0, 50.0)
    back = observe_heartbeat(down, 80.0, True)
    assert (back.ready, back.probe_time, back.transition_time, back.reason) == (T, 80.0, 80.0, "KubeletReady")


@pytest.mark.parametrize(
    "ready, no_schedule, no_execute",
    [
        pytest.param(F, (Taint(NOT_READY),), NOT_READY_NE, id="Ready False gives not-ready"),
        pytest.param(U, (Taint(UNREACHABLE),), UNREACHABLE_NE, id="Ready Unknown gives unreachable"),
        pytest.param(T, (), None, id="Ready True gives no taint"),
        pytest.param(None, (), None, id="an absent Ready condition gives no taint"),
    ],
)
def test_taints_derived_from_the_ready_condition(ready, no_schedule, no_execute):
    assert (no_schedule_taints(ready), no_execute_taint(ready)) == (no_schedule, no_execute)


def test_the_no_schedule_pass_replaces_only_the_ready_derived_taints():
    taints = (Taint("dedicated", "infra"), Taint(NOT_READY), NOT_READY_NE)
    assert with_no_schedule_taints(taints, U) == (Taint("dedicated", "infra"), NOT_READY_NE, Taint(UNREACHABLE))
    assert with_no_schedule_taints(taints, T) == (Taint("dedicated", "infra"), NOT_READY_NE)


def admitted_times(qps: float, until: float, queued: int = 5) -> list[float]:
    """Drain a queue of `queued` Unknown nodes every 100 ms (float ticks, as a shell would
    compute them) and return when each one was tainted."""
    queue, times = NoExecuteQueue.new(0.0, qps), []
    for i in range(queued):
        queue = queue.add(f"n{i}", 0.0)
    ready = {f"n{i}": U for i in range(queued)}
    for tick in range(int(until * 10) + 1):
        queue, swaps = drain(queue, tick * 0.1, ready)
        times.extend(round(tick * 0.1, 6) for _ in swaps)
    return times


def test_a_token_bucket_at_0_1_qps_admits_one_node_every_10_s():
    assert admitted_times(0.1, 30.0) == [0.0, 10.0, 20.0, 30.0]


def test_a_zero_qps_limiter_never_admits():
    assert admitted_times(0.0, 600.0) == []
    assert RateLimiter(0.0).ready_at() is None


def test_swapping_the_rate_keeps_a_full_bucket_full_and_an_empty_bucket_empty():
    full = RateLimiter.full(0.1, 0.0)
    assert full.with_rate(0.01, 5.0).try_take(5.0)[0]
    empty = full.try_take(0.0)[1]
    swapped = empty.with_rate(0.01, 5.0)
    assert not swapped.try_take(5.0)[0] and swapped.ready_at() == 105.0
    assert empty.with_rate(0.1, 5.0) is empty  # same qps: nothing changes


def test_leaving_a_zero_rate_starts_with_an_empty_bucket():
    stopped = RateLimiter.full(0.1, 0.0).with_rate(0.0, 0.0)
    resumed = stopped.with_rate(0.1, 100.0)
    assert not resumed.try_take(100.0)[0] and resumed.try_take(110.0)[0]


def test_upstream_quirk_a_stopped_limiter_ignores_a_swap_to_exactly_1_qps():
    stopped = RateLimiter.full(0.1, 0.0).with_rate(0.0, 0.0)
    assert stopped.with_rate(1.0, 10.0) is stopped


def test_the_pass_that_turns_a_node_unknown_does_not_queue_it_the_next_pass_does():
    queue = NoExecuteQueue.new(0.0)
    queue, _ = process_taint_based_eviction(queue, "n", (), T, U, 145.0)
    assert queue.names == ()
    queue, _ = process_taint_based_eviction(queue, "n", (), U, U, 150.0)
    assert queue.names == ("n",)


def test_a_kubelet_reported_not_ready_is_queued_in_the_pass_that_sees_it():
    queue, _ = process_taint_based_eviction(NoExecuteQueue.new(0.0), "n", (), F, F, 10.0)
    assert queue.names == ("n",)


def test_ready_again_removes_both_taints_and_the_queue_entry_at_once():
    queue = NoExecuteQueue.new(0.0).add("n", 0.0)
    queue, taints = process_taint_based_eviction(queue, "n", (NOT_READY_NE, Taint("keep")), T, T, 5.0)
    assert (queue.names, queue.members, taints) == ((), frozenset(), (Taint("keep"),))


@pytest.mark.parametrize(
    "observed, taint, swapped",
    [
        pytest.param(U, NOT_READY_NE, UNREACHABLE_NE, id="False to Unknown swaps not-ready for unreachable"),
        pytest.param(F, UNREACHABLE_NE, NOT_READY_NE, id="Unknown to False swaps unreachable for not-ready"),
    ],
)
def test_a_tainted_node_swaps_its_taint_key_instantly_without_the_queue(observed, taint, swapped):
    queue = NoExecuteQueue.new(0.0, qps=0.0)  # a stopped limiter does not matter
    queue, taints = process_taint_based_eviction(queue, "n", (taint,), observed, observed, 5.0)
    assert taints == (swapped,) and queue.names == ()


def test_a_waiting_node_moves_to_the_back_each_pass_and_a_tainted_one_is_not_queued_again():
    queue = NoExecuteQueue.new(0.0, qps=0.0).add("a", 0.0).add("b", 0.0)
    queue, _ = process_taint_based_eviction(queue, "a", (), U, U, 5.0)
    assert queue.names == ("b", "a")
    tainted = NoExecuteQueue.new(0.0)
    tainted, _ = drain(tainted.add("c", 0.0), 0.0, {"c": U})
    tainted, _ = process_taint_based_eviction(tainted, "c", (UNREACHABLE_NE,), U, U, 5.0)
    assert tainted.names == () and "c" in tainted.members


def test_the_taint_follows_the_current_status_and_gone_or_ready_nodes_leave_without_one():
    queue = NoExecuteQueue.new(0.0, qps=10.0)
    for name in ("flipped", "gone", "healed"):
        queue = queue.add(name, 0.0)
    swaps = []
    for now in (1.0, 1.1, 1.2):  # burst 1: one head per token, even at 10 qps
        queue, more = drain(queue, now, {"flipped": F, "healed": T})
        swaps += more
    assert [(s.node, s.taint) for s in swaps] == [("flipped", NOT_READY_NE)] and queue.names == ()
    assert queue.members == {"flipped", "gone", "healed"}  # processed nodes stay in the uniqueness set


def test_a_queued_node_without_a_ready_condition_is_retried_50_ms_later():
    queue = NoExecuteQueue.new(0.0, qps=100.0).add("n", 0.0)
    queue, swaps = drain(queue, 0.0, {"n": None})
    assert swaps == () and queue.waiting[0].process_at == pytest.approx(0.05)
    assert drain(queue, 0.1, {"n": U})[1][0].taint == UNREACHABLE_NE


# ---- whole passes: a minimal shell -------------------------------------------------------


def simulate(nodes, until, crash=None, recover=None, config=NodeLifecycleConfig()):
    """Leases every 10 s at offset 3 s (a returning kubelet posts Ready first), monitor
    passes every 5 s, tainting passes every 100 ms; time counted in 100 ms ticks."""
    crash, recover = crash or {}, recover or {}
    nodes = dict(nodes)
    state = LifecycleState({n: observe_heartbeat(NodeHealth.registered(0.0), 0.0, True) for n in nodes})
    log = []
    for tick in range(int(until * 10) + 1):
        now = tick / 10
        if tick % 100 == 30:
            state = replace(state, health={n: beat(h, now, crash.get(n), recover.get(n)) for n, h in state.health.items()})
        if tick % 50 == 0:
            result = monitor_pass(state, nodes, now, config)
            state = result.state
            nodes = {n: replace(nd, taints=result.taints.get(n, nd.taints), ready=state.health[n].ready)
                     for n, nd in nodes.items()}
            log += [(now, "NotReady", n) for n in result.went_not_ready]
            log += [(now, "entered", "")] * result.decision.entered_master_disruption
            log += [(now, "left", "")] * result.decision.left_master_disruption
        queues, swaps = tainting_pass(state.queues, now, {n: nd.ready for n, nd in nodes.items()})
        state = replace(state, queues=queues)
        for swap in swaps:
            nodes[swap.node] = replace(nodes[swap.node], taints=with_no_execute_taint(nodes[swap.node].taints, swap.taint))
            log.append((now, swap.taint.key, swap.node))
    return state, nodes, log


def beat(health, now, crashed_at, recovered_at):
    if crashed_at is not None and crashed_at <= now < (recovered_at or math.inf):
        return health
    return observe_lease(health, now) if health.ready == T else observe_heartbeat(health, now, True)


def zone_nodes(*names):
    return {name: node(name).zone("z1").label("topology.kubernetes.io/region", "r").build() for name in names}


def test_worked_timeline_a_single_node_crash_on_kubernetes_1_32():
    state, nodes, log = simulate(zone_nodes("n1", "n2", "n3"), until=460.0, crash={"n1": 95.0})
    assert log == [(145.0, "NotReady", "n1"), (150.0, UNREACHABLE, "n1")]
    assert nodes["n1"].taints == (Taint(UNREACHABLE), UNREACHABLE_NE)
    assert state.zone_states == {"r:\x00:z1": NORMAL}
    registry = with_default_tolerations(Pod("image-registry-1", "openshift-image-registry", node_name="n1"))
    node_ca = Pod("node-ca-1", "openshift-image-registry", node_name="n1", tolerations=(Toleration(operator="Exists"),))
    deleted_at = reschedule(None, registry, nodes["n1"].taints, 150.0).fire_at
    assert deleted_at == 450.0 and reschedule(None, node_ca, nodes["n1"].taints, 150.0) is None
    assert (145.0 - 93.0, deleted_at - 95.0) == (52.0, 355.0)  # Unknown 52 s after the last lease; ~5.9 min in all
    assert 5.8 < (deleted_at - 95.0) / 60 < 6.0


def test_two_nodes_failing_together_are_tainted_10_s_apart():
    _, _, log = simulate(zone_nodes("a", "b", "c", "d", "e"), until=200.0, crash={"a": 95.0, "b": 95.0})
    assert [(t, n) for t, key, n in log if key == UNREACHABLE] == [(150.0, "a"), (160.0, "b")]


def test_a_single_zone_cluster_never_evicts_when_all_its_nodes_fail():
    state, nodes, log = simulate(zone_nodes("a", "b", "c"), until=1200.0, crash={n: 95.0 for n in "abc"})
    assert (145.0, "entered", "") in log
    assert state.zone_states == {"r:\x00:z1": FULL_DISRUPTION}
    assert not any(t.effect == "NoExecute" for nd in nodes.values() for t in nd.taints)
    assert state.queues["r:\x00:z1"].names == ("a", "b", "c")  # queued again, but the limiter is stopped


def test_leaving_master_disruption_resets_every_probe_and_transition_timestamp():
    state, _, log = simulate(zone_nodes("a", "b", "c"), until=1310.0, crash={n: 95.0 for n in "abc"},
                             recover={"a": 1200.0})
    assert (1205.0, "left", "") in log
    assert {n: (h.probe_time, h.transition_time) for n, h in state.health.items() if n != "a"} == {
        "b": (1205.0, 1205.0), "c": (1205.0, 1205.0)}
    assert (1215.0, UNREACHABLE, "b") in log and (1225.0, UNREACHABLE, "c") in log  # the new bucket starts empty


def test_entering_master_disruption_removes_the_no_execute_taints_already_placed():
    nodes = {n: replace(nd, taints=(UNREACHABLE_NE,)) for n, nd in zone_nodes("a", "b").items()}
    down = {n: replace(observe_heartbeat(NodeHealth.registered(0.0), 0.0, True), ready=U) for n in nodes}
    result = monitor_pass(LifecycleState(down, {"r:\x00:z1": NORMAL}), nodes, 100.0)
    assert result.decision.entered_master_disruption
    assert result.taints == {"a": (Taint(UNREACHABLE),), "b": (Taint(UNREACHABLE),)}
