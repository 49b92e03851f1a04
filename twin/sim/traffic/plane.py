"""The data plane: one event loop, in simulated time, for every request, every registry
container's limiters, CPU and memory, every node's link and the object store.

A request's life at a pod (`spec/registry-operator.md` §4.1, outermost first): the
storage health gate (503), the read or write limiter (429 or a FIFO wait), then the app:
405 for a write under readOnly, otherwise its storage phase (`storage.py`) and its fixed
delay, its CPU (shared by the pod's requests, `resources/sharing.py`), and for a body the
pod streams itself its transfer through the node's link (`resources/links.py`), with the
CPU for the streamed bytes running alongside the transfer. The slot is held
until the response is written, and memory for as long as the request holds it.

The loop is driven from outside: `run_until(t)` handles every event before `t`. The
traffic engine calls it before any change the loop cannot see (endpoints, a container
starting or stopping, the storage gate), so every request meets the cluster as it was
when it arrived. Clients (`sessions.py`) run inside the loop: each answer reaches its
owner at the instant it is written, so closed-loop clients are exact.

Events wait in a heap ordered by `(time, seq)` (`events.py`), `seq` being the order they
were scheduled in, which makes runs deterministic. A pod's CPU and a node's link each
keep one event for their next departure, replaced (the old one skipped by its `seq`)
when their sharing changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from mypy_extensions import i64

from twin.model.images.mapping import StreamState, mapping_answer
from twin.model.registry.auth import BAD_REQUEST, CREATE_STREAMS, DEFAULT_VERBS, NEEDS, REVIEWS, UNAUTHORIZED
from twin.model.registry.batch import Client
from twin.model.registry.requests import SUCCESS_CODE, WRITES, Kind, Outcome, limiter_of
from twin.model.registry.resources.links import Link
from twin.model.registry.resources.memory import MemoryParams
from twin.model.registry.resources.nodes import NetworkSpec
from twin.model.registry.resources.objectstore import ObjectStore
from twin.model.registry.service import HEADER_BYTES, REDIRECT_BODY_BYTES, ServiceParams, body_bytes
from twin.sim.traffic.events import Entry, EventQueue
from twin.sim.traffic.exchange import (ANSWER, CALL, CPU, DIRECT, DOWNLOADED, EXPIRE, GONE, LINK, OPEN, STORED, TIMER,
                                      Connection, Owner, Req, Timer)
from twin.sim.traffic.pod import PodContent, PodServer
from twin.sim.traffic.router import Router
from twin.sim.traffic.routing import Unreachable, failure_delay
from twin.sim.traffic.storage import OWN_BLOCK, Draws, StoragePhase

INF: Final = math.inf
REJECT_SECONDS: Final = 0.0005
"""Time to write a 503 or 405 response: negligible next to any real request."""
_LIMITER: Final = tuple(int(limiter_of(k)) for k in Kind)
_WRITE: Final = tuple(k in WRITES for k in Kind)
_SUCCESS: Final = tuple(int(SUCCESS_CODE[k]) for k in Kind)
_STREAMS: Final = tuple(k in (Kind.BLOB_GET, Kind.UPLOAD_CHUNK) for k in Kind)
_REDIRECTABLE: Final = tuple(k in (Kind.BLOB_GET, Kind.BLOB_HEAD) for k in Kind)
_REQUEST_BODY: Final = tuple(k in (Kind.UPLOAD_CHUNK, Kind.MANIFEST_PUT) for k in Kind)
_RESPONSE_BODY: Final = tuple(k in (Kind.MANIFEST_GET, Kind.BLOB_GET) for k in Kind)
"""Kinds whose request or response carries a body (`service.body_bytes`, inlined here)."""
_MAPPINGS: Final = tuple(mapping_answer(state, can) for state in StreamState for can in (False, True))
"""(API calls, status) of a manifest PUT's ImageStreamMapping, at `state * 2 + can_create`
(`model/images/mapping.py`)."""
KINDS: Final = len(Kind)
BLOB_HEAD: Final = int(Kind.BLOB_HEAD)
METRICS_GET: Final = int(Kind.METRICS_GET)
MANIFEST_GET: Final = int(Kind.MANIFEST_GET)
MANIFEST_HEAD: Final = int(Kind.MANIFEST_HEAD)
MANIFEST_PUT: Final = int(Kind.MANIFEST_PUT)
BLOB_GET: Final = int(Kind.BLOB_GET)
UPLOAD_COMMIT: Final = int(Kind.UPLOAD_COMMIT)
MANIFEST_DELETE: Final = int(Kind.MANIFEST_DELETE)
ADMIN_BLOB_DELETE: Final = int(Kind.ADMIN_BLOB_DELETE)
HEADER: Final = HEADER_BYTES
REDIRECT_BODY: Final = REDIRECT_BODY_BYTES
BESIDE: Final = "stream"
"""The CPU job of a streamed body's bytes off its critical path (`service.py`, step 4): it
shares the pod's cores from the transfer's start and ends nothing when it is done."""


def review_sum(median: float, sigma: float, n: int) -> tuple[float, float]:
    """(mu, sigma) of a log-normal for the sum of `n` independent log-normal reviews of
    `median` and `sigma`, with the sum's mean and variance (Fenton-Wilkinson): one draw
    per request instead of `n` (the data plane's hot path); its median and p99 are within
    a few per cent of the exact sum's for the spreads the twin uses (a test checks it).
    A fixed latency (sigma 0) sums exactly."""
    if sigma <= 0:
        return math.log(n * median), 0.0
    mean = n * median * math.exp(sigma * sigma / 2)
    variance = n * (math.exp(sigma * sigma) - 1) * median * median * math.exp(sigma * sigma)
    s2 = math.log(1 + variance / (mean * mean))
    return math.log(mean) - s2 / 2, math.sqrt(s2)


class DataPlane:
    def __init__(self, service: ServiceParams, memory: MemoryParams, store: ObjectStore,
                 network_of: Callable[[str], NetworkSpec], routing: Any, storage_rng: Any) -> None:
        self.service = service
        self.memory = memory
        self.store = store
        self.network_of = network_of
        self.queue = EventQueue()
        self.seq: i64 = 0
        self.now = 0.0
        self.servers: dict[str, PodServer] = {}
        self.endpoints: list[str] = []  # Ready, not terminating (what new connections go to)
        self.fallback: list[str] = []  # terminating but serving: used only when no pod is Ready (KEP-1669)
        self.unreachable: set[str] = set()  # pods on a node that is down or cut off
        self.links: dict[str, Link] = {}
        self.unrouted: list[Req] = []  # ended without reaching a pod (connection failures)
        self.finished_rows = 0  # ended since the last `take_finished`
        self.retired: list[PodServer] = []  # stopped containers whose ended requests are not taken yet
        self.kills: list[tuple[float, str, str]] = []  # (time, pod, reason) the loop decided: OOM kills
        self.issued = [0] * (len(Client) * KINDS)
        self.storage = StoragePhase(service, store, storage_rng)
        self.uniforms = Draws(routing, uniform=True, block=OWN_BLOCK)  # (the routing stream is the plane's alone)
        self.next_id = 0
        self.cpu: list[float] = [service.cpu[k] for k in Kind]
        self.overhead: int = memory.request_overhead
        self.tls: float = service.tls_handshake
        self.per_byte: float = service.cpu_per_byte
        self.stream_bandwidth: float = service.storage_read_bytes_per_second
        review = service.review_latency
        self.reviews: list[int] = [REVIEWS[k] if review is not None else 0 for k in Kind]
        sums = [review_sum(review.median, review.sigma, n) if review is not None and n else (0.0, 0.0)
                for n in self.reviews]
        self.review_mu: list[float] = [mu for mu, _ in sums]
        self.review_sigma: list[float] = [sigma for _, sigma in sums]
        puts = [review_sum(review.median, review.sigma, self.reviews[MANIFEST_PUT] + calls) if review is not None
                else (0.0, 0.0) for calls, _ in _MAPPINGS]  # its reviews, then the mapping's calls
        self.put_mu: list[float] = [mu for mu, _ in puts]
        self.put_sigma: list[float] = [sigma for _, sigma in puts]
        self.put_status: list[int] = [status for _, status in _MAPPINGS]
        self.needs: list[int] = [NEEDS[k] if review is not None else 0 for k in Kind]
        self.verbs: list[int] = list(DEFAULT_VERBS)  # per client, what its token may do (the engine sets its roles')
        self.api_up = True
        self.pullthrough: Any = None  # remote registries' blobs and manifests (`pullthrough.py`), when a scenario has them
        self.router: Router | None = None  # the ingress router, when some clients come through a route (`router.py`)
        self.pruned_images: set[str] = set()  # digest pull specs their image streams no longer name (the pruner)
        self.pruned_blobs: set[int] = set()  # blobs whose data the pruner deleted
        delays = [service.delay[k] for k in Kind]
        self.delay_median: list[float] = [0.0 if d is None else d.median for d in delays]
        self.delay_sigma: list[float] = [0.0 if d is None else d.sigma for d in delays]

    # ----- the loop --------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Events scheduled and not yet handled."""
        return len(self.queue)

    def schedule(self, t: float, event: int, subject: Any) -> i64:
        self.seq += 1
        self.queue.add(t, self.seq, event, subject)
        return self.seq

    def run_until(self, t: float) -> None:
        """Handle every event before `t`; the loop's clock is then `t`."""
        queue = self.queue
        while queue.first_key() < t:
            entry = queue.take()
            time, event, subject, seq = entry.key, entry.event, entry.subject, entry.seq
            self.now = time
            if event == CPU:
                self._cpu_done(subject, seq)
            elif event == STORED:
                self._stored(subject)
            elif event == ANSWER:
                self._answered(subject)
            elif event == CALL:
                subject(time)
            elif event == DOWNLOADED:
                assert isinstance(subject, Owner)
                subject.downloaded(time)
            elif event == TIMER:
                assert isinstance(subject, Timer)
                subject.fire(time)
            elif event == LINK:
                self._link_event(subject, seq)
            else:
                self._expire(subject)
            queue.recycle(entry)
        if t > self.now:
            self.now = t

    def next_event(self) -> float:
        return self.queue.first_key()

    def events(self) -> list[tuple[float, int, int, Any]]:
        """Every event not yet handled, as (time, seq, event, subject) in order (for diagnostics and the end of a run)."""
        return [(e.key, e.seq, e.event, e.subject) for e in self.queue.entries()]

    # ----- connections and sending ----------------------------------------------------------------
    def connect(self, conn: Connection) -> int:
        """Open `conn` now: straight to its pod, or to an endpoint picked at random (the
        Service balances connections, `spec/capacity.md` §3). 0, or why it failed."""
        conn.server = None
        key = conn.direct
        if key is None:
            pool = self.endpoints or self.fallback
            if not pool:
                return int(Unreachable.NO_ENDPOINTS)
            key = pool[self.uniforms.index(len(pool))]
        conn.key = key
        if key in self.unreachable:
            return int(Unreachable.TIMED_OUT)
        server = self.servers.get(key)
        if server is None or not server.accepting:
            return int(Unreachable.REFUSED)
        conn.server = server
        conn.fresh = True
        return 0

    def send(self, r: Req, conn: Connection) -> None:
        """`r` leaves its client now on `conn`, reconnecting when the connection is not open
        or its server closed it (Go's transport retries an idempotent request on a new
        connection when the server closed the idle one)."""
        now = self.now
        r.time = now
        self.next_id += 1
        r.id = self.next_id
        self.issued[r.client * KINDS + r.kind] += 1
        if conn.routed:
            router = self.router
            assert router is not None
            return router.dispatch(r)
        server = conn.server
        if server is None or not (server.alive and server.accepting):
            failure = self.connect(conn)
            server = conn.server
            if failure or server is None:
                return self._unanswered(r, failure)
        elif conn.key in self.unreachable:
            conn.server = None
            return self._unanswered(r, int(Unreachable.TIMED_OUT))
        if conn.fresh:
            conn.fresh = False
            r.cpu += self.tls
        self.arrive(server, r, now)

    def _unanswered(self, r: Req, code: int) -> None:
        r.code = code
        self.answer_at(r, self.now + failure_delay(code))

    def answer_at(self, r: Req, t: float) -> None:
        r.end = t
        if t <= self.now:
            self._answered(r)
        else:
            self.schedule(t, ANSWER, r)

    def _answered(self, r: Req) -> None:
        """`r` ends now for its client: kept for the statistics (with its pod's, or with
        the requests no pod answered), then its owner hears of it."""
        server = r.server
        if r.hop != DIRECT:
            if r.hop == GONE:  # the router answered 504 already: the pod's answer reaches nobody
                if server is not None:
                    server.unheard.append(r)
                return
            router = self.router
            assert router is not None
            router.release(r)
        if server is not None:
            server.done.append(r)
        else:
            self.unrouted.append(r)
        self.finished_rows += 1
        owner = r.owner
        if owner is not None:
            owner.answered(r, self.now)

    # ----- the handler chain ---------------------------------------------------------------------
    def arrive(self, server: PodServer, r: Req, now: float) -> None:
        r.server = server
        if not server.gate_open:
            r.code = int(Outcome.UNAVAILABLE)
            return self.answer_at(r, now + REJECT_SECONDS)
        klass = _LIMITER[r.kind]
        r.klass = klass
        lim = server.limiters[klass]
        if lim.max_running <= 0 or lim.running < lim.max_running:
            lim.running += 1
            if lim.running > lim.peak:
                lim.peak = lim.running
            self._start(server, r, now)
        elif len(lim.waiting) >= lim.room:
            r.code = int(Outcome.TOO_MANY)
            self.answer_at(r, now)
        else:
            lim.waiting.append(r)
            if lim.patience > 0:
                self.schedule(now + lim.patience, EXPIRE, r)

    def _start(self, server: PodServer, r: Req, now: float) -> None:
        """`r` holds a slot from `now` (the caller counted it)."""
        if r.mirror:  # a background mirror that waited for its write slot
            return self._mirror_run(server, r, now, True)
        r.start = now
        server.open[r] = r
        kind = r.kind
        held = self.overhead
        r.held = held
        memory = server.memory
        memory.used += held
        if memory.used > memory.window_peak:  # (the run's peak is at least the window's)
            memory.note_peak()
            limit = memory.limit
            if limit is not None and memory.used > limit:
                return self.oom_kill(server)
        auth = 0.0
        verbs = self.verbs[r.client] & r.mask
        mapping = r.stream_state * 2 + (1 if verbs & CREATE_STREAMS else 0) if kind == MANIFEST_PUT else -1
        if self.reviews[kind]:  # the token and each access record reviewed by the API server (auth.py)
            if not self.api_up:
                r.code = BAD_REQUEST
                return self._refused(server, r, now, 0.0)
            if self.needs[kind] & ~verbs:
                r.code = UNAUTHORIZED
                return self._refused(server, r, now, self._reviews(kind))
            if mapping >= 0:  # and the ImageStreamMapping's calls (model/images/mapping.py)
                auth = self._api_calls(self.put_mu[mapping], self.put_sigma[mapping])
            else:
                auth = self._reviews(kind)
        if server.read_only and _WRITE[kind]:  # after auth: distribution's dispatcher authorizes, then the
            r.code = int(Outcome.NOT_ALLOWED)  # read-only app has no handler for the method (405)
            r.req_bytes, r.resp_bytes = body_bytes(kind, 0, False)
            self.schedule(now + auth + REJECT_SECONDS, STORED, r)
            return
        if kind >= MANIFEST_DELETE:  # the pruner's DELETEs (the last kinds)
            self._deleted(server, r)
        elif (self.pruned_images or self.pruned_blobs) and self._pruned(r):
            r.code = 404
            return self._refused(server, r, now, auth)
        pullthrough = self.pullthrough
        if pullthrough is not None and (kind == BLOB_GET or kind == MANIFEST_GET):
            fetched: float = pullthrough.fetch(self, server, r, now + auth)  # (typed: `seconds` below stays a float)
            if fetched >= 0:  # not in the registry's storage: fetched from the remote registry
                return self._fetched(server, r, now, auth + fetched)
        content = server.content
        if content is not None and self._unknown_to(content, r):
            r.code = 400 if kind == MANIFEST_PUT else 404
            return self._refused(server, r, now, auth)
        miss = r.miss
        redirected = server.redirect and _REDIRECTABLE[kind] and not miss
        if miss and kind == BLOB_HEAD:
            r.code = 404
        elif redirected:
            r.code = 307
        elif mapping >= 0:  # 201, or 403 DENIED when the mapping was refused (the manifest is stored all the same)
            r.code = self.put_status[mapping]
        else:
            r.code = _SUCCESS[kind]
        nbytes = r.nbytes
        request = HEADER + (nbytes if _REQUEST_BODY[kind] else 0)
        response = HEADER + (REDIRECT_BODY if redirected else nbytes if _RESPONSE_BODY[kind] else 0)
        r.req_bytes = request
        r.resp_bytes = response
        if _STREAMS[kind] and not redirected:
            r.stream = r.nbytes
        r.cpu += self.cpu[kind] + self.per_byte * (request + response - r.stream)  # the stream's own: beside it
        cached = _REDIRECTABLE[kind] and not miss and r.blob >= 0 and server.descriptors.seen(r.blob)
        seconds = self.storage.serve(r, now, redirected, server.chunk_size, cached, server.object_store)
        seconds += auth
        delay = self.delay_median[kind]
        if delay > 0:  # (no draw for a kind without a delay, or a fixed one: runs without delays are unchanged)
            sigma = self.delay_sigma[kind]
            seconds += delay * math.exp(sigma * self.storage.normals.next()) if sigma > 0 else delay
        if seconds > 0 or r.failed >= 0:
            self.schedule(now + seconds, STORED, r)
        else:  # no storage call (a ping, a token, a cached blob): straight to the CPU
            server.cpu.add(now, r.cpu, r)
            self.reschedule_cpu(server)

    def _fetched(self, server: PodServer, r: Req, now: float, after: float) -> None:
        """A pull-through: the remote's answer (`r.code`, set by `pullthrough.fetch`)
        after `after` seconds; a blob's body then streams through the pod as a streamed
        blob does (never redirected: the local store does not have it)."""
        if r.code != 200:
            return self._refused(server, r, now, after)
        kind = r.kind
        r.req_bytes = HEADER
        r.resp_bytes = HEADER + r.nbytes
        if kind == BLOB_GET:
            r.stream = r.nbytes
        r.cpu += self.cpu[kind] + self.per_byte * (r.req_bytes + r.resp_bytes - r.stream)
        self.schedule(now + after, STORED, r)

    # ----- background mirrors (pullthroughblobstore.go `storeLocalInBackground`) -----------------
    def mirror(self, server: PodServer, r: Req, now: float) -> None:
        """`writeLimiter.Start` for a background mirror `r`: a free write slot starts it,
        a full queue (or no queue) skips it, otherwise it waits as a request would; no
        limiter (maxRunning 0) starts it without a slot."""
        r.server = server
        r.time = now
        r.klass = 1
        lim = server.limiters[1]
        if lim.max_running <= 0:
            return self._mirror_run(server, r, now, False)
        if lim.running < lim.max_running:
            lim.running += 1
            if lim.running > lim.peak:
                lim.peak = lim.running
            return self._mirror_run(server, r, now, True)
        if len(lim.waiting) >= lim.room:
            return self.pullthrough.skipped(server, r, now)
        lim.waiting.append(r)
        if lim.patience > 0:
            self.schedule(now + lim.patience, EXPIRE, r)

    def _mirror_run(self, server: PodServer, r: Req, now: float, slot: bool) -> None:
        r.start = now
        r.parts = 1 if slot else 0
        seconds = self.pullthrough.copy_seconds(server, r, now)
        self.schedule(now + seconds, CALL, lambda t: self._mirror_done(server, r))

    def _mirror_done(self, server: PodServer, r: Req) -> None:
        if not server.alive:
            return
        r.end = self.now
        if r.parts:
            lim = server.limiters[1]
            if lim.waiting:
                self._start(server, lim.waiting.popleft(), self.now)
            else:
                lim.running -= 1
        self.pullthrough.mirrored(server, r, self.now)

    def _unknown_to(self, content: PodContent, r: Req) -> bool:
        """A pod with storage of its own looks the request's content up in it: a blob HEAD
        for a blob it lacks is a miss (404, then an upload); a manifest GET or a blob GET
        for content it lacks is refused (`_refused`), as is a manifest PUT naming a blob it
        lacks. A committed upload and a manifest put are stored. (An upload's POST, PATCH
        and PUT go over one connection, so to one pod; an upload resumed on another pod
        after its connection broke, which distribution answers BLOB_UPLOAD_UNKNOWN, is not
        modelled.)"""
        kind = r.kind
        if kind == BLOB_HEAD:
            if r.blob >= 0:
                if r.miss:  # the client pushes it as new: no seed held it
                    content.fresh.add(r.blob)
                r.miss = r.blob not in content.blobs and (r.miss or not content.seeded)
            return False
        if kind == MANIFEST_GET or kind == MANIFEST_HEAD:
            return r.image is not None and not content.has_image(r.image.reference)
        if kind == BLOB_GET:
            return r.blob >= 0 and not content.has_blob(r.blob)
        if kind == MANIFEST_PUT and r.image is not None:
            image = r.image
            if content.lacks_any([image.config, *image.layers]):
                return True
            content.images.add(image.reference)
        elif kind == UPLOAD_COMMIT and r.blob >= 0:
            content.blobs.add(r.blob)
        return False

    def _pruned(self, r: Req) -> bool:
        """Whether the pruner removed what `r` asks for: a manifest by the digest of an
        image its stream no longer names (IR `manifestservice.go` `Get`: the image must be
        in the image stream, else MANIFEST_UNKNOWN, 404), or a blob whose data was deleted
        (BLOB_UNKNOWN). A blob HEAD for a deleted blob is a miss (the push uploads it
        again); a manifest put or a committed upload brings its content back."""
        kind = r.kind
        if kind == MANIFEST_GET or kind == MANIFEST_HEAD:
            return r.image is not None and r.image.reference in self.pruned_images
        if kind == BLOB_GET:
            return r.blob in self.pruned_blobs
        if kind == BLOB_HEAD:
            if r.blob in self.pruned_blobs:
                r.miss = True
        elif kind == MANIFEST_PUT:
            if r.image is not None:
                self.pruned_images.discard(r.image.reference)
        elif kind == UPLOAD_COMMIT:
            self.pruned_blobs.discard(r.blob)
        return False

    def _deleted(self, server: PodServer, r: Req) -> None:
        """A DELETE the registry carries out: an admin blob delete removes the blob's data
        (from the shared storage: with storage of each pod's own, an emptyDir, the twin
        still takes it from every pod — an approximation); a manifest or layer-link delete
        removes a repository's link, which the twin does not track apart from the stream
        (a pull by digest already answers 404 once the stream no longer names the image)."""
        if r.kind == ADMIN_BLOB_DELETE and r.blob >= 0:
            self.pruned_blobs.add(r.blob)

    def _refused(self, server: PodServer, r: Req, now: float, after: float) -> None:
        """A request answered with an error (`r.code`) after `after` seconds of API reviews:
        401 (a role lacks the verb), 400 (the API server unreachable, or a manifest naming
        blobs the pod lacks: MANIFEST_BLOB_UNKNOWN), 404 (content the pod's storage lacks:
        MANIFEST_UNKNOWN, BLOB_UNKNOWN). Its CPU, then the answer; no storage phase."""
        r.req_bytes, r.resp_bytes = HEADER + (r.nbytes if _REQUEST_BODY[r.kind] else 0), HEADER
        r.cpu += self.cpu[r.kind] + self.per_byte * (r.req_bytes + r.resp_bytes)
        self.schedule(now + after + REJECT_SECONDS, STORED, r)

    def _reviews(self, kind: int) -> float:
        """Seconds of the kind's API reviews, one after the other (auth.go makes them in
        turn): one draw of their sum (`review_sum`)."""
        return self._api_calls(self.review_mu[kind], self.review_sigma[kind])

    def _api_calls(self, mu: float, sigma: float) -> float:
        if sigma <= 0:
            return math.exp(mu)
        return math.exp(mu + sigma * self.storage.normals.next())

    def _stored(self, r: Req) -> None:
        server = r.server
        if server is None or r.end != OPEN or not server.alive:
            return
        if r.failed >= 0:
            r.code = int(Outcome.ERROR)
        if r.code == 405 or r.code == 500:
            return self._finish(server, r)
        if r.code == 404 or r.code == 400 or r.code == 401:  # refused (`_refused`): its CPU, then the answer
            server.cpu.add(self.now, r.cpu, r)
            return self.reschedule_cpu(server)
        server.cpu.add(self.now, r.cpu, r)
        self.reschedule_cpu(server)

    def reschedule_cpu(self, server: PodServer) -> None:
        """Keep one event for the CPU's next departure. A departure that moved earlier gets
        a new event (the old one is skipped by its seq); one that moved later keeps the
        event it has, which finds the job not yet done and schedules again: a loaded CPU
        whose every arrival slows the others schedules nothing per arrival."""
        t = server.cpu.next_departure()
        if t < server.cpu_due - 1e-9:
            server.cpu_due = t
            server.cpu_token = self.schedule(t, CPU, server)

    def _cpu_done(self, server: PodServer, seq: i64) -> None:
        if seq != server.cpu_token or not server.alive:
            return
        server.cpu_due = INF
        cpu = server.cpu
        cpu.advance(self.now)
        if not cpu.due():
            return self.reschedule_cpu(server)
        r = cpu.pop(self.now)
        self.reschedule_cpu(server)
        if not isinstance(r, Req):
            return  # a stream's CPU off its critical path
        if r.parts:  # streaming: its CPU part is done
            self._part_done(server, r)
        elif r.stream:
            self._stream(server, r)
        else:
            self._finish(server, r)

    def _stream(self, server: PodServer, r: Req) -> None:
        """The body flows through the node's link while the CPU copies it: the response is
        written when both are done. The CPU on the critical path is what the stream's own
        pace allows (a byte per `storage_stream_bandwidth`, at one core); the rest of the
        per-byte CPU runs beside it (`service.py`, step 4)."""
        buffer = self.memory.buffer(r.kind, r.stream, server.chunk_size)
        r.held += buffer
        if not server.memory.hold(buffer):
            return self.oom_kill(server)
        r.transfer = self.now  # the start, until it ends
        total = self.per_byte * r.stream
        on_path = min(total, r.stream / self.stream_bandwidth)
        r.parts = 2 if on_path > 0 else 1
        self.flow(server.node, r.stream, r)
        if on_path > 0:
            server.cpu.add(self.now, on_path, r)
        if total - on_path > 0:
            server.cpu.add(self.now, total - on_path, BESIDE)
        if total > 0:
            self.reschedule_cpu(server)

    def _part_done(self, server: PodServer, r: Req) -> None:
        r.parts -= 1
        if not r.parts:
            self._finish(server, r)

    # ----- links ------------------------------------------------------------------------------------
    def link(self, node: str) -> Link:
        link = self.links.get(node)
        if link is None:
            net = self.network_of(node)
            link = self.links[node] = Link(net.baseline, net.burst, net.bucket, self.service.storage_read_bytes_per_second,
                                           self.now)
        return link

    def flow(self, node: str, nbytes: float, item: Any) -> None:
        """`item` (a streaming request, or a download with `downloaded(now)`) sends
        `nbytes` through `node`'s link from now."""
        link = self.link(node)
        link.add(self.now, float(nbytes), item)
        self._reschedule_link(link)

    def _reschedule_link(self, link: Link) -> None:
        """As `reschedule_cpu`: a new event only when the next one moved earlier."""
        t = link.next_event()
        if t < link.due_at - 1e-9:
            link.due_at = t
            link.token = self.schedule(t, LINK, link)

    def _link_event(self, link: Link, seq: i64) -> None:
        if seq != link.token:
            return
        link.due_at = INF
        link.advance(self.now)
        done = link.pop(self.now) if link.due() else None
        self._reschedule_link(link)
        if isinstance(done, Req):
            done.transfer = self.now - done.transfer
            server = done.server
            if server is not None:
                self._part_done(server, done)
        elif isinstance(done, Owner):
            done.downloaded(self.now)

    # ----- ends --------------------------------------------------------------------------------------
    def _finish(self, server: PodServer, r: Req) -> None:
        """The response is written now: free the slot (admitting the next waiter) and memory."""
        now = self.now
        r.end = now
        if r.kind == METRICS_GET:  # the gauge it reports, read while it still holds its slot
            r.in_flight = server.limiters[0].running + server.limiters[1].running
        del server.open[r]
        server.memory.used -= r.held  # PodMemory.release, inline on the hot path
        lim = server.limiters[r.klass]
        if lim.waiting:
            waiter = lim.waiting.popleft()
            self._start(server, waiter, now)
        else:
            lim.running -= 1
        self._answered(r)

    def _expire(self, r: Req) -> None:
        server = r.server
        if r.start == r.start or r.end != OPEN or server is None:  # admitted, or already ended
            return
        waiting = server.limiters[r.klass].waiting
        if waiting and waiting[0] is r:
            waiting.popleft()
        else:
            waiting.remove(r)
        if r.mirror:  # `Start` gave up waiting: the mirror is skipped
            return self.pullthrough.skipped(server, r, self.now)
        r.code = Outcome.TOO_MANY
        self.answer_at(r, self.now)

    # ----- containers ---------------------------------------------------------------------------------
    def add_server(self, server: PodServer) -> None:
        self.servers[server.key] = server

    def oom_kill(self, server: PodServer) -> None:
        self.kills.append((self.now, server.key, "OOMKilled"))
        self.kill(server)

    def kill(self, server: PodServer) -> None:
        """The container is gone now: every open or queued request breaks."""
        if not server.alive:
            return
        server.alive = server.accepting = False
        if self.servers.get(server.key) is server:
            del self.servers[server.key]
        self.retired.append(server)
        broken = list(server.open.values()) + server.waiting()
        server.open.clear()
        for lim in server.limiters:
            lim.waiting.clear()
            lim.running = 0
        link = self.links.get(server.node)
        if link is not None:
            link.remove(self.now, lambda item: getattr(item, "server", None) is server)
            self._reschedule_link(link)
        for r in broken:
            r.code = int(Outcome.FAILED)
            self.answer_at(r, self.now)
