"""Clients in the data plane: containers/image pulls and pushes (`model/registry/clients.py`)
as small state machines driven by the answers to their own requests.

A session is closed loop inside: each lane sends its next request when the previous
answer (and, for a redirected blob, the download from the object store) is done, so a
slow registry slows its clients. Sessions start open loop: background sessions at the
times the load profile draws (users and CI jobs start pulls whatever the registry's
state), kubelet pulls when a pod needs its image.

A lane is one connection (`exchange.Connection`), balanced when it opens and reused for
the lane's next requests; a lane whose connection failed opens a new one for its next
request. Ending: `done(session, now)` once every blob is in (and, for a push, the
manifest is put), or at the first answer that fails the session (`session.code`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from twin.model.registry.catalogue import Image
from twin.model.registry.clients import ClientPolicy
from twin.model.registry.requests import Kind, Outcome
from twin.model.registry.resources.objectstore import READ
from twin.sim.traffic.exchange import CALL, DOWNLOADED, Connection, Req

if TYPE_CHECKING:
    from twin.sim.traffic.plane import DataPlane

_BODY: Final = (int(Kind.UPLOAD_CHUNK), int(Kind.MANIFEST_PUT))
_RETRIED_429: Final[frozenset[int]] = frozenset(int(k) for k in Kind if k not in _BODY and k != Kind.TOKEN_GET)
"""docker_client.go's 429 loop wraps every request without a body; the token request
(`getBearerToken`) does not go through it."""
_EXPECTED: Final[dict[int, tuple[int, ...]]] = {int(kind): tuple(int(c) for c in codes) for kind, codes in {
    Kind.PING: (Outcome.UNAUTHORIZED,), Kind.TOKEN_GET: (Outcome.OK,), Kind.MANIFEST_GET: (Outcome.OK,),
    Kind.BLOB_GET: (Outcome.OK, Outcome.REDIRECT), Kind.BLOB_HEAD: (Outcome.OK, Outcome.REDIRECT, Outcome.NOT_FOUND),
    Kind.UPLOAD_START: (Outcome.ACCEPTED,), Kind.UPLOAD_CHUNK: (Outcome.ACCEPTED,), Kind.UPLOAD_COMMIT: (Outcome.CREATED,),
    Kind.MANIFEST_PUT: (Outcome.CREATED,), Kind.METRICS_GET: (Outcome.OK,),
    Kind.MANIFEST_DELETE: (Outcome.ACCEPTED, Outcome.NOT_FOUND), Kind.BLOB_DELETE: (Outcome.ACCEPTED, Outcome.NOT_FOUND),
    Kind.ADMIN_BLOB_DELETE: (Outcome.NO_CONTENT, Outcome.NOT_FOUND),
}.items()}
_EXPECTED_OF: Final[tuple[tuple[int, ...], ...]] = tuple(_EXPECTED.get(int(kind), ()) for kind in Kind)
"""`_EXPECTED` indexed by kind (a tuple read where the dict took a lookup)."""
PING: Final = int(Kind.PING)
TOKEN: Final = int(Kind.TOKEN_GET)
MANIFEST_GET: Final = int(Kind.MANIFEST_GET)
BLOB_GET: Final = int(Kind.BLOB_GET)
BLOB_HEAD: Final = int(Kind.BLOB_HEAD)
UPLOAD_START: Final = int(Kind.UPLOAD_START)
UPLOAD_CHUNK: Final = int(Kind.UPLOAD_CHUNK)
UPLOAD_COMMIT: Final = int(Kind.UPLOAD_COMMIT)
MANIFEST_PUT: Final = int(Kind.MANIFEST_PUT)
REDIRECT: Final = 307
NOT_FOUND: Final = 404
UNAVAILABLE: Final = 503
TOO_MANY: Final = 429


class Lane(Connection):
    """One connection of a session (a lane is the connection its requests go over) and
    the blob it is working on."""

    __slots__ = ("session", "blob", "size")

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.routed = session.routed
        self.blob = -1
        self.size = 0

    def answered(self, r: Req, now: float) -> None:
        self.session.answered(self, r, now)

    def downloaded(self, now: float) -> None:
        """A redirected blob's bytes are in (from the object store)."""
        self.session.blob_done(self, now)

    def fetch(self, now: float) -> None:
        """The first byte of a redirected blob is in: the rest flows through the kubelet's node link."""
        session = self.session
        if session.node is not None:
            session.plane.flow(session.node, self.size, self)


