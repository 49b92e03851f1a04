"""Request traffic as numpy arrays (`spec/architecture.md` habit 7): the `Requests` batch,
background pull and push sessions expanded into registry requests (`requests.Kind`), and
the client retry policies.

A background pull (`spec/registry-operator.md` §4.2: all reads) is a manifest GET, then a
GET of the config blob and of every layer the client lacks. A background push (all writes
but the HEADs) is a HEAD per blob, then for each blob the registry lacks a POST (start), one
or more PATCHes (the body) and a PUT (commit, `?digest=`, empty body), then the manifest
PUT. Docker and podman send a blob's whole body in one PATCH (distribution's client
`httpBlobUpload.ReadFrom`; containers/image `dockerImageDestination.PutBlob`), hence the
default `chunk_bytes=None`; and they HEAD the config blob and upload it like a layer.

Simplification: sessions are independent Poisson streams (`profiles.arrivals`) and each
session's requests are laid out at the session start plus fixed client think-time offsets
(`step_seconds` per phase: manifest at t, blobs at t + step, …). A request does not wait
for the previous one to complete, so a slow registry does not slow the offered load down.
A session starting before t1 may place requests after t1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.model.registry.catalogue import Catalogue, CatalogueParams, LayerTable
from twin.model.registry.profiles import Bursts, Constant, Diurnal, Profile, Steps, arrivals
from twin.model.registry.requests import Kind
from twin.model.registry.service import ServiceParams

__all__ = [
    "BackgroundLoad", "Bursts", "Clients", "Constant", "Diurnal", "Profile", "Requests", "RetryPolicy", "Steps",
    "TrafficParams", "arrivals", "background_requests",
]


@dataclass(frozen=True, eq=False)
class Requests:
    """Equal-length arrays, one entry per request, sorted by time (ties: kind, then input order)."""

    time: np.ndarray  # float64 seconds
    kind: np.ndarray  # int8 Kind
    bytes: np.ndarray  # int64: response body of GETs, request body of PATCH and manifest PUT; 0 otherwise
    image: np.ndarray  # int32 index into Catalogue.images
    blob: np.ndarray  # int64 blob id; -1 for manifest requests

    def __len__(self) -> int:
        return int(self.time.size)

    @classmethod
    def of(cls, time, kind, nbytes, image, blob) -> Requests:
        """Unsorted parts, kinds broadcast to the length of `time`."""
        time = np.asarray(time, dtype=np.float64)
        cast = [(kind, np.int8), (nbytes, np.int64), (image, np.int32), (blob, np.int64)]
        return cls(time, *(np.broadcast_to(np.asarray(a, dtype=t), time.shape).copy() for a, t in cast))

    @classmethod
    def empty(cls) -> Requests:
        return cls.of(np.zeros(0), 0, 0, 0, 0)

    def take(self, index) -> Requests:
        return Requests(self.time[index], self.kind[index], self.bytes[index], self.image[index], self.blob[index])

    @staticmethod
    def concat(*parts: Requests) -> Requests:
        """All parts merged and sorted by time; ties by kind, then by position in the
        concatenated input (a stable, deterministic order)."""
        if not parts:
            return Requests.empty()
        merged = Requests(*(np.concatenate([getattr(p, name) for p in parts]) for name in _FIELDS))
        order = np.lexsort((np.arange(len(merged)), merged.kind, merged.time))
        return merged.take(order)


_FIELDS = ("time", "kind", "bytes", "image", "blob")


@dataclass(frozen=True)
class BackgroundLoad:
    pulls: Profile = field(default_factory=lambda: Constant(0.0))  # image pulls per second
    pushes: Profile = field(default_factory=lambda: Constant(0.0))  # image pushes per second
    cached_layer_fraction: float = 0.5  # chance a pulling client already has a layer
    new_layer_fraction: float = 0.3  # chance a pushed image's layer is new to the registry
    chunk_bytes: int | None = None  # PATCH size; None: the whole blob in one PATCH (docker, podman)
    head_before_push: bool = True  # HEAD every blob before uploading (docker, podman)
    step_seconds: float = 0.05  # client think time between the phases of a session
    popularity_exponent: float = 1.0  # image i (by catalogue order) weighs 1/(i+1)^s; 0: uniform

    def __post_init__(self):
        for name in ("cached_layer_fraction", "new_layer_fraction"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name}: expected a fraction between 0 and 1, got {getattr(self, name)!r}")
        if self.chunk_bytes is not None and self.chunk_bytes <= 0:
            raise ValueError(f"chunk_bytes: expected a positive size, got {self.chunk_bytes!r}")
        if self.step_seconds < 0 or self.popularity_exponent < 0:
            raise ValueError("step_seconds and popularity_exponent: expected values that are not negative")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a client answers a 429 (§4.2: `Retry-After: 1`): up to `retries` more attempts,
    `retry_after` seconds apart."""

    retries: int = 0
    retry_after: float = 1.0


@dataclass(frozen=True, slots=True)
class Clients:
    kubelet: RetryPolicy = RetryPolicy(0)  # a failed pull goes to ImagePullBackOff instead
    pull: RetryPolicy = RetryPolicy(2)
    push: RetryPolicy = RetryPolicy(3)


