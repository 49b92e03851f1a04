"""Clients in the data plane (`twin/sim/traffic/sessions.py`, `spec/capacity.md` §1, §3):
containers/image pulls and pushes, closed loop, over keep-alive connections."""

from __future__ import annotations

import pytest

from tests.sim.planes import BARE, plane, pod
from twin.model.registry.batch import Client
from twin.model.registry.catalogue import Image
from twin.model.registry.clients import ClientPolicy
from twin.model.registry.requests import Kind
from twin.model.registry.resources.nodes import NetworkSpec
from twin.model.registry.service import Latency, ServiceParams, StorageOp
from twin.model.registry.settings import Limits, RegistrySettings
from twin.sim.traffic.exchange import CALL
from twin.sim.traffic.sessions import PullSession, PushSession

MS = 0.001
STORAGE_10MS = ServiceParams(cpu=BARE.cpu, review_latency=None, tls_handshake=0.0, cpu_per_byte=0.0,
                             storage_latency={op: Latency(10 * MS, 10 * MS) for op in StorageOp})
IMAGE = Image("r/app:1", "r/app", "1", manifest_bytes=1000, config=100, config_bytes=2000, layers=(1, 2, 3),
              layer_bytes=(9_000_000, 18_000_000, 27_000_000))


LANES_AT_END: dict[int, int] = {}


def started(p, kind, then=None, **kw):
    """A session started at 0; `ended` collects when each image ended; `then(session)` is
    called at each end (as a client going on with its next image would)."""
    ended = []

    def done(s, now):
        ended.append(now)
        LANES_AT_END[id(s)] = len(s.lanes)
        if then is not None:
            then(s)

    session = kind(p, kw.pop("client", Client.PULL), kw.pop("policy", ClientPolicy(bandwidth=9_000_000)), IMAGE,
                   done, **kw)
    p.schedule(0.0, CALL, lambda now: session.start())
    return session, ended


def kinds_of(p) -> list[str]:
    rows = sorted((r for s in [*p.servers.values(), *p.retired] for r in s.done), key=lambda r: r.id)
    return [Kind(r.kind).name.lower() for r in rows]


def test_a_pull_pings_gets_a_token_and_the_manifest_then_fetches_blobs_in_parallel_lanes():
    # Storage 10 ms per operation: ping 0, token 0, manifest 10 ms (GetContent), then 4
    # blob GETs at once on 4 lanes (Stat 10 ms, then URLFor's 10 ms of signing on one of
    # the pod's 4 cores, then 307), each fetched from the object store at 9 MB/s after
    # its first byte (Reader latency, 10 ms): the 27 MB layer is the last, at
    # 0.01 + 0.02 + 0.01 + 3 s.
    p = plane(service=STORAGE_10MS)
    pod(p, cores=4.0)
    session, ended = started(p, PullSession, blobs=list(zip(IMAGE.layers, IMAGE.layer_bytes)))
    p.run_until(100.0)
    assert kinds_of(p) == ["ping", "token_get", "manifest_get"] + ["blob_get"] * 4
    assert session.ok and ended == [pytest.approx(3.04)]
    assert LANES_AT_END[id(session)] == 4 and session.bytes == 2000 + 54_000_000
    assert session.lanes == []  # the client let go of its connections


def test_a_kubelet_pull_downloads_redirected_blobs_through_its_node_link():
    # The node's link: 20 MB/s, no burst; the 3 layers share it (9 + 18 + 27 MB) with the
    # config (2 kB): 54 MB at 20 MB/s once they overlap, about 2.7 s after the 307s.
    p = plane(service=STORAGE_10MS, network=NetworkSpec.of(20e6))
    pod(p, cores=4.0)
    session, ended = started(p, PullSession, client=Client.KUBELET, node="worker-1",
                             blobs=list(zip(IMAGE.layers, IMAGE.layer_bytes)))
    p.run_until(100.0)
    assert session.ok and ended[0] == pytest.approx(0.01 + 0.02 + 0.01 + 54_002_000 / 20e6, abs=0.002)
    assert "worker-1" in p.links and p.links["worker-1"].done_work == pytest.approx(54_002_000)


def test_a_429_is_retried_after_the_registrys_retry_after_up_to_five_tries_then_fails_the_pull():
    # One read slot, no queue, held by a 100 s request: every try of the ping gets 429.
    p = plane()
    pod(p, settings=RegistrySettings(read=Limits(1, 0)), cores=1.0)
    from tests.sim.planes import send_at
    send_at(p, 0.0, work=100.0)
    session, ended = started(p, PullSession, blobs=[])
    p.run_until(50.0)
    pings = [r for r in p.servers["registry-0"].done if r.kind == Kind.PING]
    assert [round(r.time, 6) for r in pings] == [0.0, 1.0, 2.0, 3.0, 4.0]  # Retry-After: 1, 5 tries
    assert session.failed and session.code == 429 and ended == [4.0]


