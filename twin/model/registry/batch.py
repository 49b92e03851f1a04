"""Requests as columns: one numpy array per field, never one Python object per request
(`spec/architecture.md` habit 7)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from functools import lru_cache
from typing import TypeVar

import numpy as np

T = TypeVar("T", bound="Columns")


class Client(IntEnum):
    """Who sent a request; decides the retry behaviour on 429 and failures."""

    PULL = 0  # background image pulls (CI jobs, podman, other clusters)
    PUSH = 1  # builds pushing images
    KUBELET = 2  # image pulls at pod start
    SCRAPE = 3  # Prometheus scraping /extensions/v2/metrics


class Columns:
    """Equal-length array fields (the first is `time`) with row selection and concatenation."""

    def __len__(self) -> int:
        return len(self.time)

    def take(self: T, rows) -> T:
        return type(self)(*(getattr(self, name)[rows] for name in _names(type(self))))

    @classmethod
    def concat(cls: type[T], parts: list[T]) -> T:
        if len(parts) == 1:
            return parts[0]
        return cls(*(np.concatenate([getattr(p, name) for p in parts]) for name in _names(cls)))


@lru_cache(maxsize=None)
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@dataclass(frozen=True, slots=True)
class Arrivals(Columns):
    """Requests as clients send them, sorted by `time`. `tag` >= 0 marks a request whose
    client waits for it (a kubelet pull, a scrape); -1 otherwise."""

    time: np.ndarray  # float64 seconds
    kind: np.ndarray  # int8 Kind
    nbytes: np.ndarray  # int64: blob or manifest size the request moves
    client: np.ndarray  # int8 Client
    attempt: np.ndarray  # int8: 0 for a first try, then retries
    tag: np.ndarray  # int64

    @classmethod
    def empty(cls) -> Arrivals:
        return cls(np.empty(0), np.empty(0, np.int8), np.empty(0, np.int64), np.empty(0, np.int8),
                   np.empty(0, np.int8), np.empty(0, np.int64))

    @classmethod
    def of(cls, time, kind, nbytes, client: Client, attempt: int = 0, tag: int = -1) -> Arrivals:
        time = np.asarray(time, dtype=float)
        n = len(time)
        return cls(time, np.asarray(kind, np.int8), np.asarray(nbytes, np.int64), np.full(n, client, np.int8),
                   np.full(n, attempt, np.int8), np.full(n, tag, np.int64))

    def sorted(self) -> Arrivals:
        return self.take(np.argsort(self.time, kind="stable"))


@dataclass(frozen=True, slots=True)
class Served(Columns):
    """Requests with their fate at one pod. `start` is nan for requests that never got
    past the limiter (429) or the storage health gate (503); `end` is when the response
    was written, the rejection was sent or the connection broke."""

    time: np.ndarray
    kind: np.ndarray
    nbytes: np.ndarray
    client: np.ndarray
    attempt: np.ndarray
    tag: np.ndarray
    start: np.ndarray
    end: np.ndarray
    code: np.ndarray  # int16 Outcome / HTTP status
    cpu: np.ndarray
    storage: np.ndarray  # (n, 2) seconds of the kind's storage-driver operations, nan where none
    transfer: np.ndarray  # seconds streaming bytes through the pod
    request_bytes: np.ndarray
    response_bytes: np.ndarray

    @classmethod
    def empty(cls) -> Served:
        a = Arrivals.empty()
        z = np.empty(0)
        return cls(a.time, a.kind, a.nbytes, a.client, a.attempt, a.tag, z, z, np.empty(0, np.int16), z,
                   np.empty((0, 2)), z, np.empty(0, np.int64), np.empty(0, np.int64))
