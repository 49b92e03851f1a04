"""The unloaded service demands (`twin/model/registry/service.py`): which storage
operations and S3 calls each request makes, redirect versus stream (§4.4), body sizes,
and the parameters' validation."""

from __future__ import annotations

import pytest

from twin.model.registry.requests import STORAGE_OPERATIONS, Kind
from twin.model.registry.service import (
    HEADER_BYTES,
    REDIRECT_BODY_BYTES,
    S3_CALLS,
    Latency,
    ServiceParams,
    StorageOp,
    body_bytes,
    storage_ops,
)


LINK_DELETES = (Kind.MANIFEST_DELETE, Kind.BLOB_DELETE)


@pytest.mark.parametrize("kind", [k for k in Kind if k not in LINK_DELETES])
def test_redirected_requests_perform_the_metric_operations_of_their_kind(kind):
    assert [f"StorageDriver.{op.name}" for op in storage_ops(kind, redirected=True)] == list(STORAGE_OPERATIONS[kind])


@pytest.mark.parametrize("kind", LINK_DELETES)
def test_a_link_delete_reads_the_link_stats_the_blob_and_deletes_the_link_observing_the_first_and_last(kind):
    """distribution `linkedBlobStore.Delete`: the twin keeps two storage slots per request,
    so the Stat between them is timed but not observed in the storage metrics."""
    assert storage_ops(kind, redirected=False) == (StorageOp.GetContent, StorageOp.Stat, StorageOp.Delete)
    assert STORAGE_OPERATIONS[kind] == ("StorageDriver.GetContent", "StorageDriver.Delete")


def test_a_redirected_blob_get_or_head_stats_then_signs_a_url():
    for kind in (Kind.BLOB_GET, Kind.BLOB_HEAD):
        assert storage_ops(kind, redirected=True) == (StorageOp.Stat, StorageOp.URLFor)


def test_a_streamed_blob_get_reads_the_blob_and_a_local_head_only_stats():
    assert storage_ops(Kind.BLOB_GET, redirected=False) == (StorageOp.Stat, StorageOp.Reader)
    assert storage_ops(Kind.BLOB_HEAD, redirected=False) == (StorageOp.Stat,)


def test_every_kind_says_how_many_s3_calls_it_makes():
    assert set(S3_CALLS) == set(Kind)
    assert S3_CALLS[Kind.TOKEN_GET] == S3_CALLS[Kind.PING] == S3_CALLS[Kind.METRICS_GET] == (0, 0)
    assert S3_CALLS[Kind.UPLOAD_START][1] > 0 and S3_CALLS[Kind.MANIFEST_GET][0] > 0


def test_bodies_travel_with_the_kinds_that_carry_one():
    assert body_bytes(Kind.UPLOAD_CHUNK, 500, False) == (HEADER_BYTES + 500, HEADER_BYTES)
    assert body_bytes(Kind.MANIFEST_PUT, 500, False) == (HEADER_BYTES + 500, HEADER_BYTES)
    assert body_bytes(Kind.MANIFEST_GET, 500, False) == (HEADER_BYTES, HEADER_BYTES + 500)
    assert body_bytes(Kind.BLOB_GET, 500, False) == (HEADER_BYTES, HEADER_BYTES + 500)
    assert body_bytes(Kind.BLOB_GET, 500, True) == (HEADER_BYTES, HEADER_BYTES + REDIRECT_BODY_BYTES)
    assert body_bytes(Kind.BLOB_HEAD, 500, False) == (HEADER_BYTES, HEADER_BYTES)


def test_a_latency_is_log_normal_by_median_and_p99():
    assert Latency(0.02, 0.02).sigma == 0.0
    assert Latency(0.02, 0.15).sigma == pytest.approx(0.866, abs=0.001)
    with pytest.raises(ValueError, match="p99 >= median > 0"):
        Latency(0.02, 0.01)


@pytest.mark.parametrize("bad", [
    {"storage_read_bytes_per_second": 0.0}, {"tls_handshake": -1.0}, {"cpu_per_byte": -1e-9},
    {"cpu": {Kind.MANIFEST_GET: 0.001}},
])
def test_service_parameters_refuse_impossible_values(bad):
    with pytest.raises(ValueError):
        ServiceParams(**bad)
