"""The service-time model: storage-operation columns, redirect versus stream (spec §4.4),
log-normal latencies, bandwidth sharing."""

from __future__ import annotations

import numpy as np
import pytest

from twin.model.registry.requests import STORAGE_OPERATIONS, Kind
from twin.model.registry.service import (
    HEADER_BYTES,
    REDIRECT_BODY_BYTES,
    Latency,
    ServiceParams,
    StorageOp,
    base_seconds,
    download_seconds,
    sample_service,
    transfer_seconds,
)

MS = 1e-3
# every operation a distinct fixed latency (median == p99: sigma 0), so columns can be read back
FIXED = ServiceParams(storage_latency={op: Latency((op + 1) * MS, (op + 1) * MS) for op in StorageOp})
ALL_KINDS = np.array(list(Kind))


def ms(op: StorageOp) -> float:
    return (op + 1) * MS


def sample(kinds, sizes=None, redirect=True, params=FIXED, seed=0):
    kinds = np.asarray(kinds)
    sizes = np.full(kinds.shape, 1000) if sizes is None else np.asarray(sizes)
    return sample_service(kinds, sizes, params, redirect, np.random.default_rng(seed))


@pytest.mark.parametrize("kind", list(Kind))
def test_storage_columns_follow_storage_operations_and_are_nan_past_them(kind):
    s = sample([kind])
    ops = [StorageOp[name.removeprefix("StorageDriver.")] for name in STORAGE_OPERATIONS[kind]]
    expected = [ms(op) for op in ops] + [np.nan] * (2 - len(ops))
    np.testing.assert_allclose(s.storage[0], expected)


def test_a_redirected_blob_get_stats_then_signs_a_url_and_answers_307():
    s = sample([Kind.BLOB_GET], [50_000_000], redirect=True)
    assert list(s.storage[0]) == pytest.approx([ms(StorageOp.Stat), ms(StorageOp.URLFor)])
    assert s.redirected[0] and s.stream_bytes[0] == 0
    assert s.response_bytes[0] == HEADER_BYTES + REDIRECT_BODY_BYTES


def test_a_streamed_blob_get_stats_then_reads_and_the_pod_streams_the_blob():
    s = sample([Kind.BLOB_GET], [50_000_000], redirect=False)
    assert list(s.storage[0]) == pytest.approx([ms(StorageOp.Stat), ms(StorageOp.Reader)])
    assert not s.redirected[0] and s.stream_bytes[0] == 50_000_000
    assert s.response_bytes[0] == HEADER_BYTES + 50_000_000


def test_only_blob_gets_are_redirected():
    s = sample(ALL_KINDS, redirect=True)
    assert list(ALL_KINDS[s.redirected]) == [Kind.BLOB_GET]


def test_redirect_may_differ_per_request():
    s = sample([Kind.BLOB_GET, Kind.BLOB_GET], [10, 10], redirect=np.array([True, False]))
    assert list(s.redirected) == [True, False] and list(s.stream_bytes) == [0, 10]


def test_the_pod_streams_patch_bodies_and_nothing_for_other_kinds():
    s = sample(ALL_KINDS, np.full(ALL_KINDS.size, 777), redirect=True)
    assert dict(zip(ALL_KINDS[s.stream_bytes > 0], s.stream_bytes[s.stream_bytes > 0])) == {Kind.UPLOAD_CHUNK: 777}


def test_request_and_response_sizes_carry_bodies_where_the_kind_has_one():
    s = sample(ALL_KINDS, np.full(ALL_KINDS.size, 500), redirect=False)
    requests = dict(zip(ALL_KINDS, s.request_bytes - HEADER_BYTES))
    responses = dict(zip(ALL_KINDS, s.response_bytes - HEADER_BYTES))
    assert {k for k, v in requests.items() if v} == {Kind.UPLOAD_CHUNK, Kind.MANIFEST_PUT}
    assert {k for k, v in responses.items() if v} == {Kind.MANIFEST_GET, Kind.BLOB_GET}


def test_cpu_is_the_per_kind_parameter():
    params = ServiceParams(cpu={k: (k + 1) * MS for k in Kind})
    s = sample(ALL_KINDS, params=params)
    assert list(s.cpu) == pytest.approx([(k + 1) * MS for k in ALL_KINDS])


def test_base_seconds_add_cpu_and_every_storage_operation():
    s = sample([Kind.UPLOAD_COMMIT, Kind.TOKEN_GET])
    cpu = ServiceParams().cpu
    assert list(base_seconds(s)) == pytest.approx([cpu[Kind.UPLOAD_COMMIT] + ms(StorageOp.Stat) + ms(StorageOp.Move),
                                                   cpu[Kind.TOKEN_GET]])


def test_storage_latencies_are_log_normal_with_the_given_median_and_p99():
    params = ServiceParams(storage_latency={**ServiceParams().storage_latency, StorageOp.Stat: Latency(20 * MS, 150 * MS)})
    s = sample(np.full(200_000, Kind.BLOB_HEAD), params=params, seed=3)
    stat = s.storage[:, 0]
    assert np.median(stat) == pytest.approx(20 * MS, rel=0.02)
    assert np.quantile(stat, 0.99) == pytest.approx(150 * MS, rel=0.05)


def test_the_same_seed_samples_the_same_service():
    kinds = np.tile(ALL_KINDS, 100)
    a, b = sample(kinds, params=ServiceParams(), seed=5), sample(kinds, params=ServiceParams(), seed=5)
    assert np.array_equal(a.storage, b.storage, equal_nan=True)


def test_latency_refuses_a_p99_below_the_median():
    with pytest.raises(ValueError, match="p99 >= median > 0"):
        Latency(0.02, 0.01)


def test_a_lone_stream_is_limited_by_the_storage_stream():
    params = ServiceParams()
    assert transfer_seconds(90e6, 1, params) == pytest.approx(1.0)


def test_concurrent_streams_share_the_pod_bandwidth():
    params = ServiceParams()
    seconds = transfer_seconds(np.array([125e6, 125e6, 125e6]), np.array([2, 4, 0]), params)
    assert list(seconds) == pytest.approx([125e6 / 62.5e6, 4.0, 125e6 / 90e6])


def test_redirected_downloads_share_the_node_bandwidth():
    params = ServiceParams()
    assert list(download_seconds(np.array([156.25e6]), np.array([5]), params)) == pytest.approx([5.0])
