"""The scheduled image import rules of openshift-controller-manager
(`twin/model/images/import_schedule.py`): `pkg/image/controller/factory.go`,
`scheduler.go`, `scheduled_image_controller.go`, and the defaults of
`pkg/cmd/openshift-controller-manager/openshiftcontrolplane_config.go`."""

from __future__ import annotations

import pytest

from twin.model.images.import_schedule import (
    MAX_IMPORTS_PER_MINUTE, MINIMUM_INTERVAL_SECONDS, Scheduler, TokenBucket, TokenBucketRule, bucket_count,
    bucket_interval,
)


def test_the_defaults_are_60_imports_a_minute_and_a_15_minute_interval():
    assert (MAX_IMPORTS_PER_MINUTE, MINIMUM_INTERVAL_SECONDS) == (60, 900.0)


@pytest.mark.parametrize("resync, buckets", [
    (900.0, 4),  # the default: 4 buckets
    (3600.0, 4),  # exactly an hour is not over an hour
    (3601.0, 8),  # Buckets(): over an hour doubles
    (600.0, 4),  # exactly 10 minutes is not under
    (599.0, 2),  # under 10 minutes halves
])
def test_the_bucket_count_follows_the_resync(resync, buckets):
    assert bucket_count(resync) == buckets


def test_buckets_advance_at_buckets_per_resync():
    assert bucket_interval(900.0) == pytest.approx(225.0)  # BucketsToQPS: 4 / 900 s


@pytest.mark.parametrize("per_minute, rule", [
    (60, TokenBucketRule(1.0, 120)),  # GetRateLimiter: max/60 per second, burst 2 x max
    (30, TokenBucketRule(0.5, 60)),
    (0, None),  # <= 0: NewFakeAlwaysRateLimiter
])
def test_the_import_token_bucket_is_max_per_minute_over_60_with_twice_max_as_burst(per_minute, rule):
    assert TokenBucketRule.of(per_minute) == rule


def test_the_token_bucket_starts_full_then_admits_at_its_rate():
    bucket = TokenBucket(TokenBucketRule(1.0, 120))
    assert sum(bucket.try_accept(0.0) for _ in range(200)) == 120
    assert bucket.try_accept(0.5) is False
    assert bucket.try_accept(1.0) is True


def test_added_streams_go_to_the_emptiest_bucket_never_the_current_one():
    scheduler = Scheduler(4)
    for name in "abcdefgh":
        scheduler.add(name)
    assert scheduler.buckets[0] == []
    assert sorted(len(b) for b in scheduler.buckets[1:]) == [2, 2, 2, 2]


def test_each_stream_is_handled_once_per_round_of_the_buckets():
    scheduler = Scheduler(4)
    for name in "abcdefgh":
        scheduler.add(name)
    handled, advances = [], 0
    while advances < 5:  # one round: the 5 buckets' advances
        key = scheduler.step()
        if key is None:
            advances += 1
        else:
            handled.append(key)
    assert sorted(handled) == list("abcdefgh")
