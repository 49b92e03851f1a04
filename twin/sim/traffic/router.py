"""The ingress router between clients outside the cluster and the registry: the HAProxy
backend OpenShift's router writes for the registry's route (`model/registry/router.py`
cites every value).

What it does to a request, in the data plane's time:

* no admitted route: 503 at once (the router has no backend for the host);
* `maxconn` requests in flight: the connection is not accepted; the client's dial
  times out (Go's 30 s, `routing.CONNECT_TIMEOUT`) - ASSUMPTION: the listen backlog
  holds it that long;
* balancing: `balance random` with two draws, the server with fewer of the router's
  requests in flight wins (`get_server_rnd`); the servers are the Ready endpoints as
  of the router's last reload (EndpointSlice watch; reloads at most every 5 s), minus
  those its health checks marked DOWN; none: 503;
* a connect to a pod on a dead node times out after `timeout connect` (5 s), one
  refused (nothing listening) fails at once; then a retry, redispatched to another
  server at once when more than one is up (`stream_choose_redispatch`), else to the same
  one after min(1 s, timeout connect) for a refused connect (`back_handle_st_cer`);
  after `retries` (3) retries: 503;
* `timeout server` (30 s) without the pod's first byte: 504 for the client; the pod
  goes on (a request still queued in its limiter leaves it: the limiter's
  `ctx.Done()`, image-registry `maxconnections/limiter.go`, the registry's 429 to
  nobody). The pod's metrics count what the pod did; the request totals count the 504;
* the pod dies before its first byte: 502 (HAProxy "SH"); during the body the
  client's connection breaks (no response).

Health checks (only with more than one server): a TCP connect every `inter` after the
previous check ended, failing after min(timeout connect, inter) to a dead node or at
once when refused; `fall` failures in a row mark the server DOWN, `rise` successes
UP. A reload starts every server UP (no server-state file).

ASSUMPTIONS: one router replica's view (the IngressController runs two; each balances
and checks on its own); the hop adds no time (HAProxy's processing and the extra hop
inside the cloud network are well under a millisecond); the router keeps its
connections to the pods open (`http-reuse`), so the pod pays no TLS handshake per
client connection; `random`'s tie between equally loaded servers goes to the later
draw (HAProxy then compares their request rates); the router's own reloads come only
from the registry's endpoints (on a real cluster every route's endpoints reload it,
each time resetting the health checks).
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Any, Final

from twin.model.registry.router import RouterParams
from twin.sim.traffic.exchange import CALL, DIRECT, GONE, OPEN, Req
from twin.sim.traffic.routing import CONNECT_TIMEOUT as CLIENT_DIAL_TIMEOUT
from twin.sim.traffic.routing import Unreachable
from twin.sim.traffic.storage import Draws

if TYPE_CHECKING:
    from twin.sim.traffic.plane import DataPlane

INF: Final = math.inf
REFUSED_WAIT: Final = 1.0  # HAProxy's turn-around before retrying a refused connect on the same server
UNAVAILABLE: Final = 503
BAD_GATEWAY: Final = 502
GATEWAY_TIMEOUT: Final = 504
TOO_MANY: Final = 429


class Check:
    """One server's health check in the router's current configuration."""

    __slots__ = ("router", "key", "generation", "failures", "successes")

    def __init__(self, router: Router, key: str) -> None:
        self.router = router
        self.key = key
        self.generation = router.generation
        self.failures = 0
        self.successes = 0

    def run(self, now: float) -> None:
        router = self.router
        if router.generation != self.generation:
            return
        plane = router.plane
        if self.key in plane.unreachable:
            plane.schedule(now + router.check_timeout, CALL, self.failed)
            return
        server = plane.servers.get(self.key)
        if server is None or not server.accepting:
            return self.failed(now)
        self.passed(now)

    def failed(self, now: float) -> None:
        router = self.router
        if router.generation != self.generation:
            return
        self.successes = 0
        self.failures += 1
        if self.failures >= router.fall:
            router.mark(self.key, False)
        router.plane.schedule(now + router.inter, CALL, self.run)

    def passed(self, now: float) -> None:
        router = self.router
        self.failures = 0
        self.successes += 1
        if self.successes >= router.rise:
            router.mark(self.key, True)
        router.plane.schedule(now + router.inter, CALL, self.run)


class Router:
    def __init__(self, plane: DataPlane, params: RouterParams, rng: Any) -> None:
        self.plane = plane
        self.connect_timeout: float = params.connect_timeout
        self.server_timeout: float = params.server_timeout
        self.retries: int = params.retries
        self.maxconn: int = params.maxconn
        self.inter: float = params.check_interval
        self.check_timeout: float = params.check_timeout
        self.fall: int = params.fall
        self.rise: int = params.rise
        self.reload_interval: float = params.reload_interval
        self.admitted: bool = params.admitted
        self.draws = Draws(rng, uniform=True)
        self.servers: list[str] = []  # the backend's servers as of the last reload
        self.up: list[str] = []  # those not marked DOWN
        self.down: set[str] = set()
        self.served: dict[str, int] = {}  # the router's requests in flight per server
        self.in_flight = 0
        self.generation = 0
        self.last_reload = -INF
        self.reload_due = INF
        self.watched: deque[Req] = deque()  # sent to a pod, in the order sent (for `timeout server`)
        self.deadlines: deque[float] = deque()
        self.timer_due = INF
        self.counts: dict[str, int] = {"retries": 0, "redispatches": 0, "no_server": 0, "connect_failed": 0,
                                       "server_timeouts": 0, "bad_gateway": 0, "not_accepted": 0, "reloads": 0,
                                       "marked_down": 0}
        self.peak = 0
        self.longest_silence = 0.0  # the longest a request answered through the router waited for its pod's answer

    # ----- a request through the router ------------------------------------------------------
    def dispatch(self, r: Req) -> None:
        plane = self.plane
        if not self.admitted:
            return self._fail(r, UNAVAILABLE)
        if self.in_flight >= self.maxconn:
            self.counts["not_accepted"] += 1
            r.code = int(Unreachable.TIMED_OUT)
            plane.answer_at(r, plane.now + CLIENT_DIAL_TIMEOUT)
            return
        self.in_flight += 1
        if self.in_flight > self.peak:
            self.peak = self.in_flight
        r.hop = 0
        self._try(r, None)

    def _try(self, r: Req, avoid: str | None) -> None:
        key = self.pick(avoid)
        if key is None:
            self.counts["no_server"] += 1
            return self._fail(r, UNAVAILABLE)
        self._connect(r, key)

    def _connect(self, r: Req, key: str) -> None:
        plane = self.plane
        if key in plane.unreachable:
            plane.schedule(plane.now + self.connect_timeout, CALL, lambda t: self._failed(r, key, False))
            return
        server = plane.servers.get(key)
        if server is None or not server.accepting:
            return self._failed(r, key, True)
        self.served[key] = self.served.get(key, 0) + 1
        r.relay = key
        r.sent = plane.now
        self._watch(r)
        plane.arrive(server, r, plane.now)

    def _failed(self, r: Req, key: str, refused: bool) -> None:
        """A connect to `key` failed: retry, redispatched or not, or give up with 503."""
        self.counts["connect_failed"] += 1
        if r.hop >= self.retries:
            return self._fail(r, UNAVAILABLE)
        r.hop += 1
        self.counts["retries"] += 1
        up = len(self.up)
        if key in self.down or key not in self.servers or r.hop % max(self.retries, 1) == 0 or up > 1:
            self.counts["redispatches"] += 1
            if not refused or up > 1:
                return self._try(r, key)
            plane = self.plane
            plane.schedule(plane.now + min(REFUSED_WAIT, self.connect_timeout), CALL, lambda t: self._try(r, key))
            return
        if refused:
            plane = self.plane
            plane.schedule(plane.now + min(REFUSED_WAIT, self.connect_timeout), CALL, lambda t: self._connect(r, key))
            return
        self._connect(r, key)

    def _fail(self, r: Req, code: int) -> None:
        r.code = code
        self.plane.answer_at(r, self.plane.now)

    def pick(self, avoid: str | None) -> str | None:
        """`balance random` with two draws: the server with fewer of the router's requests
        in flight; a draw landing on `avoid` moves to the next server (chash's `avoid`)."""
        up = self.up
        n = len(up)
        if n == 0:
            return None
        if n == 1:
            return up[0]
        best: str | None = None
        for _ in range(2):
            i = self.draws.index(n)
            key = up[i]
            if key == avoid:
                key = up[(i + 1) % n]
            if best is None or self.served.get(key, 0) <= self.served.get(best, 0):
                best = key
        return best

    def release(self, r: Req) -> None:
        """The client heard the end of `r` (the plane's `_answered`): the router lets go of it."""
        key = r.relay
        if key is not None:
            self.served[key] -= 1
            r.relay = None
            silence = self.plane.now - r.sent
            if r.parts == 0 and r.stream == 0 and silence > self.longest_silence:
                self.longest_silence = silence
        if r.code == 0 and r.parts == 0 and key is not None and r.transfer == 0.0:
            r.code = BAD_GATEWAY  # the pod died before its first byte: HAProxy answers 502
            self.counts["bad_gateway"] += 1
        self.in_flight -= 1
        r.hop = DIRECT

    # ----- timeout server ------------------------------------------------------------------------
    def _watch(self, r: Req) -> None:
        deadline = self.plane.now + self.server_timeout
        self.watched.append(r)
        self.deadlines.append(deadline)
        if self.timer_due == INF:
            self.timer_due = deadline
            self.plane.schedule(deadline, CALL, self._expire)

    def _expire(self, now: float) -> None:
        """Every request sent `server_timeout` ago still without its pod's first byte gets
        504; those answered or streaming leave the watch. One timer for the oldest request
        still waiting: the requests are watched in the order sent, all with the same timeout."""
        self.timer_due = INF
        watched, deadlines = self.watched, self.deadlines
        while watched:
            r = watched[0]
            if r.end == OPEN and r.parts == 0 and r.hop >= 0 and r.relay is not None:
                if deadlines[0] > now:
                    break
                watched.popleft()
                deadlines.popleft()
                self._cut(r, now)
            else:
                watched.popleft()
                deadlines.popleft()
        if watched:
            self.timer_due = deadlines[0]
            self.plane.schedule(deadlines[0], CALL, self._expire)

    def _cut(self, r: Req, now: float) -> None:
        """504 for the client now; the pod goes on with `r` for nobody."""
        self.counts["server_timeouts"] += 1
        plane = self.plane
        heard = Req(r.kind, r.nbytes, r.client, r.owner, r.attempt, r.tag, r.miss, r.blob, r.image)
        heard.id, heard.time, heard.code = r.id, r.time, GATEWAY_TIMEOUT
        key = r.relay
        if key is not None:
            self.served[key] -= 1
            r.relay = None
        self.in_flight -= 1
        if self.server_timeout > self.longest_silence:
            self.longest_silence = self.server_timeout
        r.owner = None
        r.hop = GONE
        server = r.server
        if server is not None and r.start != r.start and r.klass >= 0:  # queued: the limiter sees ctx.Done()
            waiting = server.limiters[r.klass].waiting
            if r in waiting:
                waiting.remove(r)
                r.code = TOO_MANY
                plane.answer_at(r, now)
        plane.answer_at(heard, now)

    # ----- the backend's servers -------------------------------------------------------------------
    def endpoints_changed(self) -> None:
        """The Service's endpoints changed: the router reloads now, or once the reload
        interval since its last reload is over (changes in between are coalesced)."""
        now = self.plane.now
        due = self.last_reload + self.reload_interval
        if due <= now:
            self.reload(now)
        elif self.reload_due == INF:
            self.reload_due = due
            self.plane.schedule(due, CALL, self.reload)

    def reload(self, now: float) -> None:
        self.reload_due = INF
        self.last_reload = now
        self.counts["reloads"] += 1
        self.generation += 1
        self.servers = list(self.plane.endpoints)
        self.down = set()
        self.up = list(self.servers)
        if len(self.servers) > 1:  # `check inter` only with more than one active endpoint
            for key in self.servers:
                check = Check(self, key)
                self.plane.schedule(now + self.draws.next() * self.inter, CALL, check.run)

    def mark(self, key: str, up: bool) -> None:
        if up and key in self.down:
            self.down.discard(key)
        elif not up and key not in self.down:
            self.down.add(key)
            self.counts["marked_down"] += 1
        else:
            return
        self.up = [k for k in self.servers if k not in self.down]
