"""Node group backoff, translated from kubernetes/autoscaler
`utils/backoff/exponential_backoff_test.go` (times in seconds from start)."""

from __future__ import annotations

from twin.model.autoscaling.backoff import Backoffs

MIN, HOUR = 60.0, 3600.0


def test_backoff_of_one_key_leaves_the_other_alone():
    """TestBackoffTwoKeys: 10 min initial, 1 h max, reset 3 h."""
    b = Backoffs()
    assert not b.backed_off("id1", 0.0) and not b.backed_off("id2", 0.0)
    b = b.backoff("id1", 1 * MIN, 10 * MIN, HOUR)
    assert b.backed_off("id1", 2 * MIN) and not b.backed_off("id2", 0.0)
    assert not b.backed_off("id1", 11 * MIN)


def test_backoff_doubles_up_to_its_maximum():
    """TestMaxBackoff: 1 min initial, 3 min max."""
    b = Backoffs().backoff("id1", 0.0, MIN, 3 * MIN)
    assert b.backed_off("id1", 0.0) and not b.backed_off("id1", MIN)
    b = b.backoff("id1", MIN, MIN, 3 * MIN)
    assert b.backed_off("id1", MIN) and not b.backed_off("id1", 3 * MIN)
    b = b.backoff("id1", 3 * MIN, MIN, 3 * MIN)
    assert b.backed_off("id1", 3 * MIN) and not b.backed_off("id1", 6 * MIN)


def test_remove_backoff():
    """TestRemoveBackoff."""
    b = Backoffs().backoff("id1", 0.0, MIN, 3 * MIN)
    assert b.backed_off("id1", 0.0)
    assert not b.remove("id1").backed_off("id1", 0.0)


def test_stale_backoff_data_is_removed_3_hours_after_the_last_failure():
    """TestResetStaleBackoffData."""
    b = Backoffs().backoff("id1", 0.0, MIN, 3 * MIN).backoff("id2", HOUR, MIN, 3 * MIN)
    assert len(b.remove_stale(HOUR, 3 * HOUR).entries) == 2
    assert len(b.remove_stale(4 * HOUR, 3 * HOUR).entries) == 1
    assert len(b.remove_stale(5 * HOUR, 3 * HOUR).entries) == 0


def test_a_failure_during_a_backoff_starts_again_from_the_initial_duration():
    """`Backoff`: the duration doubles only when the previous backoff has run out."""
    b = Backoffs().backoff("g", 0.0, 300.0, 1800.0).backoff("g", 400.0, 300.0, 1800.0)
    assert b.until("g") == 1000.0  # 600 s: doubled
    assert b.backoff("g", 500.0, 300.0, 1800.0).until("g") == 800.0  # still backed off: 300 s again
