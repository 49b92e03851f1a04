"""What serving a request asks of the registry pod when nothing else is running: its
*unloaded* service demands. Load turns them into latency in the data plane
(`twin/sim/traffic/`): the CPU is shared by the requests in flight, streamed bytes share
the node's link, storage calls count against the object store's rate ceilings.

Per request (`spec/registry-operator.md` §4.2 step 4: the limiter slot is held until the
response is written), in the order the data plane serves them:

1. storage: the kind's storage-driver operations (`requests.STORAGE_OPERATIONS`, the
   `imageregistry_storage_duration_seconds` operations of §5), log-normal latencies given
   as (median, p99); and the S3 calls behind them (`S3_CALLS`), which the object store
   may throttle;
2. `delay[kind]`: time that is neither CPU nor storage (the Go scheduler, the log line,
   the file system around the storage calls, garbage-collection pauses): a log-normal
   (median, p99) during which the request holds its slot but no CPU; none unless
   calibrated (`twin calibrate` fits it from low-load durations);
3. CPU: `cpu[kind]` core-seconds, plus `tls_handshake` on a connection's first request,
   plus `cpu_per_byte` for every body byte the pod moves (TLS and copying);
4. transfer: a blob the pod streams itself (a GET without redirect, a PATCH upload) flows
   through its node's link, each stream at most `storage_stream_bandwidth`, while the
   pod's CPU copies it: the response is written when both are done. Of the body's
   `cpu_per_byte`, the part on the stream's critical path is at most what its own pace
   allows (one core for `1 / storage_stream_bandwidth` per byte), so an idle pod streams
   at that pace and a busy one slower; the rest runs beside it, sharing the pod's cores
   with every other request without holding the response. On a real registry the CPU per
   streamed byte (4.2 ns) is several times what a byte adds to a blob GET's duration
   (0.8 ns): the rest runs on other cores — garbage collection of the copy buffers, the
   kernel's side of the socket (`docs/validation.md`).

`storage_latency` is for object storage; a registry on the filesystem driver (emptyDir,
a PVC) draws `filesystem_latency` instead (`DEFAULT_FILESYSTEM_LATENCY`). A scenario's
`storage_latency` overrides both: it describes the registry the planner measured.

Defaults, for S3 storage in the cluster's region:
* storage latencies: AWS says small S3 requests (< 512 KB) have "median latencies often
  in the tens of milliseconds" ("Best Practices Design Patterns: Optimizing Amazon S3
  Performance"); the medians follow it, the p99s (6-8x) are an assumption. `URLFor`
  signs locally, hence sub-millisecond; `Move` is taken as size-independent.
* CPU per request (1-5 ms), `tls_handshake` (1 ms: an ECDHE key exchange plus an RSA-2048
  signature, the registry's serving certificate) and `cpu_per_byte` (1.5 ns: AES-GCM at
  about 1-2 GB/s per core each way, the bytes coming in over TLS from S3 and going out
  over TLS to the client) are assumptions; calibrate them against the pod's CPU usage.
* `storage_stream_bandwidth` 90 MB/s: AWS plans one S3 connection per 85-90 MB/s
  ("Horizontal scaling of storage connections").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType
from typing import Mapping

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
    Delete = 7


def storage_ops(kind: Kind, redirected: bool) -> tuple[StorageOp, ...]:
    """The kind's storage operations in order. A blob GET that is streamed reads the blob
    instead of signing a URL; a blob HEAD that is not redirected only stats.

    >>> [op.name for op in storage_ops(Kind.BLOB_GET, redirected=False)]
    ['Stat', 'Reader']
    >>> [op.name for op in storage_ops(Kind.BLOB_HEAD, redirected=False)]
    ['Stat']
    """
    ops = tuple(StorageOp[name.removeprefix("StorageDriver.")] for name in STORAGE_OPERATIONS[kind])
    if kind == Kind.BLOB_GET and not redirected:
        return StorageOp.Stat, StorageOp.Reader
    if kind == Kind.BLOB_HEAD and not redirected:
        return (StorageOp.Stat,)
    if kind in (Kind.MANIFEST_DELETE, Kind.BLOB_DELETE):  # read the link, stat its blob, delete the link
        return StorageOp.GetContent, StorageOp.Stat, StorageOp.Delete
    return ops


S3_CALLS = MappingProxyType({
    Kind.MANIFEST_GET: (2, 0), Kind.MANIFEST_HEAD: (2, 0), Kind.BLOB_GET: (2, 0), Kind.BLOB_HEAD: (2, 0),
    Kind.UPLOAD_START: (0, 2), Kind.UPLOAD_CHUNK: (2, 0), Kind.UPLOAD_COMMIT: (3, 5), Kind.MANIFEST_PUT: (2, 4),
    Kind.TOKEN_GET: (0, 0), Kind.METRICS_GET: (0, 0), Kind.PING: (0, 0),
    Kind.MANIFEST_DELETE: (3, 1), Kind.BLOB_DELETE: (3, 1), Kind.ADMIN_BLOB_DELETE: (1, 1),
})
"""(reads, writes) of S3 calls per request, besides one `UploadPart` per chunk of a PATCH
and one `GetObject` for a streamed blob's body: reads are GET, HEAD and LIST, writes PUT,
COPY, POST and DELETE. Counted from the code paths of `spec/capacity.md` §4 [inferred]:
a manifest or blob lookup reads the repository's link then stats or gets the blob
(`Stat` = `ListObjectsV2`); POST puts `startedat` and creates the multipart upload; PATCH
reads `startedat` and lists the upload to resume it; PUT completes the upload, stats
twice, copies, deletes the upload, writes the link and deletes the upload folder; a
manifest PUT stats its config and puts the revision, its link and the tag's two links.
A link delete (the pruner's manifest and layer-link DELETEs) gets the link, stats the blob
and deletes the link; the S3 driver's `Delete` lists the prefix (`ListObjectsV2`) and
removes what it found (`DeleteObjects`), which is also all an admin blob delete does."""


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
    Kind.TOKEN_GET: 1 * MS, Kind.METRICS_GET: 5 * MS, Kind.PING: 0.2 * MS,
    Kind.MANIFEST_DELETE: 1 * MS, Kind.BLOB_DELETE: 1 * MS, Kind.ADMIN_BLOB_DELETE: 1 * MS,
})
DEFAULT_STORAGE_LATENCY = MappingProxyType({
    StorageOp.GetContent: Latency(20 * MS, 150 * MS), StorageOp.PutContent: Latency(30 * MS, 200 * MS),
    StorageOp.Stat: Latency(20 * MS, 150 * MS), StorageOp.URLFor: Latency(0.1 * MS, 1 * MS),
    StorageOp.Reader: Latency(25 * MS, 200 * MS), StorageOp.Writer: Latency(40 * MS, 300 * MS),
    StorageOp.Move: Latency(60 * MS, 500 * MS),
    StorageOp.Delete: Latency(40 * MS, 300 * MS),  # ASSUMPTION: a LIST then a DeleteObjects
})
DEFAULT_FILESYSTEM_LATENCY = MappingProxyType({
    StorageOp.GetContent: Latency(0.03 * MS, 1 * MS), StorageOp.PutContent: Latency(0.1 * MS, 3 * MS),
    StorageOp.Stat: Latency(0.02 * MS, 1 * MS), StorageOp.URLFor: Latency(0.001 * MS, 0.01 * MS),
    StorageOp.Reader: Latency(0.05 * MS, 2 * MS), StorageOp.Writer: Latency(0.1 * MS, 3 * MS),
    StorageOp.Move: Latency(0.1 * MS, 3 * MS),
    StorageOp.Delete: Latency(0.05 * MS, 2 * MS),
})
"""Storage latencies for the filesystem driver (emptyDir, a PVC): calls into the node's file
system, mostly answered from the page cache. The medians of `GetContent` (25 µs) and
`URLFor` (1 µs) are what Debian's docker-registry 2.8.2 reported on a developer machine
(`docs/validation.md`); the others are taken of the same order, and the p99s (a read or
write that reaches an EBS volume: AWS gives gp3 "single-digit millisecond" latency) are
an assumption. A registry on filesystem storage uses these where the scenario gives no
`storage_latency` of its own."""
DEFAULT_REVIEW_LATENCY = Latency(3 * MS, 30 * MS)
"""One SelfSubjectReview or SelfSubjectAccessReview, the registry to the API server and
back (`auth.py`): a small create the API server answers from its authentication and RBAC
caches; a few milliseconds, with a tail an order of magnitude longer, is an assumption
(calibrate with the API server's `apiserver_request_duration_seconds` for
`selfsubjectaccessreviews`)."""
NO_DELAY: Mapping[Kind, Latency | None] = MappingProxyType({kind: None for kind in Kind})
HEADER_BYTES = 300  # request or response line and headers, approximately
REDIRECT_BODY_BYTES = 1024  # a 307's body names the signed URL (~1 KB for S3)


@dataclass(frozen=True)
class ServiceParams:
    cpu: Mapping[Kind, float] = field(default_factory=lambda: DEFAULT_CPU)  # core-seconds per request
    storage_latency: Mapping[StorageOp, Latency] = field(default_factory=lambda: DEFAULT_STORAGE_LATENCY)
    storage_read_bytes_per_second: float = 90e6  # one storage stream (reads and PATCH writes)
    tls_handshake: float = 1 * MS  # core-seconds for a new connection's handshake
    cpu_per_byte: float = 1.5e-9  # core-seconds per body byte the pod moves
    delay: Mapping[Kind, Latency | None] = field(default_factory=lambda: NO_DELAY)  # per request, not CPU; None: none
    filesystem_latency: Mapping[StorageOp, Latency] = field(default_factory=lambda: DEFAULT_FILESYSTEM_LATENCY)
    review_latency: Latency | None = DEFAULT_REVIEW_LATENCY  # one API-server review (auth.py); None: no reviews

    def __post_init__(self):
        missing = ([k.name for k in Kind if k not in self.cpu] + [o.name for o in StorageOp if o not in self.storage_latency]
                   + [f"delay.{k.name}" for k in Kind if k not in self.delay]
                   + [f"filesystem_latency.{o.name}" for o in StorageOp if o not in self.filesystem_latency])
        if missing:
            raise ValueError(f"expected a value for every request kind and storage operation, missing {missing}")
        if not self.storage_read_bytes_per_second > 0:
            raise ValueError(f"storage_read_bytes_per_second: expected a positive bandwidth, "
                             f"got {self.storage_read_bytes_per_second!r}")
        if self.tls_handshake < 0 or self.cpu_per_byte < 0 or any(v < 0 for v in self.cpu.values()):
            raise ValueError("cpu, tls_handshake and cpu_per_byte: expected values >= 0")


def body_bytes(kind: int, nbytes: int, redirected: bool) -> tuple[int, int]:
    """(request bytes, response bytes) on the wire, headers included."""
    request = nbytes if kind in (Kind.UPLOAD_CHUNK, Kind.MANIFEST_PUT) else 0
    if redirected:
        response = REDIRECT_BODY_BYTES
    elif kind in (Kind.MANIFEST_GET, Kind.BLOB_GET):
        response = nbytes
    else:
        response = 0
    return HEADER_BYTES + request, HEADER_BYTES + response
