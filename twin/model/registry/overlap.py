"""How full a limiter was, from its requests' times, in typed Python (compiled with the data
plane, `twin/_native.py`): the limiter peaks every flush recomputes (`PodServer.note_peaks`)
without a numpy array per field. `occupancy.occupancy` is the numpy definition these
answer to (tests compare them); intervals are half-open, as there.
"""

from __future__ import annotations


def most_open(begin: list[float], end: list[float]) -> int:
    """The most intervals `[begin, end)` open at one instant (lists without NaN): the
    running count only peaks just after an opening, and just after the k-th opening in
    time order (from 1) it is k minus the closings at or before it (closings first at
    equal times; among openings at one instant the last counts them all)."""
    opens = sorted(begin)
    ends = sorted(end)
    n = len(ends)
    closed = 0
    opened = 0
    best = 0
    for t in opens:
        opened += 1
        while closed < n and ends[closed] <= t:
            closed += 1
        if opened - closed > best:
            best = opened - closed
    return best


class LimiterTimes:
    """The requests one limiter saw, taken one at a time as (arrival, start, end), `start`
    NaN for one never admitted (its `end` is when it left the queue or was refused): what
    `occupancy.occupancy` reads from three arrays. `nan`: an arrival or end was NaN,
    which only the numpy definition orders (the caller takes it then)."""

    __slots__ = ("count", "run_begin", "run_end", "wait_begin", "wait_end", "longest_wait", "nan")

    def __init__(self) -> None:
        self.count = 0
        self.run_begin: list[float] = []
        self.run_end: list[float] = []
        self.wait_begin: list[float] = []
        self.wait_end: list[float] = []
        self.longest_wait = 0.0
        self.nan = False

    def add(self, arrival: float, start: float, end: float) -> None:
        self.count += 1
        if arrival != arrival or end != end:
            self.nan = True
        if start == start:  # admitted: it ran from start to end, and waited until start
            self.run_begin.append(start)
            self.run_end.append(end)
            leave = start
        else:
            leave = end
        if leave > arrival:
            self.wait_begin.append(arrival)
            self.wait_end.append(leave)
        if leave - arrival > self.longest_wait:
            self.longest_wait = leave - arrival

    def peaks(self) -> tuple[int, int, float]:
        """(most running, most queued, longest wait), as `occupancy.occupancy` gives them."""
        return most_open(self.run_begin, self.run_end), most_open(self.wait_begin, self.wait_end), self.longest_wait