@dataclass(frozen=True)
class TrafficParams:
    """Everything a scenario's `traffic:` section sets."""

    catalogue: CatalogueParams = field(default_factory=CatalogueParams)
    background: BackgroundLoad = field(default_factory=BackgroundLoad)
    clients: Clients = field(default_factory=Clients)
    service: ServiceParams = field(default_factory=ServiceParams)


def background_requests(load: BackgroundLoad, catalogue: Catalogue, t0: float, t1: float,
                        rng: np.random.Generator) -> Requests:
    """The requests of background pull and push sessions starting on [t0, t1)."""
    pulls = arrivals(load.pulls, t0, t1, rng)
    pushes = arrivals(load.pushes, t0, t1, rng)
    table = catalogue.table
    pull_images = choose_images(catalogue, pulls.size, load.popularity_exponent, rng)
    push_images = choose_images(catalogue, pushes.size, load.popularity_exponent, rng)
    return Requests.concat(pull_requests(load, table, pulls, pull_images, rng),
                           push_requests(load, table, pushes, push_images, rng))


def choose_images(catalogue: Catalogue, n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Application images (all images when there are none), Zipf-like: the i-th weighs 1/(i+1)^s."""
    first = catalogue.base_count if len(catalogue.images) > catalogue.base_count else 0
    weights = 1.0 / np.arange(1, len(catalogue.images) - first + 1) ** exponent
    return first + rng.choice(weights.size, size=n, p=weights / weights.sum()).astype(np.int64)


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, position) for items repeated `counts` times: expand([2, 1]) -> ([0, 0, 1], [0, 1, 0])."""
    owner = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(owner.size) - starts[owner]


def image_layers(table: LayerTable, images: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(session, blob id, size) of every layer of each session's image, flattened."""
    session, position = expand(table.layer_count[images])
    flat = table.offsets[images][session] + position
    return session, table.blobs[flat], table.sizes[flat]


def pull_requests(load: BackgroundLoad, table: LayerTable, times: np.ndarray, images: np.ndarray,
                  rng: np.random.Generator) -> Requests:
    """Manifest GET at t; config blob GET and the GETs of the layers the client lacks at t + step."""
    session, blobs, sizes = image_layers(table, images)
    lacking = rng.random(session.size) >= load.cached_layer_fraction
    later = times + load.step_seconds
    return Requests.concat(
        Requests.of(times, Kind.MANIFEST_GET, table.manifest_bytes[images], images, -1),
        Requests.of(later, Kind.BLOB_GET, table.config_bytes[images], images, table.config[images]),
        Requests.of(later[session][lacking], Kind.BLOB_GET, sizes[lacking], images[session][lacking], blobs[lacking]),
    )


def push_requests(load: BackgroundLoad, table: LayerTable, times: np.ndarray, images: np.ndarray,
                  rng: np.random.Generator) -> Requests:
    """HEAD per blob at t; per new blob a POST at t + h, PATCH j at t + h + (1 + j)·step, PUT
    after its last PATCH; the manifest PUT one step after the last blob PUT of the session
    (h = step when HEADs are sent, else 0). The config blob is always new."""
    session, blobs, sizes = image_layers(table, images)
    session = np.concatenate([session, np.arange(times.size)])
    blobs = np.concatenate([blobs, table.config[images]])
    sizes = np.concatenate([sizes, table.config_bytes[images]])
    new = np.concatenate([rng.random(session.size - times.size) < load.new_layer_fraction, np.ones(times.size, bool)])
    step = load.step_seconds
    start = times + (step if load.head_before_push else 0.0)
    heads = Requests.of(times[session], Kind.BLOB_HEAD, 0, images[session], blobs)
    uploads, last = blob_uploads(load, start, images, session[new], blobs[new], sizes[new])
    manifest = Requests.of(last + step, Kind.MANIFEST_PUT, table.manifest_bytes[images], images, -1)
    return Requests.concat(*([heads] if load.head_before_push else []), uploads, manifest)


def blob_uploads(load: BackgroundLoad, start: np.ndarray, images: np.ndarray, session: np.ndarray,
                 blobs: np.ndarray, sizes: np.ndarray) -> tuple[Requests, np.ndarray]:
    """POST, PATCH(es), PUT for each uploaded blob, and the time of each session's last PUT."""
    step, chunk = load.step_seconds, load.chunk_bytes
    chunks = np.ones(blobs.size, np.int64) if chunk is None else -(-sizes // chunk)
    t = start[session]
    commit = t + step * (1 + chunks)
    owner, j = expand(chunks)
    body = sizes[owner] if chunk is None else np.minimum(chunk, sizes[owner] - j * chunk)
    last = start.copy()
    np.maximum.at(last, session, commit)
    image = images[session]
    return Requests.concat(
        Requests.of(t, Kind.UPLOAD_START, 0, image, blobs),
        Requests.of(t[owner] + step * (1 + j), Kind.UPLOAD_CHUNK, body, image[owner], blobs[owner]),
        Requests.of(commit, Kind.UPLOAD_COMMIT, 0, image, blobs),
    ), last
