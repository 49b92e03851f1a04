"""The objects of the data plane's event loop: a request in flight (`Req`), a client's
connection (`Connection`), what hears a request's end (`Owner`), and the event codes.
Open requests are small objects that live only while open (`spec/architecture.md`
habit 7: nothing is kept per request once it is handed to the statistics).

This module and the other data-plane modules are fully typed: the build may compile
them with mypyc (`setup.py`); they run the same as plain Python.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

from mypy_extensions import mypyc_attr

if TYPE_CHECKING:
    from twin.sim.traffic.pod import PodServer

OPEN: Final = -1.0  # `Req.end` of a request that has not ended
NAN: Final = math.nan

# What a heap entry `(time, seq, event, subject)` asks the loop to do (plain ints: the
# loop compares them for every event).
STORED: Final = 0  # the request's storage operations are done: on to the CPU
CPU: Final = 1  # a pod's CPU may have finished a request (subject: the pod; seq checked)
LINK: Final = 2  # a node's link may have finished a stream or changed its capacity
EXPIRE: Final = 3  # a queued request's maxWaitInQueue is over
ANSWER: Final = 4  # a response decided earlier reaches the client (429, 503, 405, failures)
CALL: Final = 5  # a client's own timer (subject: a callable taking the time)
DOWNLOADED: Final = 6  # an `Owner`'s download is in (subject: the owner; `Owner.downloaded(time)`)
TIMER: Final = 7  # a `Timer` fires (subject: the timer; `Timer.fire(time)`)
"""DOWNLOADED and TIMER do what CALL does with a bound method or a closure, as a native
call on a typed subject: no callable made per event, no Python-level call."""

DIRECT: Final = -1  # `Req.hop` of a request that did not come through the router (or that it let go of)
GONE: Final = -2  # `Req.hop` of a request the router answered 504 while its pod still works on it


@mypyc_attr(allow_interpreted_subclasses=True)
class Owner:
    """Whoever sent a request (a client lane, Prometheus): hears when it ended, and, for a
    download it put on a node's link, when that download is done."""

    def answered(self, r: Req, now: float) -> None:
        pass

    def downloaded(self, now: float) -> None:
        pass


class Timer:
    """What the loop calls at the time it was scheduled for (event `TIMER`)."""

    __slots__ = ()

    def fire(self, now: float) -> None:
        pass


class Req:
    """One request while it is open. `owner` hears `answered(req, now)` when it ends;
    `server` is the pod serving it (None when it never reached one)."""

    __slots__ = ("id", "time", "kind", "nbytes", "client", "attempt", "tag", "start", "end", "code", "cpu", "s1", "s2",
                 "transfer", "req_bytes", "resp_bytes", "server", "owner", "stream", "held", "klass", "miss", "failed",
                 "blob", "in_flight", "parts", "image", "stream_state", "mask", "mirror", "hop", "relay", "sent")

    def __init__(self, kind: int, nbytes: int, client: int, owner: Owner | None = None, attempt: int = 0,
                 tag: int = -1, miss: bool = False, blob: int = -1, image: Any = None, stream_state: int = 0,
                 mask: int = -1) -> None:
        self.id = 0
        self.time = 0.0
        self.kind = kind
        self.nbytes = nbytes
        self.client = client
        self.owner = owner
        self.attempt = attempt
        self.tag = tag
        self.miss = miss  # a blob HEAD for a blob the registry lacks
        self.blob = blob  # the blob a blob GET or HEAD asks for (-1: not known)
        self.start = NAN
        self.s1 = NAN
        self.s2 = NAN
        self.end = OPEN
        self.code = 0
        self.cpu = 0.0
        self.transfer = 0.0
        self.req_bytes = 0
        self.resp_bytes = 0
        self.stream = 0
        self.held = 0
        self.klass = -1  # the limiter it went through; -1 when it reached none
        self.failed = -1  # the StorageOp that failed past the retries (500), -1 if none
        self.server: PodServer | None = None
        self.in_flight = 0  # a metrics GET: the requests its handler saw in flight, itself included
        self.parts = 0  # a streaming request: its link transfer and CPU, the parts not yet done
        self.image = image  # a manifest GET or PUT: the catalogue Image it names (None: not known)
        self.stream_state = stream_state  # a manifest PUT: its target's `images.mapping.StreamState`
        self.mask = mask  # the verbs of its client's roles it may use here (-1: all; 0: a namespace it may not pull from)
        self.mirror = False  # a pull-through's background mirror waiting for or holding a write slot (`pullthrough.py`)
        self.hop = DIRECT  # through the router: its connection retries so far (`router.py`); DIRECT or GONE
        self.relay: str | None = None  # the pod the router sent it to, while the router counts it there
        self.sent = 0.0  # when the router sent it to its pod

    def again(self) -> Req:
        """The same request sent once more (a retry after 429)."""
        return Req(self.kind, self.nbytes, self.client, self.owner, self.attempt + 1, self.tag, self.miss, self.blob,
                   self.image, self.stream_state, self.mask)


