"""A bounded, concurrent pull load generator for the real registry.

Open loop at the session level, closed loop within a session, as the twin's background
clients are (`docs/requests.md`, "Clients"): pull sessions start at Poisson times of a
given rate; each session holds one HTTP/1.1 keep-alive connection and sends, one after
the other, what a containers/image pull sends to a registry without authentication: the
`/v2/` ping, the manifest GET (OCI media types accepted), then the config blob and every
layer (each body read to its end). A session thread comes from a pool of `max_sessions`:
when every thread is busy, a session waits for one, and its wait is recorded (`lag`),
never hidden. Every loop is bounded: `seconds` of arrivals, `max_requests` in all, and a
socket timeout per request.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from twin.model.registry.catalogue import Image

ACCEPT = ", ".join(["application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
                    "application/vnd.docker.distribution.manifest.v2+json"])
TIMEOUT = 30.0


@dataclass
class Pulls:
    """What the generator saw: per session (start, end, lag, ok), and per request
    (start, seconds, kind, status, bytes)."""

    sessions: list[tuple[float, float, float, bool]] = field(default_factory=list)
    requests: list[tuple[float, float, str, int, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def session_seconds(self) -> np.ndarray:
        return np.array([end - start for start, end, _, ok in self.sessions if ok])


def run_pulls(host: str, images: list[Image], rate: float, seconds: float, seed: int, max_sessions: int = 64,
              max_requests: int = 200_000, checks: bool = False) -> Pulls:
    """Pull sessions at `rate` per second for `seconds` (Poisson, images chosen uniformly).
    With `checks`, each session only pings and fetches the manifest, as a tag check does
    (`skopeo inspect --raw`, an image-change trigger polling a tag): a different mix of
    request kinds, which lets a calibration tell the kinds' CPU apart."""
    rng = np.random.default_rng(seed)
    count = min(int(rng.poisson(rate * seconds)), max_requests)
    times = np.sort(rng.uniform(0.0, seconds, count))
    choice = rng.integers(0, len(images), count)
    pulls, sent = Pulls(), [0]
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=max_sessions) as pool:
        for at, k in zip(times.tolist(), choice.tolist()):
            delay = began + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if sent[0] >= max_requests:
                break
            pool.submit(_session, host, images[k], began + at, pulls, sent, max_requests, checks)
    return pulls


def _session(host: str, image: Image, due: float, pulls: Pulls, sent: list[int], max_requests: int,
             checks: bool = False) -> None:
    start = time.monotonic()
    connection = http.client.HTTPConnection(host, timeout=TIMEOUT)
    ok = True
    try:
        ok = _get(connection, "/v2/", "ping", pulls, sent) == 200
        status, body = _request(connection, f"/v2/{image.repository}/manifests/{image.tag}", "manifest_get", pulls, sent,
                                {"Accept": ACCEPT})
        ok = ok and status == 200
        if ok and not checks:
            manifest = json.loads(body)
            for digest in [manifest["config"]["digest"], *(layer["digest"] for layer in manifest["layers"])]:
                if sent[0] >= max_requests:
                    ok = False
                    break
                ok = _get(connection, f"/v2/{image.repository}/blobs/{digest}", "blob_get", pulls, sent) == 200 and ok
    except (OSError, http.client.HTTPException, ValueError, KeyError):
        ok = False
    finally:
        connection.close()
    with pulls.lock:
        pulls.sessions.append((start, time.monotonic(), start - due, ok))


def _get(connection, path: str, kind: str, pulls: Pulls, sent: list[int]) -> int:
    return _request(connection, path, kind, pulls, sent)[0]


def _request(connection, path: str, kind: str, pulls: Pulls, sent: list[int],
             headers: dict | None = None) -> tuple[int, bytes]:
    start = time.monotonic()
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    seconds = time.monotonic() - start
    with pulls.lock:
        sent[0] += 1
        pulls.requests.append((start, seconds, kind, response.status, len(body)))
    return response.status, body