class Session:
    """What pulls and pushes share: lanes, the 429 retry loop, ending."""

    def __init__(self, plane: DataPlane, client: int, policy: ClientPolicy, image: Image,
                 done: Callable[[Any, float], None], node: str | None = None, tag: int = -1) -> None:
        self.plane = plane
        self.client = client
        self.policy = policy
        self.image = image
        self.done = done
        self.node = node  # the kubelet's node (downloads cross its link); None outside the cluster
        self.tag = tag
        self.mask = -1  # the verbs its identity has in the image's namespace (`auth.namespace_mask`)
        self.began = plane.now
        self.ended = -1.0
        self.failed = False
        self.code = 0  # the failing answer's code (0: a broken connection)
        self.bytes = 0  # blob bytes fetched or uploaded
        self.queue: list[tuple[int, int]] = []  # (blob id, size): those from `taken` on are not yet taken by a lane
        self.taken = 0
        self.busy = 0  # lanes working on a blob
        self.routed: bool = policy.route  # (read once here, not per lane)
        self.lanes = [Lane(self)]
        self.download_rate: float = min(policy.bandwidth, plane.stream_bandwidth)
        self.then: list[int] = []  # images this client goes on with (background clients)

    # ----- sending, retrying, ending ---------------------------------------------------------
    def send(self, lane: Lane, kind: int, nbytes: int = 0, miss: bool = False, blob: int = -1,
             image: Image | None = None, stream_state: int = 0) -> None:
        self.plane.send(Req(kind, nbytes, self.client, lane, 0, self.tag, miss, blob, image, stream_state, self.mask),
                        lane)

    def answered(self, lane: Lane, r: Req, now: float) -> None:
        if self.ended >= 0:
            return
        if r.code in _EXPECTED_OF[r.kind]:
            return self.next(lane, r, now)
        if r.code == TOO_MANY and r.kind in _RETRIED_429 and r.attempt + 1 < self.policy.attempts:
            again = r.again()
            plane = self.plane
            plane.schedule(now + self.policy.retry_delay(r.attempt), CALL, lambda t: plane.send(again, lane))
            return
        self.end(now, r.code)

    def end(self, now: float, failed_with: int | None = None) -> None:
        if self.ended < 0:
            self.ended = now
            self.failed = failed_with is not None
            self.code = failed_with or 0
            self.done(self, now)
            if self.ended >= 0:  # not restarted with another image: let go of the connections
                self.queue = []
                self.lanes = []

    @property
    def ok(self) -> bool:
        return self.ended >= 0 and not self.failed

    def restart(self, image: Image, blobs: Any) -> None:
        """The same client goes on with another image over its open connections (no
        new ping or token)."""
        self.image = image
        self.began = self.plane.now
        self.ended = -1.0
        self.failed = False
        self.code = 0
        self.bytes = 0
        self.queue = []
        self.taken = 0
        self.busy = 0
        self.reset(blobs)
        self.resume()

    def reset(self, blobs: Any) -> None:
        raise NotImplementedError

    def resume(self) -> None:
        raise NotImplementedError

    # ----- blobs over lanes -------------------------------------------------------------------
    def fan_out(self, blobs: list[tuple[int, int]], now: float) -> None:
        """Work through `blobs` on up to `policy.lanes` lanes (the first lane is the one
        already open); with no blobs, go straight to `blobs_done`."""
        self.queue = blobs
        self.taken = 0
        if not blobs:
            return self.blobs_done(self.lanes[0], now)
        while len(self.lanes) < min(self.policy.lanes, len(blobs)):
            self.lanes.append(Lane(self))
        for lane in self.lanes[:len(blobs)]:
            if self.taken >= len(self.queue) or self.ended >= 0:  # an answer written at once (a 429) may have ended it
                break
            self.take(lane, now)

    def take(self, lane: Lane, now: float) -> None:
        lane.blob, lane.size = self.queue[self.taken]
        self.taken += 1
        self.busy += 1
        self.begin_blob(lane, now)

    def blob_done(self, lane: Lane, now: float) -> None:
        if self.ended >= 0:
            return
        self.bytes += lane.size
        self.busy -= 1
        self.blob_in(lane.blob)
        if self.taken < len(self.queue):
            self.take(lane, now)
        elif self.busy == 0:
            self.blobs_done(lane, now)

    def blob_in(self, blob: int) -> None:
        """A blob is complete (the kubelet keeps it in the node's layer cache)."""

    def begin_blob(self, lane: Lane, now: float) -> None:
        raise NotImplementedError

    def blobs_done(self, lane: Lane, now: float) -> None:
        raise NotImplementedError

    def next(self, lane: Lane, r: Req, now: float) -> None:
        raise NotImplementedError


