"""The data plane's handler chain and resources, request by request, without a cluster
(`spec/registry-operator.md` §4.1–§4.5, `spec/capacity.md` §3–§4)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.sim.planes import BARE, WORK_KIND, Ended, plane, pod, send_at
from twin.model.registry.batch import Client
from twin.model.registry.requests import Kind, Outcome
from twin.model.registry.resources.memory import MiB, MemoryParams
from twin.model.registry.resources.nodes import NetworkSpec
from twin.model.registry.resources.objectstore import ObjectStoreParams
from twin.model.registry.service import Latency, ServiceParams, StorageOp
from twin.model.registry.settings import Limits, RegistrySettings
from twin.sim.traffic.routing import Unreachable

FIXED_STORAGE = ServiceParams(cpu=BARE.cpu, review_latency=None, tls_handshake=0.0, cpu_per_byte=0.0,
                              storage_latency={op: Latency(0.01, 0.01) for op in StorageOp})
"""Every storage operation takes exactly 10 ms; no CPU."""


def ended_after(p, *sends, until: float = 1000.0) -> list:
    owner = Ended()
    for args in sends:
        send_at(p, *args[:1], **{**args[1], "owner": owner})
    p.run_until(until)
    return sorted(owner.requests, key=lambda r: r.id)


def test_a_closed_storage_gate_answers_503_without_touching_the_limiter():
    p = plane()
    server = pod(p, settings=RegistrySettings(read=Limits(1, 0)))
    server.gate_open = False
    done = ended_after(p, (0.0, {"work": 1.0}), (0.0, {"work": 1.0}))
    assert [r.code for r in done] == [503, 503] and server.limiters[0].running == 0


def test_the_limiter_queues_then_rejects_with_429_and_a_waiter_gives_up_after_max_wait():
    p = plane()
    pod(p, settings=RegistrySettings(read=Limits(1, 1, 0.5)), cores=1.0)
    done = ended_after(p, (0.0, {"work": 1.0}), (0.0, {"work": 1.0}), (0.0, {"work": 1.0}))
    assert [(r.code, r.end) for r in done] == [(200, 1.0), (429, 0.5), (429, 0.0)]


def test_writes_under_read_only_get_405_after_taking_a_write_slot():
    p = plane()
    pod(p, settings=RegistrySettings(read_only=True, write=Limits(1, 0)))
    done = ended_after(p, (0.0, {"kind": Kind.MANIFEST_PUT}), (0.0, {"kind": Kind.UPLOAD_START}),
                       (0.0, {"kind": Kind.MANIFEST_GET}))
    assert [r.code for r in done] == [Outcome.NOT_ALLOWED, Outcome.TOO_MANY, Outcome.OK]


@pytest.mark.parametrize("kind", [Kind.BLOB_GET, Kind.BLOB_HEAD])
def test_blob_gets_and_heads_are_redirected_when_redirects_are_on(kind):
    """distribution routes GET and HEAD of a blob to `GetBlob`; `blobServer.ServeBlob`
    answers 307 with a signed URL (`registry/handlers/blob.go` lines 36-37,
    `registry/storage/blobserver.go`; `spec/capacity.md` §4)."""
    p = plane(service=FIXED_STORAGE)
    pod(p, settings=RegistrySettings(redirect=True))
    (r,) = ended_after(p, (0.0, {"kind": kind, "nbytes": 50 * MiB}))
    assert r.code == 307 and r.transfer == 0.0 and r.end == pytest.approx(0.02)  # Stat, then URLFor


def test_a_head_for_a_blob_the_registry_lacks_is_404_and_not_redirected():
    p = plane()
    pod(p)
    owner = Ended()
    from twin.sim.traffic.exchange import CALL, Connection, Req
    p.schedule(0.0, CALL, lambda now: p.send(Req(Kind.BLOB_HEAD, 0, 0, owner, miss=True), Connection()))
    p.run_until(10.0)
    assert [r.code for r in owner.requests] == [404]


def test_a_streamed_blob_flows_through_the_node_link_and_holds_its_read_buffer():
    # 100 MB over a 50 MB/s link (baseline, no burst): 2 s after the Stat and Reader.
    p = plane(service=FIXED_STORAGE, network=NetworkSpec.of(50e6))
    server = pod(p, settings=RegistrySettings(redirect=False))
    owner = Ended()
    send_at(p, 0.0, kind=Kind.BLOB_GET, nbytes=100_000_000, owner=owner)
    p.run_until(1.0)
    assert server.memory.used == MemoryParams().working_set + MemoryParams().request_overhead + 4 * MiB
    p.run_until(10.0)
    (r,) = owner.requests
    assert r.code == 200 and r.transfer == pytest.approx(2.0) and r.end == pytest.approx(2.02)
    assert server.memory.used == MemoryParams().working_set


def test_crossing_the_memory_limit_kills_the_container_and_breaks_its_open_requests():
    # 2 uploads of 100 MiB hold 20 MiB each; the limit leaves room for one.
    base = MemoryParams().working_set + 2 * MemoryParams().request_overhead
    p = plane(service=FIXED_STORAGE, network=NetworkSpec.of(10e6))
    server = pod(p, memory_limit=base + 30 * MiB)
    done = ended_after(p, (0.0, {"kind": Kind.UPLOAD_CHUNK, "nbytes": 100 * MiB}),
                       (0.5, {"kind": Kind.UPLOAD_CHUNK, "nbytes": 100 * MiB}))
    assert not server.alive and p.kills == [(pytest.approx(0.51), "registry-0", "OOMKilled")]
    assert [(r.code, r.end) for r in done] == [(0, pytest.approx(0.51)), (0, pytest.approx(0.51))]


def test_a_storage_call_throttled_past_the_retries_is_a_500_counted_per_operation():
    p = plane(service=FIXED_STORAGE, store=ObjectStoreParams(read_rate=0.5, split_after=1e9))
    pod(p)
    done = ended_after(p, (0.0, {"kind": Kind.MANIFEST_GET}), (0.0, {"kind": Kind.MANIFEST_GET}))
    assert [r.code for r in done] == [500, 500]
    assert [StorageOp(r.failed).name for r in done] == ["GetContent", "GetContent"]
    assert all(r.end > 3.5 for r in done)  # the SDK slept 3.5-7 s before giving up


def test_a_killed_container_breaks_open_requests_and_refuses_new_connections():
    p = plane()
    server = pod(p, cores=1.0)
    owner = Ended()
    send_at(p, 0.0, work=10.0, owner=owner)
    p.run_until(1.0)
    p.kill(server)
    send_at(p, 2.0, work=1.0, owner=owner)
    p.run_until(5.0)
    assert [(r.code, r.end) for r in owner.requests] == [(0, 1.0), (Unreachable.REFUSED, pytest.approx(2.001))]


def test_a_pod_on_an_unreachable_node_times_out_after_the_dial_timeout():
    p = plane()
    pod(p)
    p.unreachable.add("registry-0")
    (r,) = ended_after(p, (0.0, {"work": 0.1}))
    assert (r.code, r.end) == (Unreachable.TIMED_OUT, 30.0)


def test_with_no_ready_endpoint_new_connections_go_to_terminating_but_serving_pods():
    """KEP-1669 (GA in 1.28), as OVN-Kubernetes implements it: serving+terminating
    endpoints only when no endpoint is ready (`getSelectedEligibleEndpoints`)."""
    p = plane()
    pod(p, "registry-old")
    p.endpoints, p.fallback = [], ["registry-old"]
    (r,) = ended_after(p, (0.0, {"work": 0.1}))
    assert r.code == 200 and r.server.key == "registry-old"
    p.fallback = []
    (r,) = ended_after(p, (2000.0, {"work": 0.1}), until=3000.0)
    assert r.code == Unreachable.NO_ENDPOINTS


def test_the_first_request_on_a_connection_pays_the_tls_handshake():
    service = ServiceParams(cpu=BARE.cpu, review_latency=None, tls_handshake=0.001, cpu_per_byte=0.0,
                            storage_latency={op: Latency(1e-6, 1e-6) for op in StorageOp})
    p = plane(service=service)
    pod(p)
    from twin.sim.traffic.exchange import CALL, Connection, Req
    conn, owner = Connection(), Ended()
    p.schedule(0.0, CALL, lambda now: p.send(Req(WORK_KIND, 0, 0, owner), conn))
    p.schedule(1.0, CALL, lambda now: p.send(Req(WORK_KIND, 0, 0, owner), conn))
    p.run_until(5.0)
    assert [round(r.cpu, 9) for r in owner.requests] == [0.001, 0.0]


def test_same_requests_same_seed_same_fates():
    def run():
        p = plane(service=ServiceParams(), seed=4)
        pod(p, cores=0.5)
        rng = np.random.default_rng(9)
        return [(r.code, r.end) for r in ended_after(p, *[(float(t), {"kind": Kind.MANIFEST_GET})
                                                           for t in np.sort(rng.uniform(0, 5, 300))])]
    assert run() == run()


def test_the_blob_descriptor_cache_spares_the_stat_of_a_blob_the_pod_has_served():
    """`REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR=inmemory` (10,000 entries): the second GET of
    a blob needs no `Stat` round trip to storage, only the URL signing."""
    from twin.sim.traffic.exchange import CALL, Connection, Req
    p = plane(service=FIXED_STORAGE)
    pod(p)
    owner = Ended()
    for t in (0.0, 1.0):
        p.schedule(t, CALL, lambda now: p.send(Req(Kind.BLOB_GET, 1000, 0, owner, blob=42), Connection()))
    p.run_until(10.0)
    first, second = owner.requests
    assert (first.end - first.time, second.end - second.time) == (pytest.approx(0.02), pytest.approx(0.01))
    assert np.isnan(second.s1) and second.s2 == pytest.approx(0.01)  # Stat skipped, URLFor observed
    assert p.store.requests[0] == 2  # the first GET's two reads only


@pytest.mark.parametrize("cores, ends", [(2.0, 2.0), (1.0, 4.0)])
def test_a_streamed_blob_ends_when_both_its_transfer_and_its_copying_cpu_are_done(cores, ends):
    # 100 MB at one stream's 50 MB/s: 2 s. 40 ns per byte: 4 core-seconds, of which the
    # stream's own pace puts 2 (20 ns per byte, at one core) on its critical path and 2
    # beside it. With 2 cores each part has a core: the blob ends with its transfer; with
    # one core they share it and the response waits for the copying.
    service = ServiceParams(cpu=BARE.cpu, review_latency=None, tls_handshake=0.0, cpu_per_byte=4e-8,
                            storage_latency=FIXED_STORAGE.storage_latency, storage_read_bytes_per_second=50e6)
    p = plane(service=service, network=NetworkSpec.of(1e12))
    server = pod(p, settings=RegistrySettings(redirect=False), cores=cores)
    (blob,) = ended_after(p, (0.0, {"kind": Kind.BLOB_GET, "nbytes": 100_000_000}))
    assert blob.transfer == pytest.approx(2.0)
    assert blob.end == pytest.approx(0.02 + ends, abs=1e-4)  # after the Stat and Reader
    assert blob.cpu == pytest.approx(600 * 4e-8)  # only the headers' bytes in front of the transfer
    assert server.cpu.done_work == pytest.approx(4.0 + 600 * 4e-8)


def test_a_streams_cpu_and_the_other_requests_share_the_cores():
    # As above on 2 cores, with a 1 core-second request arriving as the transfer starts:
    # three jobs (the stream's copying, the CPU beside it, the request) share 2 cores,
    # 2/3 each, until the request's second is done at 1.5 s; the copying has 1 core-second
    # left, at a core: the blob ends 1 s after its transfer would have let it.
    service = ServiceParams(cpu=BARE.cpu, review_latency=None, tls_handshake=0.0, cpu_per_byte=4e-8,
                            storage_latency=FIXED_STORAGE.storage_latency, storage_read_bytes_per_second=50e6)
    p = plane(service=service, network=NetworkSpec.of(1e12))
    pod(p, settings=RegistrySettings(redirect=False), cores=2.0)
    blob, other = ended_after(p, (0.0, {"kind": Kind.BLOB_GET, "nbytes": 100_000_000}), (0.02, {"work": 1.0}))
    assert other.end - other.time == pytest.approx(1.5, abs=1e-3)
    assert blob.end == pytest.approx(0.02 + 1.5 + 1.0, abs=1e-3)


def test_a_kinds_delay_holds_its_slot_but_no_cpu():
    delay = {kind: None for kind in Kind} | {WORK_KIND: Latency(0.5, 0.5)}
    service = ServiceParams(cpu=BARE.cpu, review_latency=None, tls_handshake=0.0, cpu_per_byte=0.0, delay=delay)
    p = plane(service=service)
    server = pod(p, settings=RegistrySettings(read=Limits(1, 1)), cores=1.0)
    done = ended_after(p, (0.0, {"work": 0.25}), (0.0, {"work": 0.25}))
    assert [r.end for r in done] == [pytest.approx(0.75), pytest.approx(1.5)]  # the second waited for the slot
    assert server.cpu.done_work == pytest.approx(0.5)


def test_a_log_normal_delay_has_the_median_and_p99_it_was_given():
    delay = {kind: None for kind in Kind} | {WORK_KIND: Latency(0.01, 0.05)}
    p = plane(service=ServiceParams(cpu=BARE.cpu, review_latency=None, tls_handshake=0.0, cpu_per_byte=0.0, delay=delay))
    pod(p, cores=1000.0)
    done = ended_after(p, *[(i * 1.0, {}) for i in range(20000)], until=30000.0)
    durations = np.array([r.end - r.time for r in done])
    assert np.quantile(durations, 0.5) == pytest.approx(0.01, rel=0.03)
    assert np.quantile(durations, 0.99) == pytest.approx(0.05, rel=0.1)


REVIEWED = ServiceParams(cpu=BARE.cpu, tls_handshake=0.0, cpu_per_byte=0.0, review_latency=Latency(0.005, 0.005),
                         storage_latency=FIXED_STORAGE.storage_latency)
"""Every storage operation 10 ms, every API review 5 ms, no CPU."""


def test_a_pull_waits_in_its_slot_for_a_self_subject_review_and_an_access_review():
    p = plane(service=REVIEWED)
    pod(p, settings=RegistrySettings(read=Limits(1, 1)))
    first, second = ended_after(p, (0.0, {"kind": Kind.MANIFEST_GET}), (0.0, {"kind": Kind.MANIFEST_GET}))
    assert first.end == pytest.approx(0.02)  # 2 reviews, then GetContent
    assert second.end == pytest.approx(0.04)  # it waited for the slot the first held through its reviews


def test_a_token_without_the_verb_is_refused_401_after_its_reviews_and_nothing_when_the_api_is_down_400():
    from twin.model.registry.auth import GET
    p = plane(service=REVIEWED)
    pod(p)
    p.verbs[0] = GET  # background pulls (Client.PULL) may only pull
    refused, = ended_after(p, (0.0, {"kind": Kind.UPLOAD_START}))
    assert (refused.code, refused.end) == (401, pytest.approx(0.015 + 0.0005))  # 3 reviews, then the answer
    p.api_up = False
    down, = ended_after(p, (20.0, {"kind": Kind.MANIFEST_GET}), until=2000.0)
    assert (down.code, down.end) == (400, pytest.approx(20.0005))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_one_draw_for_a_requests_reviews_has_the_median_and_p99_of_their_exact_sum(n):
    from twin.sim.traffic.plane import review_sum
    review = Latency(0.003, 0.03)
    rng = np.random.default_rng(1)
    exact = (review.median * np.exp(review.sigma * rng.standard_normal((200_000, n)))).sum(axis=1)
    mu, sigma = review_sum(review.median, review.sigma, n)
    approx = np.exp(mu + sigma * rng.standard_normal(200_000))
    for q, tolerance in ((0.5, 0.06), (0.99, 0.10)):
        assert np.quantile(approx, q) == pytest.approx(np.quantile(exact, q), rel=tolerance)


MAPPINGS = [
    # (stream state, may create streams, code, API calls: 3 reviews + the mapping's)
    ("EXISTS", False, 201, 4),
    ("NO_NAMESPACE", True, 403, 4),
    ("NEW", False, 403, 5),
    ("NEW", True, 201, 6),
    ("QUOTA_FULL", True, 403, 5),
]


@pytest.mark.parametrize("state, can_create, code, calls", MAPPINGS)
def test_a_manifest_put_waits_for_its_reviews_and_its_image_stream_mapping_calls_then_gets_201_or_403(
        state, can_create, code, calls):
    """model/images/mapping.py: the manifest is stored (PutContent, 10 ms), the registry's
    API calls (5 ms each) are made in turn, and a refused mapping is 403 DENIED."""
    from twin.model.images.mapping import StreamState
    from twin.model.registry.auth import CREATE_STREAMS, GET, UPDATE
    from twin.sim.traffic.exchange import CALL, Connection, Req
    p = plane(service=REVIEWED)
    pod(p)
    p.verbs[Client.PUSH] = GET | UPDATE | (CREATE_STREAMS if can_create else 0)
    owner = Ended()
    p.schedule(0.0, CALL, lambda now: p.send(Req(Kind.MANIFEST_PUT, 1000, Client.PUSH, owner,
                                                 stream_state=int(StreamState[state])), Connection()))
    p.run_until(1000.0)
    put, = owner.requests
    assert (put.code, put.end) == (code, pytest.approx(calls * 0.005 + 0.01))
