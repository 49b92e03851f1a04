"""A node's network link: processor sharing of its bandwidth among the streams crossing
it (`sharing.py`), with EC2's burst allowance.

EC2 instances of up to 16 vCPUs have a baseline bandwidth and may burst above it (to
the "Up to N Gigabit" figure) while they hold network I/O credits, which they earn back
when below the baseline (AWS EC2 User Guide, "Amazon EC2 instance network bandwidth").
The twin keeps the credits as a bucket of bytes: above the baseline it drains at
`throughput - baseline`, below it refills at `baseline - throughput`, and the link
offers `burst` while the bucket holds any credit and `baseline` once it is empty. AWS
publishes neither the bucket size nor the earning rate; the bucket's default is set
from its statement that instances "can use burst bandwidth for a limited time, typically
from 5 to 60 minutes" (`nodes.py`).

A link is one direction: the ingress of a node. Every body the registry moves crosses
its node twice, once each way (a streamed blob comes in from the object store and goes
out to the client; an upload comes in from the client and goes out to the object
store), and a kubelet's download of a redirected blob crosses only its node's ingress,
so ingress always carries at least what egress carries and is the link that binds.
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from twin.model.registry.resources.sharing import EPSILON, INFINITY, ProcessorSharing



class Link(ProcessorSharing):
    """Streams sharing a node's bandwidth (bytes/s), at most `cap` each."""

    __slots__ = ("baseline", "burst", "bucket", "credits", "token", "due_at")  # token, due_at: the driving loop's

    def __init__(self, baseline: float, burst: float | None = None, bucket: float = 0.0, cap: float = INFINITY,
                 clock: float = 0.0) -> None:
        burst = baseline if burst is None else burst
        if not (baseline > 0 and burst >= baseline and bucket >= 0):
            raise ValueError(f"expected burst >= baseline > 0 and a bucket >= 0, got baseline {baseline!r}, "
                             f"burst {burst!r}, bucket {bucket!r}")
        self.baseline = float(baseline)
        self.burst = float(burst)
        self.bucket = float(bucket)
        self.credits = float(bucket)
        super().__init__(self.burst if self.credits > 0 else self.baseline, cap, clock)
        self.token: i64 = -1
        self.due_at = INFINITY

    def advance(self, t: float) -> None:
        self._settle_capacity()
        while t > self.clock:
            stop = min(t, self.exhausted_at())
            self._credit(stop - self.clock)
            ProcessorSharing.advance(self, stop)
            self._settle_capacity()

    def _credit(self, dt: float) -> None:
        surplus = self.baseline - self.throughput()
        self.credits = min(self.bucket, max(0.0, self.credits + surplus * dt))

    def _settle_capacity(self) -> None:
        """Burst while credits last (credits that would last under a nanosecond at the
        present drain are none: a clock cannot step that finely)."""
        draining = self.throughput() - self.baseline
        spent = self.credits <= EPSILON or (draining > 0 and self.credits < draining * 1e-9)
        capacity = self.baseline if spent else self.burst
        if capacity != self.capacity:
            if capacity == self.baseline:
                self.credits = 0.0
            self.capacity = capacity
            self.version += 1

    def exhausted_at(self) -> float:
        """When the credits run out at the present throughput (inf if they don't)."""
        draining = self.throughput() - self.baseline
        if self.capacity == self.baseline or draining <= 0:
            return INFINITY
        return self.clock + self.credits / draining

    def next_event(self) -> float:
        """The next departure or the end of the burst, whichever comes first."""
        return min(self.next_departure(), self.exhausted_at())
