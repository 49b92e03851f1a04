"""The registry's request vocabulary (`spec/registry-operator.md` §4–§5): request kinds,
their HTTP method, limiter class, the wrapped registry operations and storage-driver
operations they perform, and the outcomes a request can have.

Requests travel through the twin as numpy arrays of these integer codes, never as one
Python object per request (`spec/architecture.md`, habit 7).
"""

from __future__ import annotations

from enum import IntEnum


class Kind(IntEnum):
    """What a client asks for."""

    MANIFEST_GET = 0  # GET /v2/<repo>/manifests/<ref>
    MANIFEST_HEAD = 1  # HEAD /v2/<repo>/manifests/<ref>
    BLOB_GET = 2  # GET /v2/<repo>/blobs/<digest>
    BLOB_HEAD = 3  # HEAD /v2/<repo>/blobs/<digest>
    UPLOAD_START = 4  # POST /v2/<repo>/blobs/uploads/
    UPLOAD_CHUNK = 5  # PATCH /v2/<repo>/blobs/uploads/<uuid>
    UPLOAD_COMMIT = 6  # PUT /v2/<repo>/blobs/uploads/<uuid>?digest=
    MANIFEST_PUT = 7  # PUT /v2/<repo>/manifests/<tag>
    TOKEN_GET = 8  # GET /openshift/token
    METRICS_GET = 9  # GET /extensions/v2/metrics


METHOD = {
    Kind.MANIFEST_GET: "get", Kind.MANIFEST_HEAD: "head", Kind.BLOB_GET: "get", Kind.BLOB_HEAD: "head",
    Kind.UPLOAD_START: "post", Kind.UPLOAD_CHUNK: "patch", Kind.UPLOAD_COMMIT: "put", Kind.MANIFEST_PUT: "put",
    Kind.TOKEN_GET: "get", Kind.METRICS_GET: "get",
}
"""promhttp's lower-case method label (§5)."""


class Limiter(IntEnum):
    READ = 0  # GET, HEAD, OPTIONS (§4.2)
    WRITE = 1  # everything else


def limiter_of(kind: Kind) -> Limiter:
    """§4.2: classification by HTTP method only."""
    return Limiter.READ if METHOD[kind] in ("get", "head", "options") else Limiter.WRITE


WRITES = frozenset(k for k in Kind if limiter_of(k) == Limiter.WRITE)
"""Kinds distribution does not register under readOnly (§4.3): they get 405."""

OPERATIONS = {
    Kind.MANIFEST_GET: ("ManifestService.Get",),
    Kind.MANIFEST_HEAD: ("ManifestService.Exists",),
    Kind.BLOB_GET: ("BlobStore.ServeBlob",),
    Kind.BLOB_HEAD: ("BlobStore.Stat",),
    Kind.UPLOAD_START: ("BlobStore.Create",),
    Kind.UPLOAD_CHUNK: ("BlobStore.Resume",),
    Kind.UPLOAD_COMMIT: ("BlobStore.Resume", "BlobWriter.Commit"),
    Kind.MANIFEST_PUT: ("ManifestService.Put",),
    Kind.TOKEN_GET: (),
    Kind.METRICS_GET: (),
}
"""`imageregistry_request_duration_seconds{operation}` observed per request (§5)."""

STORAGE_OPERATIONS = {
    Kind.MANIFEST_GET: ("StorageDriver.GetContent",),
    Kind.MANIFEST_HEAD: ("StorageDriver.Stat",),
    Kind.BLOB_GET: ("StorageDriver.Stat", "StorageDriver.URLFor"),  # streamed: Reader instead of URLFor
    Kind.BLOB_HEAD: ("StorageDriver.Stat",),
    Kind.UPLOAD_START: ("StorageDriver.PutContent",),
    Kind.UPLOAD_CHUNK: ("StorageDriver.Writer",),
    Kind.UPLOAD_COMMIT: ("StorageDriver.Stat", "StorageDriver.Move"),
    Kind.MANIFEST_PUT: ("StorageDriver.PutContent",),
    Kind.TOKEN_GET: (),
    Kind.METRICS_GET: (),
}
"""`imageregistry_storage_duration_seconds{operation}` observed per request (§5)."""


class Outcome(IntEnum):
    """How a request ended. HTTP codes where the client sees one; FAILED when the
    connection broke (the pod was killed with the request in flight)."""

    OK = 200
    CREATED = 201
    ACCEPTED = 202
    REDIRECT = 307
    NOT_ALLOWED = 405  # readOnly (§4.3)
    TOO_MANY = 429  # the limiter: queue full, wait timeout or client gone (§4.2)
    UNAVAILABLE = 503  # storage health gate (§4.5)
    FAILED = 0  # no response: the pod went away with the request in flight


SUCCESS_CODE = {
    Kind.MANIFEST_GET: Outcome.OK, Kind.MANIFEST_HEAD: Outcome.OK, Kind.BLOB_GET: Outcome.OK,
    Kind.BLOB_HEAD: Outcome.OK, Kind.UPLOAD_START: Outcome.ACCEPTED, Kind.UPLOAD_CHUNK: Outcome.ACCEPTED,
    Kind.UPLOAD_COMMIT: Outcome.CREATED, Kind.MANIFEST_PUT: Outcome.CREATED, Kind.TOKEN_GET: Outcome.OK,
    Kind.METRICS_GET: Outcome.OK,
}
"""The code of a successful request (a redirected blob GET answers 307 instead)."""