class PullSession(Session):
    """Ping, token, manifest, then the config blob and `blobs` (the layers the client
    lacks), redirected ones fetched from the object store."""

    def __init__(self, plane: DataPlane, client: int, policy: ClientPolicy, image: Image,
                 done: Callable[[Any, float], None], blobs: list[tuple[int, int]], node: str | None = None, tag: int = -1,
                 on_blob: Callable[[int], None] | None = None) -> None:
        super().__init__(plane, client, policy, image, done, node, tag)
        self.blobs = blobs
        self.on_blob = on_blob

    def start(self) -> None:
        self.send(self.lanes[0], PING)

    def reset(self, blobs: Any) -> None:
        self.blobs = blobs

    def resume(self) -> None:
        self.send(self.lanes[0], MANIFEST_GET, self.image.manifest_bytes, image=self.image)

    def next(self, lane: Lane, r: Req, now: float) -> None:
        kind = r.kind
        if kind == BLOB_GET:
            if r.code == REDIRECT:
                self.download(lane, now)
            else:
                self.blob_done(lane, now)
        elif kind == PING:
            self.send(lane, TOKEN)
        elif kind == TOKEN:
            self.send(lane, MANIFEST_GET, self.image.manifest_bytes, image=self.image)
        elif kind == MANIFEST_GET:
            self.fan_out([(self.image.config, self.image.config_bytes)] + self.blobs, now)

    def begin_blob(self, lane: Lane, now: float) -> None:
        self.send(lane, BLOB_GET, lane.size, blob=lane.blob)

    def download(self, lane: Lane, now: float) -> None:
        """Follow the 307: one GET to the object store, then the bytes, through the
        kubelet's node link, or at the client's own bandwidth outside the cluster."""
        plane = self.plane
        if not plane.store.call(now, READ):
            return self.end(now, UNAVAILABLE)  # S3 503 Slow Down: c/image does not retry a 5xx
        first_byte = plane.storage.first_byte()
        if self.node is not None:
            plane.schedule(now + first_byte, CALL, lane.fetch)
        else:
            seconds = first_byte + lane.size / self.download_rate
            plane.schedule(now + seconds, DOWNLOADED, lane)

    def blob_in(self, blob: int) -> None:
        if self.on_blob is not None:
            self.on_blob(blob)

    def blobs_done(self, lane: Lane, now: float) -> None:
        self.end(now)


class PushSession(Session):
    """Ping, token, then for each layer a HEAD and, when the registry lacks it (`new`),
    POST, PATCH (the whole blob, as docker and podman send it) and PUT; then the config
    blob the same way; then the manifest PUT (containers/image `copy.Image`), whose
    ImageStreamMapping meets `stream_state` (`model/images/mapping.py`)."""

    def __init__(self, plane: DataPlane, client: int, policy: ClientPolicy, image: Image,
                 done: Callable[[Any, float], None], new: list[bool], node: str | None = None, tag: int = -1,
                 stream_state: int = 0) -> None:
        super().__init__(plane, client, policy, image, done, node, tag)
        self.stream_state = stream_state
        self.new: dict[int, bool] = {}
        self.config_pushed = False
        self.reset(new)

    def start(self) -> None:
        self.send(self.lanes[0], PING)

    def reset(self, blobs: Any) -> None:
        self.new = dict(zip(self.image.layers, blobs))
        self.new[self.image.config] = True
        self.config_pushed = False

    def resume(self) -> None:
        self.fan_out(list(zip(self.image.layers, self.image.layer_bytes)), self.plane.now)

    def next(self, lane: Lane, r: Req, now: float) -> None:
        kind = r.kind
        if kind == PING:
            self.send(lane, TOKEN)
        elif kind == TOKEN:
            self.resume()
        elif kind == BLOB_HEAD:
            if r.code == NOT_FOUND:
                self.send(lane, UPLOAD_START, blob=lane.blob)
            else:
                self.blob_done(lane, now)
        elif kind == UPLOAD_START:
            self.send(lane, UPLOAD_CHUNK, lane.size, blob=lane.blob)
        elif kind == UPLOAD_CHUNK:
            self.send(lane, UPLOAD_COMMIT, blob=lane.blob)
        elif kind == UPLOAD_COMMIT:
            self.blob_done(lane, now)
        elif kind == MANIFEST_PUT:
            self.end(now)

    def begin_blob(self, lane: Lane, now: float) -> None:
        self.send(lane, BLOB_HEAD, 0, miss=self.new.get(lane.blob, True), blob=lane.blob)

    def blobs_done(self, lane: Lane, now: float) -> None:
        if not self.config_pushed:
            self.config_pushed = True
            return self.fan_out([(self.image.config, self.image.config_bytes)], now)
        self.send(self.lanes[0], MANIFEST_PUT, self.image.manifest_bytes, image=self.image,
                  stream_state=self.stream_state)


