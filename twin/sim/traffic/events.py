"""The data plane's event queue: a heap (`resources/heap.py`) ordered by (time, seq),
`seq` being the order events were scheduled in, so events at the same instant are
handled first scheduled, first handled, and runs are deterministic."""

from __future__ import annotations

from typing import Any

from mypy_extensions import i64

from twin.model.registry.resources.heap import INF, Heap, HeapItem


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
    only once the loop is done with it, its subject let go of at once.

    An event that comes before every event in the heap as it is scheduled (a quarter of
    them in the pull storm: a request's next step due before anything else) is `held`
    outside the heap instead: it is the next one out unless an earlier one is scheduled before it leaves,
    which then takes its place (the held one goes into the heap). The rule that keeps the
    order exact: the held entry, when there is one, comes before every entry in the heap
    in (time, seq) order; only an entry before it replaces it, so `pop` hands it out first
    and otherwise takes the heap's first, as a plain heap would."""

    def __init__(self) -> None:
        super().__init__()
        self.spare: list[Entry] = []
        self.held: Entry | None = None

    def __len__(self) -> int:
        return len(self.items) + (0 if self.held is None else 1)

    def first_key(self) -> float:
        held = self.held
        if held is not None:
            return held.key
        items = self.items
        return items[0].key if items else INF

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
        held = self.held
        if held is None:
            items = self.items
            if items:
                first = items[0]
                if not (time < first.key or (time == first.key and seq < first.seq)):
                    self.push(entry)
                    return
            self.held = entry
        elif time < held.key or (time == held.key and seq < held.seq):
            self.push(held)
            self.held = entry
        else:
            self.push(entry)

    def take(self) -> Entry:
        """The first event, taken out (the held one, or the heap's first)."""
        held = self.held
        if held is not None:
            self.held = None
            return held
        entry = Heap.pop(self)
        assert isinstance(entry, Entry)
        return entry

    def pop(self) -> HeapItem:
        return self.take()

    def recycle(self, entry: Entry) -> None:
        entry.subject = None
        self.spare.append(entry)

    def entries(self) -> list[Entry]:
        """Every event still to come, in order (for the end of a run and diagnostics)."""
        held = [] if self.held is None else [self.held]
        return held + [e for e in self.ordered() if isinstance(e, Entry)]
