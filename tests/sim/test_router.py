"""The ingress router hop (`twin/sim/traffic/router.py`) in the data plane: balancing,
connect timeouts with redispatch, health checks, `timeout server` and 502, each against
the HAProxy/openshift-router behaviour `model/registry/router.py` cites."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sim.planes import WORK_KIND, Ended, plane, pod
from twin.model.registry.batch import Client
from twin.model.registry.router import RouterParams
from twin.model.registry.settings import Limits, RegistrySettings
from twin.sim.traffic.exchange import CALL, Connection, Req
from twin.sim.traffic.router import Router


def routed(params: RouterParams = RouterParams(), pods: int = 2, settings_: RegistrySettings = RegistrySettings()):
    p = plane()
    servers = [pod(p, f"registry-{i}", settings_, node=f"node-{i}") for i in range(pods)]
    p.router = Router(p, params, np.random.default_rng(7))
    p.router.reload(0.0)
    return p, servers


def send(p, t: float, owner: Ended, work: float = 0.001) -> None:
    def go(now: float) -> None:
        r = Req(WORK_KIND, 0, Client.PULL, owner)
        r.cpu = work
        conn = Connection()
        conn.routed = True
        p.send(r, conn)
    p.schedule(t, CALL, go)


def test_a_connect_to_a_pod_on_a_dead_node_times_out_after_5_s_and_is_redispatched_to_the_other_pod():
    """timeout connect 5s (RTR template defaults); stream_choose_redispatch: random is not a
    hash algorithm and two servers are up, so the retry goes to another server at once."""
    p, _ = routed(RouterParams(check_interval=1000.0))
    p.unreachable.add("registry-0")
    heard = Ended()
    for i in range(40):
        send(p, 1.0 + i * 0.01, heard)
    p.run_until(100.0)
    waits = sorted(round(r.end - r.time, 3) for r in heard.requests)
    assert all(r.code == 200 for r in heard.requests)
    assert {w for w in waits if w >= 1} == {5.001}  # those that drew the dead pod first: 5 s, then served
    assert any(w < 1 for w in waits)
    assert p.router.counts["redispatches"] == p.router.counts["connect_failed"] > 0


def test_with_one_server_a_dead_pod_gets_four_connect_attempts_then_503():
    """retries 3 (HAProxy CONN_RETRIES): 4 attempts of 5 s each, then 503."""
    p, _ = routed(pods=1)
    p.unreachable.add("registry-0")
    heard = Ended()
    send(p, 0.0, heard)
    p.run_until(100.0)
    (r,) = heard.requests
    assert (r.code, r.end - r.time) == (503, pytest.approx(20.0))


def test_a_router_without_servers_answers_503_at_once():
    p, _ = routed(pods=0)
    heard = Ended()
    send(p, 0.0, heard)
    p.run_until(1.0)
    assert [(r.code, r.end) for r in heard.requests] == [(503, 0.0)]


def test_without_an_admitted_route_the_router_answers_503():
    p, _ = routed(RouterParams(admitted=False))
    heard = Ended()
    send(p, 0.0, heard)
    p.run_until(1.0)
    assert [r.code for r in heard.requests] == [503]


def test_health_checks_mark_a_pod_on_a_dead_node_down_after_three_failed_checks():
    """check inter 5000ms, fall 3, each failed check taking its 5 s connect timeout, the next
    starting inter after the previous ended (check.c): DOWN 25-30 s after the failure."""
    p, _ = routed()
    p.run_until(10.0)
    p.unreachable.add("registry-0")
    p.run_until(10.0 + 24.999)
    assert p.router.down == set()
    p.run_until(10.0 + 30.0)
    assert p.router.down == {"registry-0"} and p.router.up == ["registry-1"]


def test_a_reload_starts_every_server_up_again():
    """No server-state file in the template: a reload forgets the checks' verdicts."""
    p, _ = routed()
    p.unreachable.add("registry-0")
    p.run_until(40.0)
    assert p.router.down == {"registry-0"}
    p.router.endpoints_changed()
    assert p.router.down == set()


def test_endpoint_changes_within_the_reload_interval_are_coalesced_into_one_reload():
    p, _ = routed()
    p.run_until(2.0)
    p.endpoints = ["registry-1"]
    p.router.endpoints_changed()
    assert p.router.servers == ["registry-0", "registry-1"]  # the reload at 0 was 2 s ago
    p.run_until(5.001)
    assert p.router.servers == ["registry-1"] and p.router.counts["reloads"] == 2


def test_a_request_queued_past_the_server_timeout_gets_504_and_leaves_the_registrys_queue_with_429():
    """timeout server 30s; the registry's limiter returns on ctx.Done() (limiter.go `Start`)."""
    limited = RegistrySettings(read=Limits(1, 10, 0.0))
    p, (server,) = routed(pods=1, settings_=limited)
    heard = Ended()
    send(p, 0.0, heard, work=100.0)  # holds the only read slot for 100 s
    send(p, 1.0, heard)
    p.run_until(40.0)
    assert [(r.code, r.end) for r in heard.requests] == [(504, 30.0), (504, 31.0)]
    p.run_until(200.0)
    assert len(heard.requests) == 2  # the pod's late answers reach nobody
    assert sorted(r.code for r in server.unheard) == [200, 429]
    assert server.done == [] and p.router.in_flight == 0


def test_the_random_algorithm_prefers_the_server_with_fewer_requests_in_flight():
    p, _ = routed()
    p.router.served = {"registry-0": 5, "registry-1": 0}
    picks = [p.router.pick(None) for _ in range(200)]
    # two draws: registry-0 wins only when both land on it (about a quarter of the time)
    assert 20 < picks.count("registry-0") < 80


def test_a_pod_killed_before_its_first_byte_gives_the_client_502():
    p, (server, _) = routed(RouterParams(check_interval=1000.0))
    heard = Ended()
    p.router.up = ["registry-0"]
    send(p, 0.0, heard, work=10.0)
    p.run_until(1.0)
    p.kill(server)
    p.run_until(2.0)
    assert [r.code for r in heard.requests] == [502]


@settings(max_examples=25, deadline=None)
@given(works=st.lists(st.floats(0.001, 80.0), min_size=1, max_size=8), timeout=st.floats(1.0, 40.0))
def test_no_request_through_the_router_waits_past_the_server_timeout_without_a_504(works, timeout):
    p, _ = routed(RouterParams(server_timeout=timeout), pods=1, settings_=RegistrySettings(read=Limits(1, 100, 0.0)))
    heard = Ended()
    for i, work in enumerate(works):
        send(p, i * 0.5, heard, work=work)
    p.run_until(1000.0)
    assert len(heard.requests) == len(works)
    for r in heard.requests:
        waited = r.end - r.time
        assert waited <= timeout + 1e-6
        if r.code == 504:  # answered by the router exactly at the timeout
            assert abs(waited - timeout) <= 1e-6
        else:  # answered before it; a response in the very instant the timer fires is a tie either may win
            assert waited <= timeout + 1e-9
