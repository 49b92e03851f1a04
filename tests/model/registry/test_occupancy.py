"""Limiter occupancy (`model/registry/occupancy.py`) reads small inputs in plain Python
(the peak from the sorted openings and closings), and the pods' flushes read requests one
at a time (`model/registry/overlap.py`): both must give what numpy gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.model.registry.occupancy import SMALL, Occupancy, max_overlap, occupancy
from twin.model.registry.overlap import LimiterTimes, most_open

# times on a coarse grid, so that openings and closings often fall on one instant
times = st.integers(0, 12).map(lambda q: q / 4)


@st.composite
def requests(draw, most: int):
    """(arrival, start, end) columns: a start at or after arrival (NaN: rejected), an end
    at or after both."""
    n = draw(st.integers(0, most))
    arrival, start, end = [], [], []
    for _ in range(n):
        a = draw(times)
        s = None if draw(st.booleans()) and draw(st.booleans()) else a + draw(times)
        arrival.append(a)
        start.append(float("nan") if s is None else s)
        end.append((a if s is None else s) + draw(times))
    return np.array(arrival, float), np.array(start, float), np.array(end, float)


def plain_occupancy(arrival, start, end) -> Occupancy:
    admitted = ~np.isnan(start)
    leave = np.where(admitted, start, end)
    waited = leave > arrival
    return Occupancy(max_overlap(start[admitted], end[admitted]), max_overlap(arrival[waited], leave[waited]),
                     float((leave - arrival).max(initial=0.0)))


@settings(max_examples=300)
@given(requests(most=SMALL))
def test_small_inputs_read_in_python_give_the_plain_occupancy(columns):
    got, expected = occupancy(*columns), plain_occupancy(*columns)
    assert (got.running, got.queued, got.longest_wait) == (expected.running, expected.queued, expected.longest_wait)
    assert type(got.running) is int and type(got.queued) is int and type(got.longest_wait) is float


@settings(max_examples=100)
@given(requests(most=3 * SMALL))
def test_large_inputs_give_the_plain_occupancy(columns):
    assert occupancy(*columns) == plain_occupancy(*columns)


def test_a_nan_arrival_takes_the_numpy_path():
    columns = np.array([np.nan, 0.0]), np.array([1.0, 1.0]), np.array([2.0, 2.0])
    got, expected = occupancy(*columns), plain_occupancy(*columns)
    assert np.isnan(got.longest_wait) and np.isnan(expected.longest_wait)
    assert (got.running, got.queued) == (expected.running, expected.queued)


def times_of(columns) -> LimiterTimes:
    times = LimiterTimes()
    for arrival, start, end in zip(*(c.tolist() for c in columns)):
        times.add(arrival, start, end)
    return times


@settings(max_examples=300)
@given(requests(most=3 * SMALL))
def test_limiter_times_taken_one_at_a_time_give_the_plain_occupancy(columns):
    """`overlap.LimiterTimes`, what the pods' flushes use, against the numpy definition."""
    times = times_of(columns)
    expected = plain_occupancy(*columns)
    assert times.count == len(columns[0]) and not times.nan
    assert times.peaks() == (expected.running, expected.queued, expected.longest_wait)


def test_limiter_times_flag_a_nan_arrival():
    assert times_of((np.array([np.nan, 0.0]), np.array([1.0, 1.0]), np.array([2.0, 2.0]))).nan
    assert not times_of((np.array([0.0]), np.array([np.nan]), np.array([2.0]))).nan  # a refused request


def test_most_open_counts_a_slot_freed_at_t_as_free_for_an_opening_at_t():
    assert most_open([0.0, 1.0], [1.0, 2.0]) == 1
    assert most_open([0.0, 0.5, 1.0], [1.0, 1.5, 2.0]) == 2
    assert most_open([], []) == 0
