"""Derived series (`twin/observed/rates.py`): counter resets as PromQL `rate()` handles
them, `histogram_quantile` interpolation on hand-computed cases, and the real scrapes."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from twin.observed import rates, read_query_range, read_scrapes
from twin.observed.samples import frame as samples_frame

DATA = Path(__file__).parent / "data"
REAL = DATA / "distribution-2.8.2"


def _counter(values, times=None, pod="p", metric="registry_http_requests_total",
             labels=(("code", "200"), ("handler", "blob"), ("method", "get"))):
    times = times or [30.0 * i for i in range(len(values))]
    return samples_frame([(t, pod, metric, labels, v) for t, v in zip(times, values)])


def test_an_increasing_counter_gives_its_differences():
    inc = rates.increases(_counter([10, 16, 31]))
    assert inc["increase"].tolist() == [6, 15] and not inc["reset"].any()


def test_a_counter_reset_counts_the_value_after_the_restart_as_the_increase():
    """rate(): a fall means the counter restarted from 0; 40 -> 5 is an increase of 5."""
    inc = rates.increases(_counter([30, 40, 5, 12]))
    assert inc["increase"].tolist() == [10, 5, 7] and inc["reset"].tolist() == [False, True, False]
    assert rates.request_rates(_counter([30, 40, 5, 12]))["rate"].tolist() == pytest.approx([10 / 30, 5 / 30, 7 / 30])


def test_series_of_different_pods_or_labels_are_never_differenced_together():
    a = _counter([100, 110], pod="a")
    b = _counter([5, 9], pod="b")
    inc = rates.increases(pd.concat([a, b], ignore_index=True))
    assert sorted(inc["increase"]) == [4, 10]


def test_request_rates_of_the_upstream_registry_carry_the_kind_of_the_handler():
    frame = read_scrapes([REAL / "scrape1.prom", REAL / "scrape2.prom"], times={"scrape1.prom": 0.0,
                                                                             "scrape2.prom": 10.0}, pod="p")
    out = rates.request_rates(frame)
    blob = out[(out["kind"] == "blob_get") & (out["code"] == "200")]
    assert blob["increase"].tolist() == [3.0]  # the fourth pull fetched 3 blobs between the two scrapes
    assert blob["rate"].tolist() == [0.3]


@pytest.mark.parametrize("q, expected", [
    (0.5, 0.5 + (1.0 - 0.5) * (50 - 40) / (80 - 40)),  # rank 50 in (0.5, 1]: 40 below, 40 inside
    (0.25, 0.0 + (0.5 - 0.0) * 25 / 40),  # first bucket: interpolated from 0
    (0.9, 1.0 + (2.0 - 1.0) * (90 - 80) / (95 - 80)),
    (0.99, 2.0),  # rank 99 falls in +Inf: the highest finite bound
    (0.0, 0.0),
    (1.0, 2.0),
    (-0.1, -math.inf),
    (1.1, math.inf),
])
def test_histogram_quantile_interpolates_linearly_inside_the_bucket(q, expected):
    bounds, counts = [0.5, 1.0, 2.0, math.inf], [40, 80, 95, 100]
    assert rates.bucket_quantile(q, bounds, counts) == pytest.approx(expected)


def test_histogram_quantile_without_inf_or_observations_is_nan():
    assert math.isnan(rates.bucket_quantile(0.5, [0.5, 1.0], [1, 2]))
    assert math.isnan(rates.bucket_quantile(0.5, [0.5, math.inf], [0, 0]))
    assert math.isnan(rates.bucket_quantile(0.5, [math.inf], [5]))


def test_histogram_quantile_repairs_non_monotonic_counts_and_merges_equal_bounds():
    # le=2 twice merges to 4 + 6 = 10; monotonic already: [1: 10, 2: 10, +Inf: 20]; rank 10 is reached at le=1
    assert rates.bucket_quantile(0.5, [1.0, 2.0, 2.0, math.inf], [10, 4, 6, 20]) == pytest.approx(1.0)
    # a count below its predecessor is raised to it: [1: 10, 2: 10, +Inf: 20] again
    assert rates.bucket_quantile(0.5, [1.0, 2.0, math.inf], [10, 7, 20]) == pytest.approx(1.0)


def test_histogram_quantiles_per_interval_use_the_bucket_increases():
    frame = read_scrapes([REAL / "scrape1.prom", REAL / "scrape2.prom"], times={"scrape1.prom": 0.0,
                                                                             "scrape2.prom": 10.0}, pod="p")
    out = rates.histogram_quantiles(frame, quantiles=(0.5,))
    manifest = out[(out["family"] == "registry_http_request_duration_seconds") & (out["kind"] == "manifest_get")]
    assert manifest["count"].tolist() == [1.0]
    assert manifest["value"].iloc[0] == pytest.approx(0.0025)  # one observation <= 5 ms: half of the first bucket


def test_mean_durations_are_sum_increase_over_count_increase():
    frame = read_scrapes([REAL / "scrape1.prom", REAL / "scrape2.prom"], times={"scrape1.prom": 0.0,
                                                                             "scrape2.prom": 10.0}, pod="p")
    out = rates.mean_durations(frame)
    blob = out[(out["family"] == "registry_http_request_duration_seconds") & (out["kind"] == "blob_get")]
    assert blob["count"].tolist() == [3.0]
    text1, text2 = ((REAL / n).read_text() for n in ("scrape1.prom", "scrape2.prom"))
    key = 'registry_http_request_duration_seconds_sum{handler="blob",method="get"} '
    sums = [float(t.split(key)[1].split()[0]) for t in (text1, text2)]
    assert blob["mean_seconds"].iloc[0] == pytest.approx((sums[1] - sums[0]) / 3)


def test_cpu_memory_and_in_flight_from_a_scrape_and_from_a_query_range_export():
    frame = read_scrapes([REAL / "scrape1.prom", REAL / "scrape2.prom"], times={"scrape1.prom": 0.0,
                                                                             "scrape2.prom": 10.0}, pod="p")
    assert rates.cpu_cores(frame)["cores"].tolist() == pytest.approx([0.002])  # 0.17 -> 0.19 CPU s in 10 s
    assert rates.memory(frame)["bytes"].tolist() == [30277632.0, 30601216.0]
    assert rates.in_flight(frame)["in_flight"].tolist() == [0.0, 0.0]
    export = read_query_range(DATA / "twin-imageregistry" / "query_range.json")
    cores = rates.cpu_cores(export)
    assert len(cores) == 4 and (cores["cores"] > 0).all() and set(cores["metric"]) == {"container_cpu_usage_seconds_total"}


def test_summary_quantiles_pass_through_and_openshift_rates_have_no_kind():
    frame = read_scrapes(DATA / "twin-imageregistry")
    quantiles = rates.summary_quantiles(frame)
    assert set(quantiles["quantile"]) == {0.5, 0.9, 0.99}
    out = rates.request_rates(frame)
    assert (out["kind"] == "").all() and (out["handler"] == "").all() and (out["rate"] >= 0).all()
    means = rates.mean_durations(frame)
    storage = means[means["family"] == "imageregistry_storage_duration_seconds"]
    assert (storage["mean_seconds"].dropna() > 0).all() and len(storage) > 0
