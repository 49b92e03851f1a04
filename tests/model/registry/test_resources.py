"""What requests share (`twin/model/registry/resources/`): processor sharing, a node's
link with EC2's burst credits, the object store's ceilings and the SDK's retries, memory,
and what a node offers the registry. Hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from twin.model.registry.requests import Kind
from twin.model.registry.resources.links import Link
from twin.model.registry.resources.memory import MiB, MemoryParams, PodMemory
from twin.model.registry.resources.nodes import (
    GBIT,
    INSTANCE_TYPES,
    NetworkSpec,
    NodeResources,
    allocatable,
    instance_network,
    registry_cores,
)
from twin.model.registry.resources.objectstore import READ, WRITE, ObjectStore, ObjectStoreParams, TokenBucket
from twin.model.registry.resources.sharing import ProcessorSharing


def drain(pool: ProcessorSharing) -> list[tuple[str, float]]:
    """Run a pool with no more arrivals until empty: (item, departure) in order."""
    out = []
    while len(pool):
        t = pool.next_departure()
        out.append((pool.pop(t), round(t, 9)))
    return out


# ----- processor sharing ---------------------------------------------------------------------
def test_a_lone_job_gets_its_cap_not_the_whole_capacity():
    pool = ProcessorSharing(capacity=4.0, cap=1.0)
    pool.add(0.0, 2.0, "a")
    assert drain(pool) == [("a", 2.0)]


def test_jobs_beyond_the_capacity_share_it_equally():
    # 3 jobs of 1 core-second on 2 cores: each runs at 2/3 core, all leave at 1.5 s.
    pool = ProcessorSharing(capacity=2.0, cap=1.0)
    for name in "abc":
        pool.add(0.0, 1.0, name)
    assert [t for _, t in drain(pool)] == [1.5, 1.5, 1.5]


def test_a_job_joining_midway_slows_the_others_from_then_on():
    # 1 core. a (1 s of work) alone for 0.5 s (0.5 done); b (0.2 s) joins: both at 0.5,
    # b leaves after 0.4 s (t = 0.9), a has 0.3 left, alone again: leaves at 1.2.
    pool = ProcessorSharing(capacity=1.0, cap=1.0)
    pool.add(0.0, 1.0, "a")
    pool.add(0.5, 0.2, "b")
    assert drain(pool) == [("b", 0.9), ("a", 1.2)]


def test_capacity_changes_apply_from_the_moment_they_happen():
    pool = ProcessorSharing(capacity=1.0, cap=1.0)
    pool.add(0.0, 2.0, "a")
    pool.set_capacity(1.0, 0.5)  # a cap of 1 core, but only half a core from t = 1
    assert drain(pool) == [("a", 3.0)]


def test_served_and_offered_work_are_integrated_for_utilisation():
    pool = ProcessorSharing(capacity=2.0, cap=1.0)
    pool.add(0.0, 1.0, "a")
    drain(pool)
    pool.advance(4.0)
    assert (pool.done_work, pool.offered) == pytest.approx((1.0, 8.0))


def test_removing_jobs_takes_them_out_of_the_sharing():
    pool = ProcessorSharing(capacity=1.0, cap=1.0)
    pool.add(0.0, 1.0, "a")
    pool.add(0.0, 1.0, "b")
    assert pool.remove(0.5, lambda item: item == "b") == ["b"]
    assert drain(pool) == [("a", 1.25)]  # 0.25 done by 0.5, 0.75 left alone


# ----- a node's link -------------------------------------------------------------------------------
def test_two_streams_sharing_a_link_one_joining_midway():
    # 100 B/s. A (100 B) alone until 0.5 s: 50 B done. B (30 B) joins: 50 B/s each, B
    # leaves at 0.5 + 30/50 = 1.1 s with A at 20 B left; A alone at 100 B/s: 1.3 s.
    link = Link(baseline=100.0)
    link.add(0.0, 100.0, "A")
    link.add(0.5, 30.0, "B")
    assert drain(link) == [("B", 1.1), ("A", 1.3)]


def test_a_stream_never_goes_faster_than_its_cap():
    link = Link(baseline=100.0, cap=40.0)
    link.add(0.0, 100.0, "A")
    assert drain(link) == [("A", 2.5)]


def burst_run(link: Link) -> list[tuple[str, float]]:
    out = []
    while len(link):
        t = link.next_event()
        link.advance(t)
        if link.due():
            out.append((link.pop(t), round(t, 9)))
    return out


def test_a_link_bursts_until_its_credits_run_out_then_falls_to_the_baseline():
    # baseline 100 B/s, burst 300 B/s, bucket 400 B of credit: a 1000 B stream drains
    # credit at 200 B/s, so it bursts for 2 s (600 B), then 400 B at 100 B/s: 6 s.
    link = Link(baseline=100.0, burst=300.0, bucket=400.0)
    link.add(0.0, 1000.0, "A")
    assert burst_run(link) == [("A", 6.0)]
    assert link.capacity == 100.0


def test_credits_come_back_while_the_link_carries_less_than_its_baseline():
    link = Link(baseline=100.0, burst=300.0, bucket=400.0)
    link.add(0.0, 1000.0, "A")
    burst_run(link)
    link.advance(10.0)  # idle for 4 s: 4 x 100 B of credit earned back
    assert link.credits == pytest.approx(400.0)
    link.add(10.0, 300.0, "B")
    assert burst_run(link) == [("B", 11.0)]  # bursting again


# ----- the object store ----------------------------------------------------------------------------
def test_a_token_bucket_holds_one_second_of_its_rate():
    bucket = TokenBucket(rate=10.0)
    assert sum(bucket.take(0.0) for _ in range(15)) == 10
    assert sum(bucket.take(0.5) for _ in range(15)) == 5


def test_calls_above_the_ceiling_are_throttled_and_counted():
    store = ObjectStore(ObjectStoreParams(read_rate=100.0, write_rate=50.0), np.random.default_rng(0))
    served = [store.call(0.0, READ) for _ in range(150)]
    assert sum(served) == 100
    assert store.throttled == [50, 0]
    assert store.take(0.0, WRITE, 50) and not store.take(0.0, WRITE, 1)


def test_the_sdk_retries_a_throttled_call_three_times_with_growing_jittered_sleeps():
    store = ObjectStore(ObjectStoreParams(read_rate=1.0, split_after=1e9), np.random.default_rng(1))
    store.call(0.0, READ)  # the bucket is empty now
    delays = [store.retry_delay(k) for k in range(3)]
    assert [lo <= d < 2 * lo for d, lo in zip(delays, (0.5, 1.0, 2.0))] == [True] * 3
    elapsed, ok = store.with_retries(0.0, READ, latency=0.01)
    assert ok  # a token comes back within the 3.5-7 s of sleeping
    store = ObjectStore(ObjectStoreParams(read_rate=0.01, split_after=1e9), np.random.default_rng(1))
    store.call(0.0, READ)
    elapsed, ok = store.with_retries(0.0, READ, latency=0.01)
    assert not ok and 3.5 + 0.04 <= elapsed < 7 + 0.04
    assert store.throttled[READ] == 1 + 4  # the first call, then the SDK's 4 attempts


def test_sustained_throttling_doubles_the_partitions():
    store = ObjectStore(ObjectStoreParams(read_rate=10.0, split_after=5.0), np.random.default_rng(0))
    t, first = 0.0, None
    while t < 10 and store.partitions == 1:
        if not store.call(t, READ) and first is None:
            first = t
        t += 0.01  # 100 calls/s against a ceiling of 10
    assert store.partitions == 2 and store.splits[0][0] - first == pytest.approx(5.0, abs=0.03)
    assert store.buckets[READ].rate == 20.0


# ----- memory ----------------------------------------------------------------------------------------
def test_buffers_per_request_follow_the_driver():
    m = MemoryParams()
    assert m.buffer(Kind.BLOB_GET, 100 * MiB, 10 * MiB) == 4 * MiB  # filereader.go's bufio.Reader
    assert m.buffer(Kind.UPLOAD_CHUNK, 100 * MiB, 10 * MiB) == 20 * MiB  # the S3 writer's buffer, ~2 chunks
    assert m.buffer(Kind.UPLOAD_CHUNK, 1 * MiB, 10 * MiB) == 2 * MiB
    assert m.buffer(Kind.MANIFEST_GET, 5000, 10 * MiB) == 0


def test_holding_past_the_limit_says_so_and_peaks_are_kept_per_window():
    memory = PodMemory(100, limit=150)
    assert memory.hold(40)
    memory.release(40)
    assert memory.take_window() == 140 and memory.take_window() == 100
    assert not memory.hold(60)
    assert memory.peak == 160


# ----- nodes -------------------------------------------------------------------------------------------
def test_instance_types_carry_the_published_figures():
    m5 = INSTANCE_TYPES["m5.xlarge"]
    assert (m5.vcpus, m5.memory_gib, m5.baseline_gbit, m5.burst_gbit) == (4, 16, 1.25, 10)
    net = instance_network("m5.xlarge", burst_seconds=600)
    assert (net.baseline, net.burst) == (1.25 * GBIT, 10 * GBIT)
    assert net.bucket == pytest.approx((10 - 1.25) * GBIT * 600)


def test_openshift_leaves_allocatable_after_its_automatic_reservation():
    cpu, memory = allocatable("m5.xlarge")
    assert cpu == 3500 and memory == (16 << 30) - (1 << 30) - (100 << 20)


def test_the_registry_gets_its_limit_or_what_the_node_leaves_never_below_its_request():
    node = NodeResources(4, 3.5, 15 << 30, NetworkSpec.of(1.0))
    assert registry_cores(node, others_cpu=1.0, request=0.1, limit=None) == 2.5
    assert registry_cores(node, others_cpu=3.5, request=0.1, limit=None) == 0.1
    assert registry_cores(node, others_cpu=0.0, request=0.1, limit=2.0) == 2.0
    assert registry_cores(node, others_cpu=0.0, request=0.1, limit=16.0) == 4.0  # GOMAXPROCS = the node's CPUs
