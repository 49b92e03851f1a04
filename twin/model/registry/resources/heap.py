"""A binary heap of items ordered by (key, seq): the data plane's event queue and each
processor-sharing pool's departures.

The algorithm is the standard library's `heapq`, written out over typed items rather
than used on tuples: compiled with the rest of the data plane (`twin/_native.py`),
comparing two items is two field reads instead of rich comparisons of tuple members,
which matters when tens of millions of events pass through. `seq` breaks ties in the
order items were pushed, which keeps runs deterministic. Positions and `seq` are `i64`
(plain ints in Python; compiled, machine integers without the overflow checks of `int`).
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

INF: Final = float("inf")


class HeapItem:
    __slots__ = ("key", "seq")

    def __init__(self, key: float, seq: i64) -> None:
        self.key = key
        self.seq = seq


def _before(a: HeapItem, b: HeapItem) -> bool:
    return a.key < b.key or (a.key == b.key and a.seq < b.seq)


class Heap:
    def __init__(self) -> None:
        self.items: list[HeapItem] = []

    def __len__(self) -> int:
        return len(self.items)

    def first_key(self) -> float:
        """The smallest key (inf when empty)."""
        return self.items[0].key if self.items else INF

    def first(self) -> HeapItem:
        return self.items[0]

    def push(self, item: HeapItem) -> None:
        items = self.items
        items.append(item)
        last: i64 = len(items) - 1
        self._sift_down(0, last)

    def pop(self) -> HeapItem:
        """The first item, taken out."""
        items = self.items
        last = items.pop()
        if not items:
            return last
        first = items[0]
        items[0] = last
        self._sift_up(0)
        return first

    def rebuild(self, items: list[HeapItem]) -> None:
        """Replace the contents (`heapq.heapify`)."""
        self.items = items
        half: i64 = len(items) // 2
        for pos in range(half - 1, -1, -1):
            self._sift_up(pos)

    def ordered(self) -> list[HeapItem]:
        return sorted(self.items, key=lambda i: (i.key, i.seq))

    def _sift_down(self, start: i64, pos: i64) -> None:
        """`heapq._siftdown`: move the item at `pos` towards `start` while it comes first
        (`_before`, written out: the item's key and seq read once)."""
        items = self.items
        item = items[pos]
        key = item.key
        seq = item.seq
        while pos > start:
            parent_pos = (pos - 1) >> 1
            parent = items[parent_pos]
            if key < parent.key or (key == parent.key and seq < parent.seq):
                items[pos] = parent
                pos = parent_pos
                continue
            break
        items[pos] = item

    def _sift_up(self, pos: i64) -> None:
        """`heapq._siftup`: bubble the smaller child up to a leaf, then sift the item into
        place (each child read once per level; `_before` written out)."""
        items = self.items
        end: i64 = len(items)
        start = pos
        item = items[pos]
        child = 2 * pos + 1
        while child < end:
            smaller = items[child]
            right = child + 1
            if right < end:
                other = items[right]
                if not (smaller.key < other.key or (smaller.key == other.key and smaller.seq < other.seq)):
                    smaller = other
                    child = right
            items[pos] = smaller
            pos = child
            child = 2 * pos + 1
        items[pos] = item
        self._sift_down(start, pos)
