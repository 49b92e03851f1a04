"""One registry container in the data plane: its read and write limiters
(`spec/registry-operator.md` §4.2), its CPU, its memory and its open requests.

A limiter admits a request while fewer than `maxRunning` run, queues it FIFO while
fewer than `maxInQueue` wait, and rejects it with 429 otherwise; a waiter leaves with
429 after `maxWaitInQueue` (0: waits forever). `maxRunning` 0 means no limiter.
"""

from __future__ import annotations

from collections import deque

from mypy_extensions import i64

import numpy as np

from twin.model.registry.occupancy import Occupancy, occupancy
from twin.model.registry.overlap import LimiterTimes
from twin.model.registry.resources.memory import MemoryParams, PodMemory
from twin.model.registry.resources.sharing import ProcessorSharing
from twin.model.registry.settings import Limits, RegistrySettings
from twin.sim.traffic.exchange import Req


class Limiter:
    """`peak`: the most running since the last window was taken (the loop's own count;
    the evidence for limited limiters is recomputed from request times instead)."""

    __slots__ = ("max_running", "room", "patience", "running", "waiting", "peak")

    def __init__(self, limits: Limits) -> None:
        self.max_running: int = limits.max_running
        self.room: int = limits.max_in_queue
        self.patience: float = limits.max_wait
        self.running = 0
        self.waiting: deque[Req] = deque()
        self.peak = 0


DESCRIPTOR_CACHE_SIZE = 10_000
"""distribution `registry/storage/cache/memory`: `DefaultSize = 10000` entries; the
operator sets `REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR=inmemory` and no size."""


class DescriptorCache:
    """The registry's in-memory blob descriptor cache: a blob GET or HEAD whose
    descriptor it holds skips the `Stat` calls to storage. distribution keeps an ARC
    keyed by (digest, repository); the twin keeps an LRU keyed by blob (an image's
    layer ids are the same in every repository that shares the layer)."""

    __slots__ = ("size", "entries")

    def __init__(self, size: int = DESCRIPTOR_CACHE_SIZE) -> None:
        self.size = size
        self.entries: dict[int, bool] = {}  # insertion order is recency order: the first is the least recent

    def seen(self, blob: int) -> bool:
        """Whether `blob` was cached; it is afterwards, as the most recent (the first
        lookup stats and caches it; past `size` the least recent goes)."""
        entries = self.entries
        try:  # (a hit is the rule: one lookup to take it out, where `in` then `del` made two)
            del entries[blob]
            found = True
        except KeyError:
            found = False
        entries[blob] = True
        if len(entries) > self.size:
            del entries[next(iter(entries))]
        return found


class PodContent:
    """What a registry pod's own storage holds, when its storage is its own: an emptyDir
    volume lives and dies with the pod (CIRO `pkg/storage/emptydir/emptydir.go`, no
    replica check: `spec/openshift-cluster.md` §6), so a pod created later starts empty
    and holds only what is pushed to it. `seeded` pods, those serving before the traffic
    begins, hold the catalogue as the run starts (the twin's assumption: as if each had
    been seeded with it), which their pulls are served from; every pod holds what was
    pushed to it since.

    A push's new blobs (`fresh`, shared by every pod: a blob a client pushes as new was in
    no seed) must be uploaded to the pod its manifest is put to: distribution checks that
    every blob a manifest names is in its storage (MANIFEST_BLOB_UNKNOWN otherwise)."""

    __slots__ = ("seeded", "fresh", "images", "blobs")

    def __init__(self, seeded: bool, fresh: set[int]) -> None:
        self.seeded = seeded
        self.fresh = fresh
        self.images: set[str] = set()
        self.blobs: set[int] = set()

    def has_blob(self, blob: int) -> bool:
        """For a pull: the seed's version of the image, or a blob pushed here."""
        return self.seeded or blob in self.blobs

    def has_image(self, reference: str) -> bool:
        return self.seeded or reference in self.images

    def lacks_any(self, blobs: list[int]) -> bool:
        """Whether a manifest put here naming `blobs` would name one the pod does not
        hold: a blob neither pushed here nor in its seed (a new blob was in no seed)."""
        for blob in blobs:
            if blob not in self.blobs and (not self.seeded or blob in self.fresh):
                return True
        return False


