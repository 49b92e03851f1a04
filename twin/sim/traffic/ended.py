"""Ended requests on their way to the statistics (`stats.RequestStats.take`): the columns
the statistics count, and the batches waiting to be counted together."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.model.registry.batch import Served
from twin.model.registry.requests import Kind


@dataclass(slots=True)
class Ended:
    """Ended requests as the statistics read them: `group` is `client * len(Kind) + kind`."""

    time: np.ndarray
    end: np.ndarray
    group: np.ndarray  # int64
    code: np.ndarray  # int64, 0..599

    @property
    def kind(self) -> np.ndarray:
        return self.group % len(Kind)

    @classmethod
    def of(cls, done: Served) -> Ended:
        return cls(done.time, done.end, group_of(done.client, done.kind), done.code.astype(np.int64))

    @classmethod
    def of_keys(cls, time: np.ndarray, end: np.ndarray, key: np.ndarray) -> Ended:
        """From `exchange.outcome_columns`' keys: the group above the code's 16 bits."""
        return cls(time, end, key >> 16, key & 0xFFFF)


class Pending:
    """Ended requests' columns (time, end, key: `exchange.outcome_columns`) as arrays, one
    chunk per batch (made from the batch's lists at once, while they are fresh), not yet
    counted."""

    __slots__ = ("chunks", "rows")

    def __init__(self) -> None:
        self.chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.rows = 0

    def add(self, time: np.ndarray, end: np.ndarray, key: np.ndarray) -> None:
        self.chunks.append((time, end, key))
        self.rows += len(time)

    def columns(self) -> Ended:
        time, end, key = (np.concatenate([chunk[i] for chunk in self.chunks]) for i in range(3))
        return Ended.of_keys(time, end, key)


def group_of(client: np.ndarray, kind: np.ndarray) -> np.ndarray:
    return client.astype(np.int64) * len(Kind) + kind.astype(np.int64)
