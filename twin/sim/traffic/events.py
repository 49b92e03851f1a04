"""The data plane's event queue: a heap (`resources/heap.py`) ordered by (time, seq),
`seq` being the order events were scheduled in, so events at the same instant are
handled first scheduled, first handled, and runs are deterministic."""

from __future__ import annotations

from typing import Any

from mypy_extensions import i64

from twin.model.registry.resources.heap import Heap, HeapItem


class Entry(HeapItem):
    """One scheduled event: `event` (an `exchange` code) about `subject` at `time` (the key)."""

    __slots__ = ("event", "subject")

    def __init__(self, time: float, seq: i64, event: int, subject: Any) -> None:
        super().__init__(time, seq)
        self.event = event
        self.subject = subject


class EventQueue(Heap):
    """The heap, with the entries the loop has handled kept for reuse (`add` takes one
    before making one): an event then costs no allocation. A handled entry is `recycle`d
    only once the loop is done with it, its subject let go of at once."""

    def __init__(self) -> None:
        super().__init__()
        self.spare: list[Entry] = []

    def add(self, time: float, seq: i64, event: int, subject: Any) -> None:
        spare = self.spare
        if spare:
            entry = spare.pop()
            entry.key = time
            entry.seq = seq
            entry.event = event
            entry.subject = subject
        else:
            entry = Entry(time, seq, event, subject)
        self.push(entry)

    def recycle(self, entry: Entry) -> None:
        entry.subject = None
        self.spare.append(entry)

    def entries(self) -> list[Entry]:
        """Every event still to come, in order (for the end of a run and diagnostics)."""
        return [e for e in self.ordered() if isinstance(e, Entry)]
