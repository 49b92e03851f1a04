"""The `image-registry` Service: which pods receive requests, and what a request routed
to a pod that cannot answer gets.

Endpoints are the Ready, non-terminating registry pods (the EndpointSlice controller),
ordered by name; kube-proxy picks one uniformly at random per connection (iptables
mode's `--probability` chain), from a seeded stream. A pod leaves the endpoints the
moment it is marked for deletion or turns NotReady, but the API only learns that a node
died after the node lifecycle controller's grace period, so until then connections to
its pods time out. A Service without endpoints rejects connections at once.
"""

from __future__ import annotations

from enum import IntEnum

CONNECT_TIMEOUT = 30.0
"""Go `net.Dialer` timeout of `http.DefaultTransport`, which container-image clients use."""

REFUSED_SECONDS = 0.001


class Unreachable(IntEnum):
    """Codes of requests that got no HTTP response (below every HTTP status)."""

    BROKEN = 0  # the pod died with the request open
    REFUSED = 1  # nothing listening: the container is not running
    TIMED_OUT = 2  # the pod's node is down or cut off
    NO_ENDPOINTS = 3  # the Service had no Ready endpoint


def failure_delay(code: int) -> float:
    return CONNECT_TIMEOUT if code == Unreachable.TIMED_OUT else REFUSED_SECONDS
