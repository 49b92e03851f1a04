"""The registry pod's Prometheus metrics (spec/registry-operator.md §4.1, §4.3, §4.4, §5)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from ddsketch import DDSketch
from prometheus_client.parser import text_string_to_metric_families

from twin.model.registry.metrics import STORAGE_OPERATION_NAMES, Completed, RegistryMetrics, blob_get_second_storage_operation
from twin.model.registry.requests import SUCCESS_CODE, Kind
from twin.model.registry.summaries import BINS, MAPPING, AgedSummary, bin_index, sketch_keys

SPEC_FAMILIES = {
    # name as exposed: (type, label names), transcribed from the §5 table
    "imageregistry_http_in_flight_requests": ("gauge", set()),
    "imageregistry_http_requests_total": ("counter", {"code", "method"}),
    "imageregistry_http_request_duration_seconds": ("summary", {"method"}),
    "imageregistry_http_request_size_bytes": ("summary", set()),
    "imageregistry_http_response_size_bytes": ("summary", set()),
    "imageregistry_request_duration_seconds": ("summary", {"operation"}),
    "imageregistry_storage_duration_seconds": ("summary", {"operation"}),
    "imageregistry_storage_errors_total": ("counter", {"operation", "code"}),
    "imageregistry_pullthrough_blobstore_cache_requests_total": ("counter", {"type"}),
    "imageregistry_pullthrough_repository_duration_seconds": ("summary", {"registry", "operation"}),
    "imageregistry_pullthrough_repository_errors_total": ("counter", {"registry", "operation", "code"}),
    "imageregistry_digest_cache_requests_total": ("counter", {"type"}),
    "imageregistry_digest_cache_scoped_requests_total": ("counter", {"type"}),
    "imageregistry_build_info": ("gauge", {"major", "minor", "gitCommit", "gitVersion"}),
}
NEVER_REGISTERED = "imageregistry_http_time_to_write_header_seconds"


# ---- builders -------------------------------------------------------------------------------

def requests(kinds, codes=None, *, start=0.0, duration=0.1, storage=(np.nan, np.nan), request_bytes=300,
             response_bytes=4096) -> Completed:
    """A batch: one request per kind (code defaults to the kind's success code)."""
    kind = np.asarray([int(k) for k in kinds], dtype=np.int8)
    n = kind.size
    code = np.asarray(codes if codes is not None else [int(SUCCESS_CODE[Kind(k)]) for k in kind], dtype=np.int16)
    start = np.broadcast_to(np.asarray(start, dtype=np.float64), n).copy()
    end = start + np.broadcast_to(np.asarray(duration, dtype=np.float64), n)
    storage = np.tile(np.asarray(storage, dtype=np.float64), (n, 1))
    return Completed(kind=kind, code=code, start=start, end=end, cpu=np.zeros(n), storage=storage,
                     transfer=np.zeros(n), request_bytes=np.full(n, request_bytes), response_bytes=np.full(n, response_bytes))


def registry_metrics() -> RegistryMetrics:
    return RegistryMetrics(major="4", minor="23", git_commit="d4cce00", git_version="v4.23.0")


def families(metrics: RegistryMetrics, now: float = 10.0) -> dict:
    return {f.name: f for f in text_string_to_metric_families(metrics.exposition(now).decode())}


def exposed_name(family) -> str:
    return family.name + "_total" if family.type == "counter" else family.name


def values(metrics: RegistryMetrics, metric: str, now: float = 10.0) -> dict[str, float]:
    """{labels string: value} of one exposed sample name."""
    return {s.labels: s.value for s in metrics.samples(now) if s.metric == metric}


def every_family_populated() -> RegistryMetrics:
    metrics = registry_metrics()
    metrics.observe(1.0, requests(list(Kind), storage=(0.01, 0.02)))
    for family, labels in [
        ("imageregistry_storage_errors_total", {"operation": "StorageDriver.PutContent", "code": "DEVICE_OUT_OF_SPACE"}),
        ("imageregistry_pullthrough_blobstore_cache_requests_total", {"type": "Hit"}),
        ("imageregistry_pullthrough_repository_errors_total", {"registry": "quay.io", "operation": "Init", "code": "UNKNOWN"}),
        ("imageregistry_digest_cache_requests_total", {"type": "Miss"}),
        ("imageregistry_digest_cache_scoped_requests_total", {"type": "Hit"}),
    ]:
        metrics.inc(family, labels)
    metrics.observe_values(1.0, "imageregistry_pullthrough_repository_duration_seconds",
                           {"registry": "quay.io", "operation": "BlobStore.Stat"}, [0.2, 0.3])
    return metrics


# ---- 1. names, types, labels ----------------------------------------------------------------

def test_every_exposed_family_has_the_name_type_and_label_names_of_the_spec_table():
    parsed = families(every_family_populated())
    assert {exposed_name(f) for f in parsed.values()} == set(SPEC_FAMILIES)
    for family in parsed.values():
        kind, labels = SPEC_FAMILIES[exposed_name(family)]
        assert family.type == kind, family.name
        assert family.samples, family.name
        for sample in family.samples:
            assert set(sample.labels) - {"quantile"} == labels, (family.name, sample)


def test_the_time_to_write_header_summary_is_never_exposed():
    body = every_family_populated().exposition(10.0).decode()
    assert NEVER_REGISTERED not in body


def test_families_without_observations_show_help_and_type_but_no_samples():
    parsed = families(registry_metrics())
    assert {exposed_name(f) for f in parsed.values()} == set(SPEC_FAMILIES)
    assert [f.name for f in parsed.values() if f.samples] == ["imageregistry_build_info", "imageregistry_http_in_flight_requests"]


def test_help_strings_are_upstreams():
    parsed = families(registry_metrics())
    assert parsed["imageregistry_http_request_duration_seconds"].documentation == (
        "A histogram of latencies for requests to the registry.")
    assert parsed["imageregistry_request_duration_seconds"].documentation == "Request latency in seconds for each operation."


def test_build_info_is_one_with_the_constructor_values():
    assert values(registry_metrics(), "imageregistry_build_info") == {
        "gitCommit=d4cce00,gitVersion=v4.23.0,major=4,minor=23": 1.0}


def test_every_sample_carries_the_timestamp_now_in_milliseconds():
    body = every_family_populated().exposition(12.5).decode()
    lines = [line for line in body.splitlines() if not line.startswith("#")]
    assert lines and all(line.endswith(" 12500") for line in lines)


# ---- 2. what is observed ---------------------------------------------------------------------

def test_limiter_rejections_health_gate_503s_and_broken_connections_are_observed_nowhere():
    metrics = registry_metrics()
    metrics.observe(1.0, requests([Kind.MANIFEST_GET] * 3, [429, 503, 0], storage=(0.01, np.nan)))
    assert all(not f.samples for name, f in families(metrics).items()
               if name not in ("imageregistry_build_info", "imageregistry_http_in_flight_requests"))


def test_405_and_307_are_counted_with_their_code_as_a_string_and_a_lower_case_method():
    metrics = registry_metrics()
    metrics.observe(1.0, requests([Kind.MANIFEST_PUT, Kind.BLOB_GET, Kind.BLOB_GET, Kind.BLOB_HEAD, Kind.UPLOAD_CHUNK],
                                  [405, 307, 429, 200, 202]))
    assert values(metrics, "imageregistry_http_requests_total") == {
        "code=405,method=put": 1.0, "code=307,method=get": 1.0, "code=200,method=head": 1.0, "code=202,method=patch": 1.0}


def test_request_counts_accumulate_over_batches():
    metrics = registry_metrics()
    for t in (1.0, 2.0, 3.0):
        metrics.observe(t, requests([Kind.TOKEN_GET] * 4))
    assert values(metrics, "imageregistry_http_requests_total") == {"code=200,method=get": 12.0}


def test_the_in_flight_gauge_is_what_the_caller_set_last():
    metrics = registry_metrics()
    assert values(metrics, "imageregistry_http_in_flight_requests") == {"": 0.0}
    metrics.set_in_flight(7)
    metrics.set_in_flight(5)
    assert values(metrics, "imageregistry_http_in_flight_requests") == {"": 5.0}


def test_request_and_response_sizes_are_observed_per_request():
    metrics = registry_metrics()
    metrics.observe(1.0, requests([Kind.BLOB_GET, Kind.MANIFEST_GET], request_bytes=250, response_bytes=1000))
    assert values(metrics, "imageregistry_http_request_size_bytes_sum") == {"": 500.0}
    assert values(metrics, "imageregistry_http_response_size_bytes_count") == {"": 2.0}


# ---- 3. duration --------------------------------------------------------------------------------

def test_the_http_duration_is_end_minus_start_so_queue_wait_before_admission_is_excluded():
    metrics = registry_metrics()
    metrics.observe(1000.0, requests([Kind.MANIFEST_GET, Kind.MANIFEST_HEAD], start=[900.0, 990.0], duration=[0.25, 2.0]))
    assert values(metrics, "imageregistry_http_request_duration_seconds_sum") == {"method=get": 0.25, "method=head": 2.0}
    median = values(metrics, "imageregistry_http_request_duration_seconds")["method=get,quantile=0.5"]
    assert median == pytest.approx(0.25, rel=0.01)


def test_a_single_wrapped_operation_lasts_the_whole_request():
    metrics = registry_metrics()
    metrics.observe(5.0, requests([Kind.BLOB_GET, Kind.MANIFEST_PUT, Kind.TOKEN_GET], start=4.0, duration=[0.5, 0.75, 0.1]))
    assert values(metrics, "imageregistry_request_duration_seconds_sum") == {
        "operation=BlobStore.ServeBlob": 0.5, "operation=ManifestService.Put": 0.75}


# ---- 4. quantiles ----------------------------------------------------------------------------------

@pytest.mark.parametrize("draw", [
    lambda rng, n: rng.exponential(0.05, n),
    lambda rng, n: rng.lognormal(-3.0, 1.5, n),
    lambda rng, n: rng.lognormal(8.0, 3.0, n),
], ids=["exponential", "log-normal latency", "log-normal sizes"])
def test_quantiles_are_within_one_percent_of_the_windows_order_statistics(draw):
    rng = np.random.default_rng(7)
    samples = draw(rng, 50_000)
    metrics = registry_metrics()
    for t, chunk in enumerate(np.array_split(samples, 5)):
        metrics.observe_values(float(t), "imageregistry_pullthrough_repository_duration_seconds",
                               {"registry": "r", "operation": "Init"}, chunk)
    got = values(metrics, "imageregistry_pullthrough_repository_duration_seconds", now=5.0)
    for q in (0.5, 0.9, 0.99):
        exact = np.quantile(samples, q, method="lower")
        assert got[f"operation=Init,quantile={q},registry=r"] == pytest.approx(exact, rel=0.0101)


def test_quantiles_equal_the_ddsketch_librarys_on_the_same_values():
    rng = np.random.default_rng(3)
    samples = np.concatenate([rng.lognormal(-4, 2, 5000), np.zeros(300)])
    summary = AgedSummary(0.0)
    summary.observe(0.0, samples)
    sketch = DDSketch(0.01)
    for v in samples:
        sketch.add(float(v))
    qs = (0.01, 0.05, 0.5, 0.9, 0.99, 1.0)
    assert summary.quantiles(0.0, qs) == tuple(sketch.get_quantile_value(q) for q in qs)


def test_vectorised_keys_equal_the_library_mappings_keys():
    rng = np.random.default_rng(11)
    boundaries = np.array([MAPPING.gamma ** float(k) for k in range(-2000, 2000)])
    v = np.concatenate([rng.lognormal(0, 8, 100_000), 10.0 ** rng.uniform(-300, 300, 20_000), boundaries,
                        np.nextafter(boundaries, 0), np.nextafter(boundaries, np.inf),
                        [MAPPING.min_possible * 1.0000001, 1e-300, 1e-9, 1.0, 1e13, 1e300]])
    assert np.array_equal(sketch_keys(v), [MAPPING.key(float(x)) for x in v])


def test_zero_and_values_below_the_mappings_smallest_count_as_zero():
    tiny = np.array([0.0, 5e-324, MAPPING.min_possible, -1.0])
    assert bin_index(tiny).tolist() == [0, 0, 0, 0]
    assert bin_index(np.array([1e-300, 1e300])).tolist() == [1, BINS - 1]  # collapsed into the edge bins


# ---- 5. age buckets ----------------------------------------------------------------------------------

class GoSummary:
    """client_golang `summary.go` transcribed literally (hot/cold buffers, BufCap 500,
    swapBufs, flushColdBuf, maybeRotateStreams), with exact values in each stream."""

    def __init__(self, now: float, max_age: float = 600.0, age_buckets: int = 5, buf_cap: int = 500):
        self.d, self.cap = max_age / age_buckets, buf_cap
        self.head_exp = self.hot_exp = now + self.d
        self.streams, self.idx, self.hot, self.cold = [[] for _ in range(age_buckets)], 0, [], []

    def observe(self, now: float, v: float) -> None:
        if now > self.hot_exp:
            self._flush(now)
        self.hot.append(v)
        if len(self.hot) == self.cap:
            self._flush(now)

    def head(self, now: float) -> list[float]:
        self._flush(now)  # Write: swapBufs(now) then flushColdBuf
        return self.streams[self.idx]

    def _flush(self, now: float) -> None:
        self.hot, self.cold = self.cold, self.hot
        while now > self.hot_exp:
            self.hot_exp += self.d
        for v in self.cold:
            for stream in self.streams:
                stream.append(v)
        self.cold.clear()
        while self.hot_exp != self.head_exp:
            self.streams[self.idx].clear()
            self.idx = (self.idx + 1) % len(self.streams)
            self.head_exp += self.d


def test_rotation_keeps_exactly_the_observations_client_golangs_head_stream_keeps():
    rng = np.random.default_rng(5)
    # quarter seconds over 4 h (gaps of up to ~2 h), plus observations and scrapes exactly on stream expiries
    times = 17.0 + np.sort(np.concatenate([[0.0], rng.integers(0, 4 * 3600, 400) / 4.0, 120.0 * rng.integers(1, 120, 60)]))
    ours, go = AgedSummary(float(times[0])), GoSummary(float(times[0]))
    for t in times:
        if rng.random() < 0.3:  # a scrape
            head = go.head(t)
            sketch = DDSketch(0.01)
            for v in head:
                sketch.add(v)
            expected = tuple(sketch.get_quantile_value(q) if head else math.nan for q in (0.5, 0.9, 0.99))
            assert np.array_equal(ours.quantiles(t), expected, equal_nan=True), t
        else:
            batch = rng.lognormal(0, 1, int(rng.integers(1, 900)))
            ours.observe(t, batch)
            for v in batch:
                go.observe(t, float(v))


def test_observations_leave_the_quantiles_after_max_age_while_count_and_sum_stay():
    metrics = registry_metrics()
    metrics.observe(0.0, requests([Kind.BLOB_HEAD] * 10, duration=1.0))  # child created at 0: streams expire every 120 s
    metrics.observe(130.0, requests([Kind.BLOB_HEAD] * 10, duration=4.0))

    def at(now):
        got = values(metrics, "imageregistry_http_request_duration_seconds", now)["method=head,quantile=0.5"]
        count = values(metrics, "imageregistry_http_request_duration_seconds_count", now)["method=head"]
        total = values(metrics, "imageregistry_http_request_duration_seconds_sum", now)["method=head"]
        return got, count, total

    assert at(600.0)[0] == pytest.approx(1.0, rel=0.01)  # both batches in the head stream
    assert at(601.0)[0] == pytest.approx(4.0, rel=0.01)  # the head created at 0 expired
    assert at(720.0)[0] == pytest.approx(4.0, rel=0.01)  # observed in (120, 240]: gone after 720
    quantile, count, total = at(721.0)
    assert math.isnan(quantile) and (count, total) == (20.0, 50.0)


def test_an_empty_window_exposes_nan_quantiles():
    text = every_family_populated().exposition(5000.0).decode()
    assert 'imageregistry_http_request_size_bytes{quantile="0.99"} NaN' in text
    assert f"imageregistry_http_request_size_bytes_count {float(len(Kind))}" in text  # one request of every kind


def test_memory_per_summary_child_does_not_grow_with_observations():
    summary = AgedSummary(0.0)
    size = summary._streams.nbytes
    rng = np.random.default_rng(2)
    for t in range(0, 3600, 30):
        summary.observe(float(t), rng.lognormal(0, 6, 10_000))
    assert summary._streams.nbytes == size and summary.count == 120 * 10_000


# ---- 6. operations --------------------------------------------------------------------------------

def test_a_blob_get_reads_storage_through_urlfor_when_redirected_and_reader_when_streamed():
    assert [STORAGE_OPERATION_NAMES[i] for i in blob_get_second_storage_operation(np.array([307, 200]))] == [
        "StorageDriver.URLFor", "StorageDriver.Reader"]
    metrics = registry_metrics()
    metrics.observe(1.0, requests([Kind.BLOB_GET, Kind.BLOB_GET], [307, 200], storage=[(0.01, 0.02)]))
    metrics.observe(2.0, requests([Kind.BLOB_GET], [200], storage=(0.01, 3.0)))
    assert values(metrics, "imageregistry_storage_duration_seconds_sum") == {
        "operation=StorageDriver.Stat": pytest.approx(0.03), "operation=StorageDriver.URLFor": 0.02,
        "operation=StorageDriver.Reader": pytest.approx(3.02)}


def test_an_upload_commit_is_a_resume_lasting_its_first_storage_operation_then_a_commit_lasting_the_rest():
    metrics = registry_metrics()
    metrics.observe(1.0, requests([Kind.UPLOAD_COMMIT], start=0.5, duration=0.5, storage=(0.125, 0.25)))
    assert values(metrics, "imageregistry_request_duration_seconds_sum") == {
        "operation=BlobStore.Resume": 0.125, "operation=BlobWriter.Commit": 0.375}
    assert values(metrics, "imageregistry_storage_duration_seconds_sum") == {
        "operation=StorageDriver.Move": 0.25, "operation=StorageDriver.Stat": 0.125}


def test_a_readonly_405_runs_no_registry_or_storage_operation():
    metrics = registry_metrics()
    metrics.observe(1.0, requests([Kind.MANIFEST_PUT, Kind.UPLOAD_START], [405, 405], storage=(0.01, np.nan)))
    assert values(metrics, "imageregistry_http_requests_total") == {"code=405,method=post": 1.0, "code=405,method=put": 1.0}
    assert values(metrics, "imageregistry_request_duration_seconds_count") == {}
    assert values(metrics, "imageregistry_storage_duration_seconds_count") == {}


def test_the_token_and_metrics_endpoints_observe_no_operation():
    metrics = registry_metrics()
    metrics.observe(1.0, requests([Kind.TOKEN_GET, Kind.METRICS_GET], storage=(0.01, 0.01)))
    assert values(metrics, "imageregistry_request_duration_seconds_count") == {}
    assert values(metrics, "imageregistry_storage_duration_seconds_count") == {}


# ---- counters API, rows, inputs ------------------------------------------------------------------------

def test_inc_refuses_unknown_families_wrong_labels_and_decrements():
    metrics = registry_metrics()
    with pytest.raises(ValueError, match="not a registered counter"):
        metrics.inc("imageregistry_http_request_duration_seconds", {"method": "get"})
    with pytest.raises(ValueError, match="expected labels"):
        metrics.inc("imageregistry_digest_cache_requests_total", {"kind": "Hit"})
    with pytest.raises(ValueError, match="cannot decrease"):
        metrics.inc("imageregistry_digest_cache_requests_total", {"type": "Hit"}, -1)


def test_inc_adds_to_the_labelled_child():
    metrics = registry_metrics()
    metrics.inc("imageregistry_storage_errors_total", {"operation": "StorageDriver.Writer", "code": "READ_ONLY_FILESYSTEM"}, 2)
    metrics.inc("imageregistry_storage_errors_total", {"code": "READ_ONLY_FILESYSTEM", "operation": "StorageDriver.Writer"})
    assert values(metrics, "imageregistry_storage_errors_total") == {
        "code=READ_ONLY_FILESYSTEM,operation=StorageDriver.Writer": 3.0}


def test_samples_are_rows_in_exposition_order_with_sorted_label_strings():
    metrics = every_family_populated()
    rows = metrics.samples(10.0)
    frame = pd.DataFrame(rows)
    assert list(frame.columns) == ["time", "metric", "labels", "value"] and (frame.time == 10.0).all()
    exposed = [s for f in text_string_to_metric_families(metrics.exposition(10.0).decode()) for s in f.samples]
    assert [r.metric for r in rows] == [s.name for s in exposed]
    assert [r.value for r in rows] == pytest.approx([s.value for s in exposed], nan_ok=True)
    assert all(r.labels == ",".join(sorted(r.labels.split(","))) for r in rows)


def test_a_batch_with_arrays_of_unequal_length_is_refused():
    good = requests([Kind.BLOB_GET, Kind.BLOB_GET])
    with pytest.raises(ValueError, match="length 2"):
        Completed(kind=good.kind, code=good.code[:1], start=good.start, end=good.end, cpu=good.cpu, storage=good.storage,
                  transfer=good.transfer, request_bytes=good.request_bytes, response_bytes=good.response_bytes)


# ---- 7. determinism ------------------------------------------------------------------------------------

def test_the_same_batches_give_byte_identical_expositions():
    def run() -> bytes:
        rng = np.random.default_rng(42)
        metrics = registry_metrics()
        for t in range(0, 1800, 60):
            kinds = rng.integers(0, len(Kind), 2000)
            codes = np.where(rng.random(2000) < 0.1, 429, [int(SUCCESS_CODE[Kind(k)]) for k in kinds])
            metrics.observe(float(t), requests(kinds, codes, start=float(t), duration=rng.exponential(0.1, 2000),
                                               storage=(0.01, 0.02)))
            metrics.set_in_flight(int(rng.integers(0, 50)))
        return metrics.exposition(1800.0)
    assert run() == run()
