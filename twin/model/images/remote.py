"""Remote registries the integrated registry imports from and pulls through from: what a
remote answers, what the registry then answers its own client, and the remote's images.

Sources (openshift/image-registry at d4cce000, vendored distribution v3):

* a blob the local store lacks is fetched from the remote: `pullthroughblobstore.go`
  `ServeBlob` (local first; on `ErrBlobUnknown` `copyContent` = remote `Stat`, then
  `Open`, then the copy). `remoteblobgetter.go` `findBlobStore`: a remote 429 becomes
  `errcode.ErrorCodeTooManyRequests` ("unable to pullthrough blob", HTTP **429**); any
  other remote failure leaves `distribution.ErrBlobUnknown` (HTTP **404** BLOB_UNKNOWN);
* a manifest the local store lacks: `pullthroughmanifestservice.go` `remoteGet`. A remote
  429 that the distribution client returns as `*client.UnexpectedHTTPResponseError` (a
  body that is not an errcode list, `registry/client/errors.go` `parseHTTPErrorResponse`)
  becomes **429** TOOMANYREQUESTS; every other error, a 429 whose body *is* an errcode list
  (Docker Hub's `{"errors":[{"code":"TOOMANYREQUESTS",...}]}`) included, becomes
  `ErrorCodePullthroughManifest` (`pkg/errors/errors.go`: HTTPStatusCode **404**,
  OPENSHIFT_PULLTHROUGH_MANIFEST). A fetched manifest is put into the local store at once
  when mirroring is on (`mirrorManifest`, synchronous, no write limiter);
* metrics (`pkg/dockerregistry/server/metrics/metrics.go` `pullthroughRepositoryWrapper`):
  `imageregistry_pullthrough_repository_duration_seconds{registry, operation}` per remote
  call (`BlobStore.Stat`, `BlobStore.Open`, `ManifestService.Get`: `wrapped/`), and
  `..._errors_total{registry, operation, code}` with `dockerErrorCode`: a single
  `errcode.Error` gives its code, anything else (`errcode.Errors`, an unparsed 429, a
  connection error) `UNKNOWN`. `registry` is the remote's v2 host lower-cased
  (`RegistryURL` → `AsV2`: docker.io → registry-1.docker.io, library-go `reference.go`).

Docker Hub's published limits (docker/docs `content/manuals/docker-hub/usage/_index.md`,
PR #22134, 2025): unauthenticated 10 pulls per hour per IPv4 address or IPv6 /64,
Personal (authenticated) 100 per hour, paid plans unlimited; a pull is a GET of a manifest
URL (`/v2/*/manifests/*`), HEAD requests and blob GETs are not counted (`pulls.md`).
"""

from __future__ import annotations

import hashlib
import math
from collections import deque
from dataclasses import dataclass
from enum import IntEnum

from twin.model.registry.catalogue import DERIVED_ID_BASE, CatalogueParams, Image, parse_reference

Z99 = 2.3263478740408408

DOCKER_HUB = "docker.io"
DOCKER_HUB_V2 = "registry-1.docker.io"
"""library-go `pkg/image/reference/reference.go`: `DockerDefaultV2Registry`; `AsV2` maps
docker.io and index.docker.io to it, and `RegistryURL` uses it."""


def registry_label(host: str) -> str:
    """The `registry` label of the pull-through metric families for a remote host."""
    host = host.lower()
    return DOCKER_HUB_V2 if host in (DOCKER_HUB, "index.docker.io", DOCKER_HUB_V2) else host


class Remote(IntEnum):
    """What a remote answered one call."""

    OK = 200
    TOO_MANY = 429  # its rate limit refused the call
    FAILED = 0  # no answer: the remote is down (connection refused or timed out)


def blob_answer(remote: Remote) -> int:
    """The registry's answer to a blob GET it pulls through (`findBlobStore`)."""
    return {Remote.OK: 200, Remote.TOO_MANY: 429, Remote.FAILED: 404}[remote]