class Connection(Owner):
    """A client's HTTP/1.1 connection: the pod it was balanced to (`key`, `server`),
    None while not connected. `fresh` until its first request (the TLS handshake). A
    client lane is its own connection (`sessions.Lane`), hence an `Owner`."""

    __slots__ = ("key", "server", "fresh", "direct", "routed")

    def __init__(self, direct: str | None = None) -> None:
        self.key: str | None = None
        self.server: PodServer | None = None
        self.fresh = False
        self.direct = direct  # connect to this pod, not through the Service (Prometheus)
        self.routed = False  # to the ingress router, which picks the pod per request (`router.py`)


def light_columns(rows: list[Req]) -> tuple[list[float], list[int], list[int], list[float], list[float], list[int]]:
    """(time, kind, client, start, end, code) of ended requests: what the statistics read
    (one pass in compiled code; numpy then takes each list at once)."""
    time: list[float] = []
    kind: list[int] = []
    client: list[int] = []
    start: list[float] = []
    end: list[float] = []
    code: list[int] = []
    for r in rows:
        time.append(r.time)
        kind.append(r.kind)
        client.append(r.client)
        start.append(r.start)
        end.append(r.end)
        code.append(r.code)
    return time, kind, client, start, end, code


def outcome_columns(rows: list[Req], kinds: int) -> tuple[list[float], list[float], list[int]]:
    """(time, end, key) of ended requests, what the request statistics count: `key` packs
    the group `client * kinds + kind` above the 16 bits of the code (three lists, not six:
    each value taken out of a request is a new Python object)."""
    time: list[float] = []
    end: list[float] = []
    key: list[int] = []
    for r in rows:
        time.append(r.time)
        end.append(r.end)
        key.append(((r.client * kinds + r.kind) << 16) | r.code)
    return time, end, key


def full_columns(rows: list[Req]) -> tuple[list[int], list[int], list[int], list[float], list[float], list[float],
                                           list[float], list[int], list[int], list[int]]:
    """(nbytes, attempt, tag, cpu, s1, s2, transfer, req_bytes, resp_bytes, failed): what
    the pods' metrics read besides."""
    nbytes: list[int] = []
    attempt: list[int] = []
    tag: list[int] = []
    cpu: list[float] = []
    s1: list[float] = []
    s2: list[float] = []
    transfer: list[float] = []
    req_bytes: list[int] = []
    resp_bytes: list[int] = []
    failed: list[int] = []
    for r in rows:
        nbytes.append(r.nbytes)
        attempt.append(r.attempt)
        tag.append(r.tag)
        cpu.append(r.cpu)
        s1.append(r.s1)
        s2.append(r.s2)
        transfer.append(r.transfer)
        req_bytes.append(r.req_bytes)
        resp_bytes.append(r.resp_bytes)
        failed.append(r.failed)
    return nbytes, attempt, tag, cpu, s1, s2, transfer, req_bytes, resp_bytes, failed