def test_without_retry_after_the_back_off_doubles_from_two_seconds():
    p = plane()
    pod(p, settings=RegistrySettings(read=Limits(1, 0)), cores=1.0)
    from tests.sim.planes import send_at
    send_at(p, 0.0, work=100.0)
    session, _ = started(p, PullSession, blobs=[], policy=ClientPolicy(honour_retry_after=False))
    p.run_until(50.0)
    pings = [r for r in p.servers["registry-0"].done if r.kind == Kind.PING]
    assert [round(r.time, 6) for r in pings] == [0.0, 2.0, 6.0, 14.0, 30.0]


@pytest.mark.parametrize("kind, retried", [(Kind.UPLOAD_CHUNK, False), (Kind.MANIFEST_PUT, False),
                                            (Kind.UPLOAD_START, True), (Kind.UPLOAD_COMMIT, True),
                                            (Kind.BLOB_HEAD, True), (Kind.TOKEN_GET, False)])
def test_only_requests_without_a_body_go_through_the_429_loop(kind, retried):
    """docker_client.go retries a 429 only for requests without a body (PATCH and the
    manifest PUT carry one); the token request does not go through that loop."""
    from twin.sim.traffic.exchange import Req
    p = plane()
    session, ended = started(p, PushSession, new=[True, True, True])
    r = Req(kind, 0, Client.PUSH, session.lanes[0])
    r.code = 429
    session.answered(session.lanes[0], r, 0.0)
    assert (not session.failed, p.pending) == ((True, 2) if retried else (False, 1))  # the start, and a retry


def test_a_push_heads_each_blob_and_uploads_only_those_the_registry_lacks_then_the_manifest():
    p = plane()
    pod(p)
    session, ended = started(p, PushSession, new=[True, False, False], policy=ClientPolicy(lanes=1))
    p.run_until(100.0)
    assert session.ok
    assert kinds_of(p) == ["ping", "token_get",
                           "blob_head", "upload_start", "upload_chunk", "upload_commit",  # layer 1, new
                           "blob_head", "blob_head",  # layers 2 and 3, present: 307
                           "blob_head", "upload_start", "upload_chunk", "upload_commit",  # the config blob
                           "manifest_put"]


def test_keep_alive_pins_a_client_to_the_pod_its_connection_was_balanced_to():
    """The Service balances connections, not requests (`spec/capacity.md` §3): a client
    pulling many images over one lane keeps sending to one replica."""
    p = plane()
    pod(p, "registry-0")
    pod(p, "registry-1")
    again = iter(range(20))

    def go_on(s):
        if next(again, None) is not None:
            s.restart(IMAGE, [])

    session, ended = started(p, PullSession, then=go_on, blobs=[], policy=ClientPolicy(lanes=1))
    p.run_until(100.0)
    assert len(ended) == 21
    served = {key: len(s.done) for key, s in p.servers.items()}
    assert sorted(served.values()) == [0, 4 + 20 * 2]  # ping, token, manifest, config; then manifest, config


def test_after_shutdown_begins_the_next_request_goes_over_a_new_connection():
    from tests.sim.planes import Ended
    from twin.sim.traffic.exchange import Connection, Req
    p = plane()
    old = pod(p, "registry-0")
    conn, owner = Connection(), Ended()
    p.schedule(0.0, CALL, lambda now: p.send(Req(Kind.TOKEN_GET, 0, 0, owner), conn))
    p.run_until(5.0)
    pod(p, "registry-1")
    p.endpoints = ["registry-1"]
    p.schedule(6.0, CALL, lambda now: p.send(Req(Kind.TOKEN_GET, 0, 0, owner), conn))
    p.run_until(7.0)
    old.accepting = False  # SIGTERM: Shutdown closes the listener and idle connections
    p.schedule(8.0, CALL, lambda now: p.send(Req(Kind.TOKEN_GET, 0, 0, owner), conn))
    p.run_until(10.0)
    assert [r.server.key for r in owner.requests] == ["registry-0", "registry-0", "registry-1"]
    assert all(r.code == 200 for r in owner.requests)  # kept alive until Shutdown, then reconnected


def test_a_pull_ended_by_an_answer_written_at_once_stops_handing_out_blobs():
    """A full limiter answers 429 the moment a request arrives; with one try allowed the
    first blob's 429 ends the pull while it is still handing blobs to its lanes."""
    from tests.sim.planes import send_at
    p = plane()
    pod(p, settings=RegistrySettings(read=Limits(1, 0)), cores=1.0)
    session, ended = started(p, PullSession, blobs=list(zip(IMAGE.layers, IMAGE.layer_bytes)),
                             policy=ClientPolicy(attempts=1))
    send_at(p, 0.0, work=100.0)  # the ping, token and manifest go first (same instant, earlier seq)
    p.run_until(50.0)
    assert session.failed and session.code == 429 and len(ended) == 1
