"""Finished requests as columns: one numpy array per field (`spec/architecture.md` habit
7), handed from the data plane to the statistics and the metrics in batches."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from functools import lru_cache
from typing import TypeVar

import numpy as np

T = TypeVar("T", bound="Columns")


class Client(IntEnum):
    """Who sent a request (`clients.py` says how each behaves)."""

    PULL = 0  # background image pulls (CI jobs, podman, other clusters)
    PUSH = 1  # builds pushing images
    KUBELET = 2  # image pulls at pod start
    SCRAPE = 3  # Prometheus scraping /extensions/v2/metrics
    PRUNE = 4  # the image pruner's job deleting what it pruned (`sim/pruner.py`)


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
    storage_error: np.ndarray  # int8 StorageOp that failed past the driver's retries (500), -1 if none

    @classmethod
    def empty(cls) -> Served:
        z, i8 = np.empty(0), np.empty(0, np.int8)
        return cls(z, i8, np.empty(0, np.int64), i8, i8, np.empty(0, np.int64), z, z, np.empty(0, np.int16), z,
                   np.empty((0, 2)), z, np.empty(0, np.int64), np.empty(0, np.int64), i8)
