"""The recorder: explicit, timestamped records of what happened. The model emits facts;
reports and invariants read them (`spec/architecture.md`, habit 6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Record:
    """`time` in simulated seconds; `seq` orders records made at the same time; `kind`
    e.g. "PodBound", "NodeReady", "ZoneState"; `subject` the object it is about."""

    time: float
    seq: int
    kind: str
    subject: str
    details: dict[str, Any] = field(default_factory=dict)


class Recorder:
    def __init__(self, clock) -> None:
        self._clock = clock  # a callable returning the current simulated time
        self.records: list[Record] = []

    def record(self, kind: str, subject: str, **details: Any) -> Record:
        entry = Record(float(self._clock()), len(self.records), kind, subject, details)
        self.records.append(entry)
        return entry

    def of_kind(self, *kinds: str) -> list[Record]:
        wanted = set(kinds)
        return [r for r in self.records if r.kind in wanted]