class Delete:
    """One DELETE the pruner sends: its kind, the blob it names (-1 for none) and, for a
    manifest, the image."""

    __slots__ = ("kind", "blob", "image")

    def __init__(self, kind: int, blob: int, image: Image | None) -> None:
        self.kind = kind
        self.blob = blob
        self.image = image


class DeleteSession(Session):
    """The image pruner's DELETEs to the registry (`oc adm prune images --prune-registry`,
    openshift/oc `pkg/cli/admin/prune/imageprune/prune.go`): its registry client sends the
    service account's bearer token with each (no ping, no token request), on `policy.lanes`
    connections at once (oc's workers, `--num-workers` 5). Every DELETE is sent whatever
    the others got: `deleteFromRegistry` takes 404 as done and any other answer under 200
    or from 400 as an error, which the pruner collects and goes on; nothing is retried
    (a plain `http.Client`, no 429 loop). `errors` counts the failed ones; the session ends
    when all are answered."""

    def __init__(self, plane: DataPlane, policy: ClientPolicy, deletes: list[Delete], image: Image,
                 done: Callable[[Any, float], None]) -> None:
        super().__init__(plane, 4, policy, image, done)  # Client.PRUNE
        self.deletes = deletes
        self.errors = 0
        self.answers: dict[int, int] = {}  # code -> DELETEs answered with it

    def start(self) -> None:
        self.fan_out([(i, 0) for i in range(len(self.deletes))], self.plane.now)

    def reset(self, blobs: Any) -> None:
        pass

    def resume(self) -> None:
        pass

    def answered(self, lane: Lane, r: Req, now: float) -> None:
        if self.ended >= 0:
            return
        code = r.code
        self.answers[code] = self.answers.get(code, 0) + 1
        if code not in _EXPECTED[r.kind]:
            self.errors += 1
        # the lane's next DELETE as an event of its own: a 429 is answered at once, and a run
        # of them must not nest calls
        self.plane.schedule(now, CALL, lambda t: self.blob_done(lane, t))

    def begin_blob(self, lane: Lane, now: float) -> None:
        d = self.deletes[lane.blob]
        self.send(lane, d.kind, blob=d.blob, image=d.image)

    def blobs_done(self, lane: Lane, now: float) -> None:
        self.end(now, 1 if self.errors else None)

    def next(self, lane: Lane, r: Req, now: float) -> None:
        pass


class SessionTally:
    """Image pulls and pushes that ended, noted as they end (one call per session, in
    compiled code) and taken by the statistics in batches (`RequestStats.bin_sessions`):
    per session its client, whether it failed, and how long it took."""

    def __init__(self) -> None:
        self.clients: list[int] = []
        self.failed: list[int] = []
        self.seconds: list[float] = []

    def ended(self, session: Session, now: float) -> None:
        self.clients.append(session.client)
        self.failed.append(1 if session.failed else 0)
        self.seconds.append(now - session.began)

    def take(self) -> tuple[list[int], list[int], list[float]]:
        taken = (self.clients, self.failed, self.seconds)
        self.clients, self.failed, self.seconds = [], [], []
        return taken
