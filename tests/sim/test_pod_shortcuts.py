"""A registry pod's bookkeeping written for speed answers what the plain version did:
the blob descriptor cache against a textbook LRU, and the limiter peaks recomputed from
request times (`PodServer.note_peaks`) against the per-array computation it replaced."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from twin.model.registry.occupancy import Occupancy, occupancy
from twin.model.registry.resources.memory import MemoryParams
from twin.model.registry.settings import Limits, RegistrySettings
from twin.sim.traffic.exchange import OPEN, Req
from twin.sim.traffic.pod import DescriptorCache, PodServer


class PlainLRU:
    def __init__(self, size: int) -> None:
        self.size, self.entries = size, OrderedDict()

    def seen(self, blob: int) -> bool:
        found = blob in self.entries
        self.entries[blob] = True
        self.entries.move_to_end(blob)
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return found


@given(st.integers(1, 5), st.lists(st.integers(0, 8), max_size=200))
def test_the_descriptor_cache_answers_as_a_plain_lru(size, blobs):
    cache, plain = DescriptorCache(size), PlainLRU(size)
    assert [cache.seen(b) for b in blobs] == [plain.seen(b) for b in blobs]
    assert list(cache.entries) == list(plain.entries)


def plain_peaks(server: PodServer, finished: list[Req], now: float) -> dict[int, Occupancy]:
    """`note_peaks` as it was: one array per field over every row, then a mask per limiter."""
    peaks = {}
    limited = [k for k in (0, 1) if server.limiters[k].max_running > 0]
    if not limited:
        return peaks
    rows = [r for r in finished if r.klass in limited] + [r for r in server.open.values() if r.klass in limited]
    rows += server.waiting()
    if not rows:
        return peaks
    klass = np.array([r.klass for r in rows], np.int8)
    time = np.array([r.time for r in rows])
    start = np.array([r.start for r in rows])
    end = np.array([r.end if r.end >= 0 else now for r in rows])
    for limiter in (0, 1):
        pick = klass == limiter
        if pick.any():
            peaks[limiter] = occupancy(time[pick], start[pick], end[pick])
    return peaks


ROW = st.tuples(st.sampled_from([-1, 0, 1]), st.floats(0, 10), st.one_of(st.none(), st.floats(0, 5)),
                st.one_of(st.none(), st.floats(0, 5)), st.sampled_from(["finished", "open", "waiting"]))


@given(st.lists(ROW, max_size=60), st.sampled_from([(4, 2), (0, 2), (4, 0), (0, 0)]))
def test_limiter_peaks_from_request_times_are_those_of_the_per_array_computation(rows, running):
    settings = RegistrySettings(read=Limits(running[0], 8), write=Limits(running[1], 8))
    server = PodServer("ns/pod", "node", settings, 2.0, MemoryParams(), None, 0.0)
    finished, now = [], 20.0
    for i, (klass, time, wait, took, where) in enumerate(rows):
        r = Req(0, 0, 0)
        r.id, r.klass, r.time = i, klass, time
        if where == "waiting":
            if klass < 0:
                continue
            server.limiters[klass].waiting.append(r)
            continue
        r.start = math.nan if wait is None else time + wait
        r.end = OPEN if where == "open" else (r.start if r.start == r.start else time) + (took or 0.0)
        if where == "open":
            server.open[r] = r
        else:
            finished.append(r)
    expected = plain_peaks(server, finished, now)
    server.note_peaks(finished, now)
    for limiter in (0, 1):
        window = Occupancy() if running[limiter] > 0 else Occupancy().merge(Occupancy(0, 0, 0.0))
        if limiter in expected:
            window = window.merge(expected[limiter])
        assert server.window[limiter] == window


def test_a_nan_arrival_takes_the_per_array_computation():
    """numpy orders NaN its own way: `note_peaks` hands such a flush to `occupancy`."""
    settings = RegistrySettings(read=Limits(4, 8), write=Limits(2, 8))
    server = PodServer("ns/pod", "node", settings, 2.0, MemoryParams(), None, 0.0)
    finished = []
    for i, (time, start, end) in enumerate([(math.nan, 1.0, 2.0), (0.0, 0.5, 3.0), (0.2, math.nan, 0.7)]):
        r = Req(0, 0, 0)
        r.id, r.klass, r.time, r.start, r.end = i, 0, time, start, end
        finished.append(r)
    expected = plain_peaks(server, finished, 5.0)
    server.note_peaks(finished, 5.0)
    assert math.isnan(expected[0].longest_wait)  # the case: numpy's NaN, which the merge below drops
    assert server.window[0] == Occupancy().merge(expected[0])
