"""One registry pod serving requests: the handler chain of `spec/registry-operator.md`
§4.1 applied to a batch, outermost first: the storage health gate (503), the read/write
limiter (429), then the distribution app (405 for writes under readOnly, 307 for
redirected blob GETs, the kind's success code otherwise).

Fates are decided when requests arrive (`admission.py`) and kept as pending until their
`end` passes; `commit(t)` hands over what has finished by `t`, `kill(t)` turns whatever
is still open into broken connections (the container died or was killed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from twin.model.registry.admission import PodAdmission
from twin.model.registry.batch import Arrivals, Served
from twin.model.registry.occupancy import Occupancy, occupancy
from twin.model.registry.requests import WRITES, Kind, Limiter, Outcome, limiter_of
from twin.model.registry.settings import RegistrySettings

REJECT_SECONDS = 0.0005
"""Time to write a 429, 503 or 405 response: negligible next to any real request."""

_SUCCESS = np.array([200, 200, 200, 200, 202, 202, 201, 201, 200, 200], dtype=np.int16)
_LIMITER = np.array([limiter_of(k) for k in Kind], dtype=np.int8)
_WRITE = np.array([k in WRITES for k in Kind])
_STREAMS = np.array([k in (Kind.BLOB_GET, Kind.UPLOAD_CHUNK) for k in Kind])


@dataclass(frozen=True, slots=True)
class ServiceDemand:
    """What serving each request costs the pod (from the service model)."""

    cpu: np.ndarray
    storage: np.ndarray  # (n, 2)
    stream_bytes: np.ndarray
    request_bytes: np.ndarray
    response_bytes: np.ndarray
    redirected: np.ndarray  # bool


class RegistryServer:
    """The pod's server process: built when its container starts."""

    def __init__(self, name: str, settings: RegistrySettings, transfer: Callable[[float, int], float]) -> None:
        self.name = name
        self.settings = settings
        self.admission = PodAdmission(settings, transfer)
        self.gate_open = True
        self.pending = Served.empty()
        self.peaks = {Limiter.READ: Occupancy(), Limiter.WRITE: Occupancy()}
        self.window = {Limiter.READ: Occupancy(), Limiter.WRITE: Occupancy()}

    def serve(self, arrivals: Arrivals, demand: ServiceDemand) -> Served:
        """Decide the fate of a batch sorted by arrival; the result is also kept pending."""
        if not self.gate_open:
            served = _gated(arrivals)
        else:
            served = self._through_limiter(arrivals, demand)
        self.pending = Served.concat([self.pending, served])
        return served

    def _through_limiter(self, a: Arrivals, d: ServiceDemand) -> Served:
        refused = _WRITE[a.kind] & self.settings.read_only
        cpu = np.where(refused, REJECT_SECONDS, d.cpu)
        storage = np.where(refused[:, None], np.nan, d.storage)
        base = cpu + np.nansum(storage, axis=1)
        stream = np.where(_STREAMS[a.kind] & ~refused & ~d.redirected, d.stream_bytes, 0)
        fates = self.admission.admit(a.time, _LIMITER[a.kind], base, stream)
        code = np.where(refused, Outcome.NOT_ALLOWED, np.where(d.redirected, Outcome.REDIRECT, _SUCCESS[a.kind]))
        code = np.where(fates.rejected, Outcome.TOO_MANY, code).astype(np.int16)
        transfer = np.where(fates.rejected, 0.0, fates.end - fates.start - base)
        transfer = np.where(stream > 0, transfer, 0.0)
        response = np.where(refused | fates.rejected, 0, d.response_bytes)
        return Served(a.time, a.kind, a.nbytes, a.client, a.attempt, a.tag, fates.start, fates.end, code, cpu,
                      storage, transfer, d.request_bytes, response)

    def commit(self, t: float) -> Served:
        """Requests whose response has been written by `t`; the limiter peaks over the
        stretch since the last commit are updated from them and the ones still open."""
        if not len(self.pending):
            return self.pending
        self._update_peaks()
        done = self.pending.end <= t
        finished, self.pending = self.pending.take(done), self.pending.take(~done)
        return finished

    def kill(self, t: float) -> Served:
        """The container is gone at `t`: every open request ends as a broken connection."""
        self._update_peaks()
        cut, self.pending = self.pending, Served.empty()
        return replace(cut, end=np.full(len(cut), float(t)), code=np.full(len(cut), Outcome.FAILED, np.int16))

    def busy_until(self) -> float:
        """When the last open request finishes (for the graceful drain)."""
        return float(self.pending.end.max(initial=-np.inf))

    def in_flight(self, t: float) -> tuple[int, int]:
        """(admitted past the limiter, queued) at `t`, from the open requests."""
        p = self.pending
        if not len(p):
            return 0, 0
        admitted = (p.start <= t) & (p.end > t)
        leave = np.where(np.isnan(p.start), p.end, p.start)
        queued = (p.time <= t) & (leave > t) & (p.code != Outcome.UNAVAILABLE)
        return int(admitted.sum()), int(queued.sum())

    def _update_peaks(self) -> None:
        p = self.pending
        through = p.code != Outcome.UNAVAILABLE
        for limiter in Limiter:
            rows = through & (_LIMITER[p.kind] == limiter)
            seen = occupancy(p.time[rows], p.start[rows], p.end[rows])
            self.peaks[limiter] = self.peaks[limiter].merge(seen)
            self.window[limiter] = self.window[limiter].merge(seen)

    def take_window(self) -> dict[Limiter, Occupancy]:
        """The peaks since the last call (for a time series of how full the limiters got)."""
        if len(self.pending):
            self._update_peaks()
        window, self.window = self.window, {Limiter.READ: Occupancy(), Limiter.WRITE: Occupancy()}
        return window


def _gated(a: Arrivals) -> Served:
    """Every request answered 503 by the storage health gate (§4.5)."""
    n = len(a)
    nan = np.full(n, np.nan)
    return Served(a.time, a.kind, a.nbytes, a.client, a.attempt, a.tag, nan, a.time + REJECT_SECONDS,
                  np.full(n, Outcome.UNAVAILABLE, np.int16), np.zeros(n), np.full((n, 2), np.nan), np.zeros(n),
                  np.zeros(n, np.int64), np.zeros(n, np.int64))
