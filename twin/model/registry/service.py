"""The service-time model: what a request costs the registry pod once admitted
(`spec/registry-operator.md` §4.2 step 4: the slot is held until the response is written).

A request's time in the pod = registry CPU + its storage-driver operations (the
`imageregistry_storage_duration_seconds` operations of `requests.STORAGE_OPERATIONS`, §5) +
the bytes the pod itself streams (`transfer_seconds`). A blob GET is answered with a 307 to
a signed storage URL when redirects are allowed (§4.4): `StorageDriver.Stat` then
`StorageDriver.URLFor`, no body; when streamed it is `Stat` then `Reader` and the pod
streams the blob, so the read slot is held for the whole transfer.

Defaults (`ServiceParams`), for S3 storage from the same region:
* storage latencies are log-normal, given as (median, p99). AWS: small S3 requests (< 512
  KB) have "median latencies often in the tens of milliseconds" ("Best Practices Design
  Patterns: Optimizing Amazon S3 Performance", Timeouts and retries for latency-sensitive
  applications), which the medians below follow; the p99s (6–8× the median) are an
  assumption. URLFor signs the URL locally (no S3 round trip), hence sub-millisecond.
  Move is S3 CopyObject + DeleteObject, taken as size-independent.
* registry CPU per request, 1–5 ms: an assumption (no published measurement of
  openshift/image-registry); calibrate against `imageregistry_http_request_duration_seconds`.
* `storage_read_bytes_per_second` 90 MB/s per stream: AWS's S3 performance guidelines
  plan one connection per 85–90 MB/s ("Horizontal scaling of storage connections").
* `pod_bandwidth_bytes_per_second` 125 MB/s (1 Gbit/s) shared by a pod's streams, and
  `node_bandwidth_bytes_per_second` 156.25 MB/s (1.25 Gbit/s, the baseline network
  bandwidth of the ROSA default worker, m5.xlarge) for nodes downloading redirected blobs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType
from typing import Mapping

import numpy as np

from twin.model.registry.requests import STORAGE_OPERATIONS, Kind

Z99 = 2.3263478740408408
"""The standard normal 99th percentile: a log-normal's sigma = ln(p99 / median) / Z99."""


class StorageOp(IntEnum):
    """`StorageDriver.<name>` operations a request performs (§5)."""

    GetContent = 0
    PutContent = 1
    Stat = 2
    URLFor = 3
    Reader = 4
    Writer = 5
    Move = 6


NO_OP = -1  # a column of a kind with fewer than two storage operations


def _columns(streamed: bool) -> np.ndarray:
    """(kind, 2) table of StorageOp codes in STORAGE_OPERATIONS order; BLOB_GET's second
    operation is Reader when the blob is streamed."""
    table = np.full((len(Kind), 2), NO_OP, dtype=np.int64)
    for kind in Kind:
        for col, name in enumerate(STORAGE_OPERATIONS[kind]):
            table[kind, col] = StorageOp[name.removeprefix("StorageDriver.")]
    if streamed:
        table[Kind.BLOB_GET, 1] = StorageOp.Reader
    return table


REDIRECT_COLUMNS = _columns(streamed=False)
STREAM_COLUMNS = _columns(streamed=True)


@dataclass(frozen=True, slots=True)
class Latency:
    """A log-normal latency in seconds, by its median and 99th percentile."""

    median: float
    p99: float

    def __post_init__(self):
        if not (0 < self.median <= self.p99 and math.isfinite(self.p99)):
            raise ValueError(f"expected p99 >= median > 0, got median {self.median!r} and p99 {self.p99!r}")

    @property
    def sigma(self) -> float:
        return math.log(self.p99 / self.median) / Z99


MS = 1e-3
DEFAULT_CPU = MappingProxyType({
    Kind.MANIFEST_GET: 2 * MS, Kind.MANIFEST_HEAD: 1 * MS, Kind.BLOB_GET: 1 * MS, Kind.BLOB_HEAD: 1 * MS,
    Kind.UPLOAD_START: 1 * MS, Kind.UPLOAD_CHUNK: 2 * MS, Kind.UPLOAD_COMMIT: 2 * MS, Kind.MANIFEST_PUT: 5 * MS,
    Kind.TOKEN_GET: 1 * MS, Kind.METRICS_GET: 5 * MS,
})
DEFAULT_STORAGE_LATENCY = MappingProxyType({
    StorageOp.GetContent: Latency(20 * MS, 150 * MS), StorageOp.PutContent: Latency(30 * MS, 200 * MS),
    StorageOp.Stat: Latency(20 * MS, 150 * MS), StorageOp.URLFor: Latency(0.1 * MS, 1 * MS),
    StorageOp.Reader: Latency(25 * MS, 200 * MS), StorageOp.Writer: Latency(40 * MS, 300 * MS),
    StorageOp.Move: Latency(60 * MS, 500 * MS),
})
HEADER_BYTES = 300  # request or response line and headers, approximately
REDIRECT_BODY_BYTES = 1024  # a 307's body names the signed URL (~1 KB for S3)


