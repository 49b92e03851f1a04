"""The limiter's admission rules (`spec/registry-operator.md` §4.2), table cases."""

import numpy as np
import pytest

from twin.model.registry.admission import PodAdmission
from twin.model.registry.requests import Limiter
from twin.model.registry.settings import Limits, RegistrySettings

NAN = float("nan")


def fates(read: Limits, arrivals, services, limiters=None, write: Limits = Limits()):
    pod = PodAdmission(RegistrySettings(read=read, write=write))
    limiter = np.array(limiters if limiters is not None else [Limiter.READ] * len(arrivals), dtype=np.int8)
    f = pod.admit(np.array(arrivals, dtype=float), limiter, np.array(services, dtype=float))
    return [(None if np.isnan(s) else round(s, 6), round(e, 6)) for s, e in zip(f.start, f.end)]


def test_a_free_running_slot_admits_at_once():
    assert fates(Limits(2, 0), [0, 0.5], [1, 1]) == [(0, 1), (0.5, 1.5)]


def test_without_a_queue_an_overflow_request_is_rejected_at_once():
    assert fates(Limits(1, 0), [0, 0.5], [1, 1]) == [(0, 1), (None, 0.5)]


def test_waiters_are_admitted_first_come_first_served_as_slots_free():
    assert fates(Limits(1, 2), [0, 0.1, 0.2], [1, 1, 1]) == [(0, 1), (1, 2), (2, 3)]


def test_a_full_queue_rejects_the_next_arrival():
    assert fates(Limits(1, 2), [0, 0.1, 0.2, 0.3], [1, 1, 1, 1])[3] == (None, 0.3)


def test_a_waiter_gives_up_after_max_wait_and_takes_no_slot():
    result = fates(Limits(1, 5, 0.5), [0, 0.1, 0.7], [1, 1, 1])
    assert result == [(0, 1), (None, 0.6), (1, 2)]


def test_a_waiter_that_gives_up_holds_its_queue_place_until_then():
    result = fates(Limits(1, 1, 0.5), [0, 0.1, 0.3, 0.7], [10, 1, 1, 1])
    assert result == [(0, 10), (None, 0.6), (None, 0.3), (None, 1.2)]


def test_zero_max_wait_means_waiting_forever():
    assert fates(Limits(1, 1, 0.0), [0, 0.1], [100, 1]) == [(0, 100), (100, 101)]


@pytest.mark.parametrize("max_running", [0, -1])
def test_max_running_zero_or_negative_means_no_limiter_whatever_the_queue_settings(max_running):
    assert fates(Limits(max_running, 0, 0.1), [0, 0, 0], [5, 5, 5]) == [(0, 5), (0, 5), (0, 5)]


def test_read_and_write_limiters_are_independent():
    result = fates(Limits(1, 0), [0, 0.1, 0.2], [1, 1, 1], [Limiter.READ, Limiter.WRITE, Limiter.READ], Limits(1, 0))
    assert result == [(0, 1), (0.1, 1.1), (None, 0.2)]


def test_an_unlimited_write_side_does_not_lift_the_read_limit():
    result = fates(Limits(1, 0), [0, 0.1, 0.2], [1, 1, 1], [Limiter.READ, Limiter.WRITE, Limiter.READ])
    assert result == [(0, 1), (0.1, 1.1), (None, 0.2)]


def test_a_slot_freed_exactly_at_an_arrival_is_free():
    assert fates(Limits(1, 0), [0, 1], [1, 1]) == [(0, 1), (1, 2)]


def test_batches_must_come_in_arrival_order():
    pod = PodAdmission(RegistrySettings(read=Limits(1, 1)))
    pod.admit(np.array([5.0]), np.zeros(1, dtype=np.int8), np.ones(1))
    with pytest.raises(ValueError, match="arrival order"):
        pod.admit(np.array([4.0]), np.zeros(1, dtype=np.int8), np.ones(1))


def test_state_carries_over_between_batches():
    pod = PodAdmission(RegistrySettings(read=Limits(1, 0)))
    pod.admit(np.array([0.0]), np.zeros(1, dtype=np.int8), np.array([2.0]))
    later = pod.admit(np.array([1.0]), np.zeros(1, dtype=np.int8), np.array([1.0]))
    assert later.rejected.tolist() == [True]


def per_share(nbytes: float, sharing: int) -> float:
    """100 bytes/s for the pod, shared equally."""
    return nbytes * sharing / 100.0


def test_streamed_transfers_share_the_pod_bandwidth_from_their_start():
    pod = PodAdmission(RegistrySettings(), per_share)
    f = pod.admit(np.array([0.0, 0.0, 10.0]), np.zeros(3, dtype=np.int8), np.zeros(3), np.array([100.0, 100.0, 100.0]))
    assert f.end.tolist() == [1.0, 2.0, 11.0]


def test_a_streamed_transfer_holds_its_read_slot_for_the_whole_transfer():
    pod = PodAdmission(RegistrySettings(read=Limits(1, 1)), per_share)
    f = pod.admit(np.array([0.0, 0.5]), np.zeros(2, dtype=np.int8), np.array([0.1, 0.1]), np.array([500.0, 0.0]))
    assert f.start.tolist() == [0.0, 5.1]
    assert f.end.tolist() == pytest.approx([5.1, 5.2])
