"""Egalitarian processor sharing with a per-job cap, the one sharing rule behind the
registry's CPU and the nodes' network links.

`n` jobs share a capacity `C`; each gets the same rate `min(cap, C / n)`:

* CPU: `C` = the cores the container can get, `cap` = 1 core. A request is served by
  one goroutine at a time, so it never runs on more than one core, and the Go runtime
  (GOMAXPROCS = the node's CPUs, `spec/capacity.md` §6) spreads goroutines over every
  core it may use. Linux's CFS shares a CPU between runnable threads in proportion to
  their weights, which the fluid limit of equal weights makes egalitarian.
* A network link: `C` = the link's bytes/s, `cap` = one stream's bytes/s (an S3 GET
  connection). TCP flows through one bottleneck converge to equal shares.

Why processor sharing: it is the fluid limit of round-robin time slicing (CFS runs
threads in slices of a few ms, far shorter than the requests), it makes the
throughput ceiling emerge as `C / mean work` without being configured, and its mean
sojourn time is known in closed form and insensitive to the work distribution
(M/G/1-PS: E[T] = E[S] / (1 - rho); with `c` cores and a per-job cap of one core the
queue is symmetric in Kelly's sense, so the number present is distributed as in M/M/c),
which is what the tests check it against.

Exact in continuous time with a virtual clock: every job present advances at the same
rate, so a job that joins when the virtual clock reads `V` with work `w` leaves when it
reads `V + w`; the next departure is the heap's minimum (`heap.py`). `O(log n)` per job
whatever the number sharing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from mypy_extensions import i64

from twin.model.registry.resources.heap import Heap, HeapItem

INFINITY: Final = math.inf
EPSILON: Final = 1e-9


class Job(HeapItem):
    """A job in a pool: its virtual finish (the key) and what it is."""

    __slots__ = ("item",)

    def __init__(self, finish: float, seq: i64, item: Any) -> None:
        super().__init__(finish, seq)
        self.item = item


class ProcessorSharing:
    """Jobs sharing `capacity` (work per second) at most `cap` each. Work and capacity are
    in the same units: core-seconds and cores, or bytes and bytes/s. Time only moves
    forward through `advance`, which every other method calls first."""

    __slots__ = ("capacity", "cap", "virtual", "clock", "started", "heap", "seq", "done_work", "offered", "version",
                 "spare")

    def __init__(self, capacity: float, cap: float = 1.0, clock: float = 0.0) -> None:
        if not capacity > 0 or not cap > 0:
            raise ValueError(f"expected a positive capacity and cap, got {capacity!r} and {cap!r}")
        self.capacity = float(capacity)
        self.cap = float(cap)
        self.virtual = 0.0  # work each present job has received since the start
        self.clock = self.started = clock
        self.heap = Heap()  # jobs by virtual finish
        self.seq: i64 = 0
        self.done_work = 0.0  # work served, integrated over time (for utilisation)
        self.offered = 0.0  # capacity offered, integrated over time
        self.version = 0  # bumped whenever the next departure may have moved
        self.spare: list[Job] = []  # jobs popped, kept for reuse by `add` (their item let go of): no allocation per job

    def __len__(self) -> int:
        return len(self.heap.items)

    def rate(self) -> float:
        """Each job's rate now."""
        n = len(self.heap.items)
        return self.cap if n * self.cap <= self.capacity else self.capacity / n

    def throughput(self) -> float:
        """Work served per second now: min(n * cap, capacity) (0 when empty, the cap may be inf)."""
        n = len(self.heap.items)
        return min(n * self.cap, self.capacity) if n else 0.0

    def advance(self, t: float) -> None:
        dt = t - self.clock
        if dt <= 0:
            return
        n = len(self.heap.items)
        if n:
            per_job = self.cap if n * self.cap <= self.capacity else self.capacity / n
            self.virtual += per_job * dt
            self.done_work += per_job * n * dt
        self.offered += self.capacity * dt
        self.clock = t

    def add(self, t: float, work: float, item: Any) -> None:
        """A job with `work` joins at `t`."""
        if t > self.clock:
            self.advance(t)
        finish = self.virtual + (work if work > 0.0 else 0.0)
        spare = self.spare
        if spare:
            job = spare.pop()
            job.key = finish
            job.seq = self.seq
            job.item = item
        else:
            job = Job(finish, self.seq, item)
        self.heap.push(job)
        self.seq += 1
        self.version += 1

    def next_departure(self) -> float:
        """When the next job leaves if nothing joins or leaves before (inf when empty)."""
        heap = self.heap
        n = len(heap.items)
        if not n:
            return INFINITY
        remaining = heap.first_key() - self.virtual
        if remaining <= 0:
            return self.clock
        return self.clock + remaining / (self.cap if n * self.cap <= self.capacity else self.capacity / n)

    def due(self) -> bool:
        """Whether the first job's work is done at the clock (to rounding, or so nearly
        that its departure cannot be told from now)."""
        if not len(self.heap.items):
            return False
        finish = self.heap.first_key()
        return finish - self.virtual <= EPSILON * max(1.0, finish) or self.next_departure() <= self.clock

    def pop(self, t: float) -> Any:
        """The job whose work is done at `t` (`t` = `next_departure()`)."""
        if t > self.clock:
            self.advance(t)
        job = self.heap.pop()
        assert isinstance(job, Job)
        if job.key > self.virtual:  # rounding: the clock says it is done
            self.virtual = job.key
        self.version += 1
        item = job.item
        job.item = None
        self.spare.append(job)
        return item

    def set_capacity(self, t: float, capacity: float) -> None:
        if not capacity > 0:
            raise ValueError(f"expected a positive capacity, got {capacity!r}")
        self.advance(t)
        if capacity != self.capacity:
            self.capacity = float(capacity)
            self.version += 1

    def remove(self, t: float, doomed: Callable[[Any], bool]) -> list[Any]:
        """Take out every job whose item `doomed(item)` says (a killed container's
        streams); returns them. O(n): only for kills."""
        self.advance(t)
        jobs = [j for j in self.heap.items if isinstance(j, Job)]
        gone = [j.item for j in jobs if doomed(j.item)]
        if gone:
            kept: list[HeapItem] = [j for j in jobs if not doomed(j.item)]
            self.heap.rebuild(kept)
            self.version += 1
        return gone

    def remaining(self, item: Any) -> float:
        """Work `item` still needs (tests and diagnostics; O(n))."""
        for job in self.heap.items:
            if isinstance(job, Job) and job.item is item:
                return job.key - self.virtual
        raise KeyError(item)
