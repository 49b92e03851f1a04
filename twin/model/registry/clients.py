"""How registry clients behave (`spec/capacity.md` §1, §3): containers/image, which
CRI-O (the kubelet's image pulls), podman, skopeo and buildah all use.

* A pull pings `/v2/` (401 and the auth challenge), fetches a token, GETs the manifest,
  then the config blob and every layer it lacks, at most `lanes` at a time
  (`copy/copy.go` `maxParallelDownloads = 6`). A push pings, fetches a token, HEADs
  each blob, uploads those the registry lacks (POST, PATCH with the body, PUT) over
  the same lanes, and PUTs the manifest.
* Each lane is one HTTP/1.1 connection (c/image builds its transport without HTTP/2),
  balanced to a registry pod when it opens (the Service picks per connection, §3) and
  reused for the lane's next requests; the first request on a new connection pays the
  TLS handshake.
* Closed loop: a lane sends its next request when the previous answer (and, for a
  redirected blob, the download from the object store) is done.
* 429: `docker/docker_client.go` `makeRequestToResolvedURL` tries a body-less request
  up to 5 times, sleeping the `Retry-After` the registry sends (1 s, §4.2) or else the
  back-off (2 s doubling), at most 60 s. Requests with a body (a PATCH, a manifest PUT)
  are not retried. Anything else that fails (a 5xx, a broken or refused connection)
  fails the pull or push: the kubelet then backs off (`pulls.py`), other clients give up.
"""

from __future__ import annotations

from dataclasses import dataclass

ATTEMPTS = 5
"""docker_client.go: `backoffNumIterations = 5`."""
INITIAL_BACKOFF, MAX_BACKOFF = 2.0, 60.0
"""docker_client.go: `backoffInitialDelay = 2 * time.Second`, `backoffMaxDelay = 60 * time.Second`."""
LANES = 6
"""copy/copy.go: `maxParallelDownloads = 6` (CRI-O passes no other value)."""
RETRY_AFTER = 1.0
"""The registry's 429 carries `Retry-After: 1` (`spec/registry-operator.md` §4.2)."""


@dataclass(frozen=True, slots=True)
class ClientPolicy:
    """One kind of client. `attempts`: tries of a body-less request answered 429;
    `honour_retry_after`: sleep the server's Retry-After instead of the back-off;
    `think`: seconds between an answer and the lane's next request; `bandwidth`: bytes/s
    a client outside the cluster downloads a redirected blob at (a kubelet shares its
    node's link instead); `route`: it reaches the registry through its route and the
    ingress router (`sim/traffic/router.py`), not the Service."""

    attempts: int = ATTEMPTS
    initial_backoff: float = INITIAL_BACKOFF
    max_backoff: float = MAX_BACKOFF
    honour_retry_after: bool = True
    lanes: int = LANES
    think: float = 0.0
    bandwidth: float = 90e6
    route: bool = False  # outside the cluster: through the registry's route and the ingress router

    def __post_init__(self):
        if self.attempts < 1 or self.lanes < 1:
            raise ValueError(f"expected attempts >= 1 and lanes >= 1, got {self.attempts!r} and {self.lanes!r}")
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.think < 0 or not self.bandwidth > 0:
            raise ValueError("expected back-offs and think time >= 0 and a positive bandwidth")

    def retry_delay(self, attempt: int, retry_after: float = RETRY_AFTER) -> float:
        """Seconds before the retry after the `attempt`-th 429 (0-based).

        >>> p = ClientPolicy()
        >>> [p.retry_delay(k) for k in range(4)]
        [1.0, 1.0, 1.0, 1.0]
        >>> [ClientPolicy(honour_retry_after=False).retry_delay(k) for k in range(4)]
        [2.0, 4.0, 8.0, 16.0]
        """
        backoff = min(self.initial_backoff * (1 << attempt), self.max_backoff)
        delay = retry_after if self.honour_retry_after and retry_after > 0 else backoff
        return min(delay, self.max_backoff)

    def retries_429(self, attempt: int, has_body: bool) -> bool:
        """Whether a request answered 429 on its `attempt`-th try (0-based) is sent again."""
        return not has_body and attempt + 1 < self.attempts