@dataclass(frozen=True)
class ServiceParams:
    cpu: Mapping[Kind, float] = field(default_factory=lambda: DEFAULT_CPU)  # seconds per request
    storage_latency: Mapping[StorageOp, Latency] = field(default_factory=lambda: DEFAULT_STORAGE_LATENCY)
    storage_read_bytes_per_second: float = 90e6  # one storage stream (reads and PATCH writes)
    pod_bandwidth_bytes_per_second: float = 125e6  # a registry pod's network, shared by its streams
    node_bandwidth_bytes_per_second: float = 156.25e6  # a node's network, for redirected downloads

    def __post_init__(self):
        missing = [k.name for k in Kind if k not in self.cpu] + [o.name for o in StorageOp if o not in self.storage_latency]
        if missing:
            raise ValueError(f"expected a value for every request kind and storage operation, missing {missing}")
        for name in ("storage_read_bytes_per_second", "pod_bandwidth_bytes_per_second", "node_bandwidth_bytes_per_second"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name}: expected a positive bandwidth, got {getattr(self, name)!r}")


@dataclass(frozen=True, eq=False)
class Service:
    """Per request: registry CPU seconds; storage-operation seconds (n×2, columns as
    `REDIRECT_COLUMNS`/`STREAM_COLUMNS`, NaN where the kind has no such operation); bytes
    the pod streams; approximate response and request sizes; whether it answered 307."""

    cpu: np.ndarray
    storage: np.ndarray
    stream_bytes: np.ndarray
    response_bytes: np.ndarray
    request_bytes: np.ndarray
    redirected: np.ndarray


def _tables(params: ServiceParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CPU by kind; median and sigma by StorageOp, with a trailing NaN entry that NO_OP (-1) indexes."""
    cpu = np.array([params.cpu[k] for k in Kind])
    median = np.array([params.storage_latency[o].median for o in StorageOp] + [np.nan])
    sigma = np.array([params.storage_latency[o].sigma for o in StorageOp] + [np.nan])
    return cpu, median, sigma


def sample_service(kinds, sizes, params: ServiceParams, redirect, rng: np.random.Generator) -> Service:
    """Sample the service of each request. `sizes` are `Requests.bytes` (body moved);
    `redirect` (a bool, or one per request) says whether blob GETs are redirected (§4.4)."""
    kinds = np.asarray(kinds, dtype=np.int64)
    sizes = np.asarray(sizes, dtype=np.int64)
    redirected = (kinds == Kind.BLOB_GET) & np.asarray(redirect, dtype=bool)
    columns = np.where(redirected[:, None], REDIRECT_COLUMNS[kinds], STREAM_COLUMNS[kinds])
    cpu, median, sigma = _tables(params)
    storage = median[columns] * np.exp(sigma[columns] * rng.standard_normal(columns.shape))
    streamed = ((kinds == Kind.BLOB_GET) & ~redirected) | (kinds == Kind.UPLOAD_CHUNK)
    stream_bytes = np.where(streamed, sizes, 0)
    response_body = np.where((kinds == Kind.MANIFEST_GET) | ((kinds == Kind.BLOB_GET) & ~redirected), sizes, 0)
    response_body = np.where(redirected, REDIRECT_BODY_BYTES, response_body)
    request_body = np.where((kinds == Kind.UPLOAD_CHUNK) | (kinds == Kind.MANIFEST_PUT), sizes, 0)
    return Service(cpu[kinds], storage, stream_bytes, HEADER_BYTES + response_body, HEADER_BYTES + request_body,
                   redirected)


def base_seconds(service: Service) -> np.ndarray:
    """Time in the pod before any streaming: CPU plus the storage operations."""
    return service.cpu + np.nansum(service.storage, axis=1)


def transfer_seconds(stream_bytes, concurrent_streams, params: ServiceParams) -> np.ndarray:
    """Seconds to stream `stream_bytes` through the pod while `concurrent_streams` streams
    (this one included) share its network: bytes / min(one storage stream, pod / streams)."""
    share = params.pod_bandwidth_bytes_per_second / np.maximum(np.asarray(concurrent_streams, dtype=float), 1.0)
    return np.asarray(stream_bytes, dtype=float) / np.minimum(params.storage_read_bytes_per_second, share)


def download_seconds(blob_bytes, concurrent_downloads, params: ServiceParams) -> np.ndarray:
    """Seconds for a node to fetch redirected blobs straight from storage while
    `concurrent_downloads` share its network: bytes / min(one storage stream, node / downloads)."""
    share = params.node_bandwidth_bytes_per_second / np.maximum(np.asarray(concurrent_downloads, dtype=float), 1.0)
    return np.asarray(blob_bytes, dtype=float) / np.minimum(params.storage_read_bytes_per_second, share)