def manifest_answer(remote: Remote, errcode_body: bool) -> int:
    """The registry's answer to a manifest GET it pulls through (`remoteGet`):
    `errcode_body` says whether the remote's 429 carries an errcode JSON list (Docker Hub
    does), which the distribution client returns as `errcode.Errors`, not as the
    `UnexpectedHTTPResponseError` the 429 branch looks for."""
    if remote == Remote.OK:
        return 200
    if remote == Remote.TOO_MANY and not errcode_body:
        return 429
    return 404


@dataclass(frozen=True, slots=True)
class RemoteParams:
    """One remote registry. `latency_*`: one round trip, log-normal (median, p99);
    `bandwidth`: bytes/s of one transfer from it; `limit` manifest GETs per `window`
    seconds (0: no limit) for the cluster's one egress address."""

    host: str
    latency_median: float = 0.1
    latency_p99: float = 0.5
    bandwidth: float = 50e6
    limit: int = 0
    window: float = 3600.0
    errcode_body: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.latency_median <= self.latency_p99:
            raise ValueError(f"{self.host}: expected 0 < latency median <= p99")
        if self.bandwidth <= 0 or self.limit < 0 or self.window <= 0:
            raise ValueError(f"{self.host}: expected a positive bandwidth and window and a non-negative limit")

    @property
    def latency_sigma(self) -> float:
        return math.log(self.latency_p99 / self.latency_median) / Z99

    @property
    def label(self) -> str:
        return registry_label(self.host)


class RateWindow:
    """A pull limit over a sliding window: at most `limit` counted calls in any `window`
    seconds; a refused call is not counted (ASSUMPTION: Docker Hub does not document
    whether refused pulls count). `limit` 0: no limit.

    >>> w = RateWindow(2, 60.0)
    >>> [w.admit(t) for t in (0.0, 1.0, 2.0, 61.0)]
    [True, True, False, True]
    """

    __slots__ = ("limit", "window", "times", "refused")

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.times: deque[float] = deque()
        self.refused = 0

    def admit(self, now: float) -> bool:
        if self.limit <= 0:
            return True
        times = self.times
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            self.refused += 1
            return False
        times.append(now)
        return True


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def _uniform(text: str) -> float:
    return (int.from_bytes(_digest(text)[:8], "big") >> 11) / 2**53 + 2**-54


REMOTE_ID_BASE = DERIVED_ID_BASE + (1 << 52)
"""Blob ids of remote images (apart from the catalogue's and its derived images')."""


def remote_image(reference: str, version: int, params: CatalogueParams, changed: int | None = None) -> Image:
    """A remote image, the same in every run: 3 base layers shared by every image of its
    host (a common base such as debian), plus 1-6 of its own; version `v` rebuilds its top
    `changed` layers (None: all of its own) with new ids and sizes."""
    from statistics import NormalDist

    host = parse_reference(reference)[0] or DOCKER_HUB
    normal = NormalDist(math.log(params.layer_median_bytes), params.layer_sigma)
    low, high = params.own_layers
    own = low + int(_uniform(f"{reference}\0count") * (high - low + 1))
    count = 3 + own
    first_changed = 3 if changed is None else max(0, count - changed)

    def blob(k: int) -> tuple[int, int]:
        if k < 3:
            key = f"{host}\0base{k}"
        else:
            key = f"{reference}\0layer{k}\0{version if k >= first_changed else 0}"
        size = params.clip([math.exp(normal.inv_cdf(_uniform(key)))])[0]
        return REMOTE_ID_BASE + int.from_bytes(_digest(key)[:6], "big"), int(size)

    blobs = [blob(k) for k in range(count)]
    _, repository, tag = parse_reference(reference)
    config = REMOTE_ID_BASE + int.from_bytes(_digest(f"{reference}\0config\0{version}")[:6], "big")
    return Image(reference, repository, tag, params.manifest_bytes(count), config, params.config_bytes(count),
                 tuple(b for b, _ in blobs), tuple(s for _, s in blobs))
