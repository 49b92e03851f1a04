"""Replaying a real access log through the twin's registry (`traffic.replay`): each logged
request is sent again, at its arrival time (the log's time less its duration) counted
from the first one and divided by `speed`, from `warm_up` on, with its kind and its body
bytes, open loop (a replayed request does not wait for the one before: the log already
holds the answer the clients got). So a planner can ask what last Monday's traffic would
have done with other replicas or limits.

What a log does not say, and what the replay assumes instead:
* connections: requests go over a pool of `CONNECTIONS` keep-alive connections, taken in
  turn (the log has no connection ids); each is balanced to a pod when it opens;
* upload bodies: a PATCH's bytes are not in the log (its response has none), so an upload
  chunk moves no body;
* a redirected blob GET (307) moves no body through the registry, as in the log;
* which client: writes (uploads, manifest PUTs) count as pushes, everything else as pulls;
  lines of no request kind ("other": tag lists, catalog, probes) are not replayed.
"""

from __future__ import annotations

from twin.model.registry.batch import Client
from twin.model.registry.requests import WRITES
from twin.observed.replay import ReplayRequests
from twin.sim.traffic.exchange import CALL, Connection, Req

CONNECTIONS = 64


class ReplaySource:
    """Sends the replayed requests into the data plane, each at its time."""

    def __init__(self, plane, requests: ReplayRequests, start: float) -> None:
        self.plane = plane
        self.requests = requests
        self.start = start
        self.next = 0
        self.connections = [Connection() for _ in range(CONNECTIONS)]
        self.times = (start + requests.offsets).tolist()
        self.kinds = requests.kinds.tolist()
        self.nbytes = requests.nbytes.tolist()
        self.misses = requests.misses.tolist()
        self.writes = {int(k) for k in WRITES}

    def begin(self) -> None:
        if self.times:
            self.plane.schedule(self.times[0], CALL, self)

    def __call__(self, now: float) -> None:
        i, times = self.next, self.times
        while i < len(times) and times[i] <= now:  # every request due now (equal times in the log)
            kind = self.kinds[i]
            client = int(Client.PUSH) if kind in self.writes else int(Client.PULL)
            self.plane.send(Req(kind, self.nbytes[i], client, None, 0, -1, self.misses[i]),
                            self.connections[i % CONNECTIONS])
            i += 1
        self.next = i
        if i < len(times):
            self.plane.schedule(times[i], CALL, self)
