"""The registry's request vocabulary (`spec/registry-operator.md` §4–§5): request kinds,
their HTTP method, limiter class, the wrapped registry operations and storage-driver
operations they perform, and the outcomes a request can have.

Requests travel through the twin as numpy arrays of these integer codes, never as one
Python object per request (`spec/architecture.md`, habit 7).
"""

from __future__ import annotations

from enum import IntEnum


class Kind(IntEnum):
    """What a client asks for. The three DELETEs are the image pruner's (`oc adm prune images
    --prune-registry=true`, openshift/oc `pkg/cli/admin/prune/imageprune/prune.go`
    `deleteFromRegistry`); distribution answers a manifest or layer-link delete 202
    (`registry/handlers/manifests.go` `DeleteManifest`, `blob.go` `DeleteBlob`)."""

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
    PING = 10  # GET /v2/ without credentials: the client learns the auth challenge (answered 401)
    MANIFEST_DELETE = 11  # DELETE /v2/<repo>/manifests/<digest>: the repository's manifest link (the pruner)
    BLOB_DELETE = 12  # DELETE /v2/<repo>/blobs/<digest>: the repository's layer link (the pruner)
    ADMIN_BLOB_DELETE = 13  # DELETE /admin/blobs/<digest>: the blob's data (the pruner, IR `admin.go`)


METHOD = {
    Kind.MANIFEST_GET: "get", Kind.MANIFEST_HEAD: "head", Kind.BLOB_GET: "get", Kind.BLOB_HEAD: "head",
    Kind.UPLOAD_START: "post", Kind.UPLOAD_CHUNK: "patch", Kind.UPLOAD_COMMIT: "put", Kind.MANIFEST_PUT: "put",
    Kind.TOKEN_GET: "get", Kind.METRICS_GET: "get", Kind.PING: "get",
    Kind.MANIFEST_DELETE: "delete", Kind.BLOB_DELETE: "delete", Kind.ADMIN_BLOB_DELETE: "delete",
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
    Kind.PING: (),
    Kind.MANIFEST_DELETE: ("ManifestService.Delete",),
    Kind.BLOB_DELETE: ("BlobStore.Delete",),
    Kind.ADMIN_BLOB_DELETE: (),  # the admin handler works on the storage driver itself (IR `admin.go` `blobHandler.Delete`)
}
"""`imageregistry_request_duration_seconds{operation}` observed per request (§5); the
delete wrappers are IR `pkg/dockerregistry/server/wrapped/manifestservice.go` and
`wrapped/blobstore.go`."""

STORAGE_OPERATIONS = {
    Kind.MANIFEST_GET: ("StorageDriver.GetContent",),
    Kind.MANIFEST_HEAD: ("StorageDriver.Stat",),
    Kind.BLOB_GET: ("StorageDriver.Stat", "StorageDriver.URLFor"),  # streamed: Reader instead of URLFor
    Kind.BLOB_HEAD: ("StorageDriver.Stat", "StorageDriver.URLFor"),  # URLFor only when redirected
    Kind.UPLOAD_START: ("StorageDriver.PutContent",),
    Kind.UPLOAD_CHUNK: ("StorageDriver.Writer",),
    Kind.UPLOAD_COMMIT: ("StorageDriver.Stat", "StorageDriver.Move"),
    Kind.MANIFEST_PUT: ("StorageDriver.PutContent",),
    Kind.TOKEN_GET: (),
    Kind.METRICS_GET: (),
    Kind.PING: (),
    # A link delete (distribution `linkedBlobStore.Delete`): read the link (GetContent), stat the
    # blob it names (`Stat`: timed, not observed here, see `service.storage_ops`), delete the link.
    Kind.MANIFEST_DELETE: ("StorageDriver.GetContent", "StorageDriver.Delete"),
    Kind.BLOB_DELETE: ("StorageDriver.GetContent", "StorageDriver.Delete"),
    Kind.ADMIN_BLOB_DELETE: ("StorageDriver.Delete",),  # `Vacuum.RemoveBlob`: the blob's data folder
}
"""`imageregistry_storage_duration_seconds{operation}` observed per request (§5)."""


class Outcome(IntEnum):
    """How a request ended. HTTP codes where the client sees one; FAILED when the
    connection broke (the pod was killed with the request in flight)."""

    OK = 200
    CREATED = 201
    ACCEPTED = 202
    NO_CONTENT = 204  # an admin blob delete (IR `admin.go`)
    REDIRECT = 307
    UNAUTHORIZED = 401  # the auth challenge answering a ping without credentials
    NOT_FOUND = 404  # a blob HEAD for a blob the registry does not hold (the push uploads it)
    NOT_ALLOWED = 405  # readOnly (§4.3)
    TOO_MANY = 429  # the limiter: queue full, wait timeout or client gone (§4.2)
    ERROR = 500  # a storage operation failed (the object store throttled past the SDK's retries)
    BAD_GATEWAY = 502  # the router: the pod closed the connection before its response (HAProxy "SH")
    UNAVAILABLE = 503  # storage health gate (§4.5); the router: no route admitted, no server, connects failed
    GATEWAY_TIMEOUT = 504  # the router: no response within `timeout server` (30 s)
    FAILED = 0  # no response: the pod went away with the request in flight


SUCCESS_CODE = {
    Kind.MANIFEST_GET: Outcome.OK, Kind.MANIFEST_HEAD: Outcome.OK, Kind.BLOB_GET: Outcome.OK,
    Kind.BLOB_HEAD: Outcome.OK, Kind.UPLOAD_START: Outcome.ACCEPTED, Kind.UPLOAD_CHUNK: Outcome.ACCEPTED,
    Kind.UPLOAD_COMMIT: Outcome.CREATED, Kind.MANIFEST_PUT: Outcome.CREATED, Kind.TOKEN_GET: Outcome.OK,
    Kind.METRICS_GET: Outcome.OK, Kind.PING: Outcome.UNAUTHORIZED,
    Kind.MANIFEST_DELETE: Outcome.ACCEPTED, Kind.BLOB_DELETE: Outcome.ACCEPTED, Kind.ADMIN_BLOB_DELETE: Outcome.NO_CONTENT,
}
"""The code of a successful request (a redirected blob GET or HEAD answers 307 instead)."""


CODE_CLASSES = ("failed", "ok", "redirect", "client_error", "not_allowed", "too_many", "server_error", "unavailable")
"""How the twin groups outcomes: no response (code < 200: a broken, refused or timed-out
connection), 2xx, 3xx, other 4xx (401 answering a ping, 404 answering the HEAD of a blob
a push then uploads: both expected steps of the protocol), 405 (readOnly), 429 (the
limiter), other 5xx (500: a storage operation failed), 503 (the storage health gate)."""


def _class_table():
    import numpy as np

    table = np.zeros(600, np.int8)
    for low, high, name in ((200, 300, "ok"), (300, 400, "redirect"), (400, 500, "client_error"),
                            (500, 600, "server_error")):
        table[low:high] = CODE_CLASSES.index(name)
    for code, name in ((405, "not_allowed"), (429, "too_many"), (503, "unavailable")):
        table[code] = CODE_CLASSES.index(name)
    return table


CLASS_OF_CODE = _class_table()
"""`CLASS_OF_CODE[code]`: the index into CODE_CLASSES of an outcome code (0..599)."""