class PodServer:
    """A running registry container. `alive` until it exits or is killed; `accepting`
    until `http.Server.Shutdown` closes its listener and idle connections. `redirect`,
    `read_only` and `chunk_size` are its settings' (read on every request)."""

    def __init__(self, key: str, node: str, settings: RegistrySettings, cores: float, memory: MemoryParams,
                 memory_limit: int | None, clock: float, memory_limited: bool = False) -> None:
        self.key = key
        self.node = node
        self.settings = settings
        self.redirect: bool = settings.redirect
        self.read_only: bool = settings.read_only
        self.chunk_size: int = settings.chunk_size
        self.object_store: bool = settings.object_store  # filesystem storage (emptyDir, PVC) has no rate ceilings
        self.limiters = (Limiter(settings.read), Limiter(settings.write))
        self.cpu = ProcessorSharing(cores, 1.0, clock)
        self.cpu_token: i64 = -1  # seq of the CPU event in the heap that is current
        self.cpu_due = float("inf")
        self.memory = PodMemory(memory.working_set, memory_limit)
        self.memory_limited = memory_limited  # the limit is the container's (not what the node has left)
        # admitted, not yet answered, in the order admitted; keyed by the request itself (hashed
        # by identity: no int boxed and compared by value per request; the order is insertion's)
        self.open: dict[Req, Req] = {}
        self.done: list[Req] = []  # ended, not yet handed to the statistics
        self.unheard: list[Req] = []  # ended after the router answered their client 504: the pod's metrics only
        self.descriptors = DescriptorCache()
        self.inflight: set[int] = set()  # blobs this process mirrors from a remote (pullthroughblobstore.go `inflight`)
        self.content: PodContent | None = None  # its own storage's content (emptyDir); None: shared storage
        self.alive = True
        self.accepting = True
        self.gate_open = True
        self.peaks: dict[int, Occupancy] = {0: Occupancy(), 1: Occupancy()}  # limiter peaks from request times
        self.window: dict[int, Occupancy] = {0: Occupancy(), 1: Occupancy()}

    def running_and_queued(self) -> tuple[int, int]:
        return (sum(lim.running for lim in self.limiters), sum(len(lim.waiting) for lim in self.limiters))

    def waiting(self) -> list[Req]:
        """The requests waiting for a slot (background mirrors waiting for a write slot
        are no requests: nobody hears of them)."""
        return [r for lim in self.limiters for r in lim.waiting if not r.mirror]

    def note_peaks(self, finished: list[Req], now: float) -> None:
        """Limiter peaks recomputed from request times (independent evidence for the
        limiter invariants): the requests finished since the last call together with
        those still open or queued, each still-open interval cut at `now` (the next call
        sees the rest). A limiter without limits has nothing to check: its peak is the
        loop's own count. Read in one pass into `overlap.LimiterTimes` (what
        `occupancy.occupancy` gives; its numpy arrays only when a time is NaN)."""
        for limiter in (0, 1):
            if self.limiters[limiter].max_running <= 0:
                self._merge_peak(limiter, Occupancy(self.limiters[limiter].peak, 0, 0.0))
        use0, use1 = self.limiters[0].max_running > 0, self.limiters[1].max_running > 0
        if not (use0 or use1):
            return
        times = (LimiterTimes(), LimiterTimes())
        for r in finished:
            if (r.klass == 0 and use0) or (r.klass == 1 and use1):
                _take(times, r, now)
        for r in self.open.values():
            if (r.klass == 0 and use0) or (r.klass == 1 and use1):
                _take(times, r, now)
        for r in self.waiting():
            if r.klass >= 0:
                _take(times, r, now)
        if times[0].nan or times[1].nan:
            self._note_peaks_arrays(finished, now, (use0, use1))
            return
        for limiter in (0, 1):
            if times[limiter].count:
                running, queued, longest = times[limiter].peaks()
                self._merge_peak(limiter, Occupancy(running, queued, longest))

    def _note_peaks_arrays(self, finished: list[Req], now: float, use: tuple[bool, bool]) -> None:
        """`note_peaks` through numpy's `occupancy`, one array per field: the same
        requests (finished and open at a limiter in `use`, and those queued), in the
        same order."""
        rows = [r for r in [*finished, *self.open.values()] if r.klass >= 0 and use[r.klass]]
        rows += [r for r in self.waiting() if r.klass >= 0]
        for limiter in (0, 1):
            mine = [r for r in rows if r.klass == limiter]
            if mine:
                self._merge_peak(limiter, occupancy(np.array([r.time for r in mine], dtype=np.float64),
                                                    np.array([r.start for r in mine], dtype=np.float64),
                                                    np.array([r.end if r.end >= 0 else now for r in mine],
                                                             dtype=np.float64)))

    def _merge_peak(self, limiter: int, seen: Occupancy) -> None:
        self.peaks[limiter] = self.peaks[limiter].merge(seen)
        self.window[limiter] = self.window[limiter].merge(seen)

    def take_window(self) -> dict[int, Occupancy]:
        window = self.window
        self.window = {0: Occupancy(), 1: Occupancy()}
        for lim in self.limiters:
            lim.peak = lim.running
        return window


def _take(times: tuple[LimiterTimes, LimiterTimes], r: Req, now: float) -> None:
    """A request's times into its limiter's, a still-open one cut at `now`."""
    times[r.klass].add(r.time, r.start, r.end if r.end >= 0 else now)
