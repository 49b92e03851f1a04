"""`twin run --metrics-every`: one Prometheus scrape per interval per registry pod, in the
text format, with the names, types and labels of `spec/registry-operator.md` §5."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from helpers import twin
from prometheus_client.parser import text_string_to_metric_families

from twin.cli import main

SPEC_FAMILIES = {  # §5: name -> (type, label names)
    "imageregistry_http_in_flight_requests": ("gauge", set()),
    "imageregistry_http_requests": ("counter", {"code", "method"}),
    "imageregistry_http_request_duration_seconds": ("summary", {"method"}),
    "imageregistry_http_request_size_bytes": ("summary", set()),
    "imageregistry_http_response_size_bytes": ("summary", set()),
    "imageregistry_request_duration_seconds": ("summary", {"operation"}),
    "imageregistry_storage_duration_seconds": ("summary", {"operation"}),
    "imageregistry_storage_errors": ("counter", {"operation", "code"}),
    "imageregistry_pullthrough_blobstore_cache_requests": ("counter", {"type"}),
    "imageregistry_pullthrough_repository_duration_seconds": ("summary", {"registry", "operation"}),
    "imageregistry_pullthrough_repository_errors": ("counter", {"registry", "operation", "code"}),
    "imageregistry_digest_cache_requests": ("counter", {"type"}),
    "imageregistry_digest_cache_scoped_requests": ("counter", {"type"}),
    "imageregistry_build_info": ("gauge", {"major", "minor", "gitCommit", "gitVersion"}),
}
"""The parser strips `_total` from counter family names."""

SCENARIO = {
    "name": "scraped", "seed": 3, "duration": "10m",
    "cluster": {"generate": {"zones": 2, "workers_per_zone": 1, "control_plane": 0}},
    "registry": {"config": {"spec": {"replicas": 2, "storage": {"s3": {}},
                                     "requests": {"read": {"maxRunning": 2, "maxInQueue": 2},
                                                  "write": {"maxRunning": 2, "maxInQueue": 2}}}}},
    "traffic": {"warm_up": "1m", "background": {"pulls": {"constant": 15}, "pushes": {"constant": 0.5}}},
}


@pytest.fixture(scope="module")
def scraped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scraped")
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(SCENARIO))
    out = folder / "out"
    assert main(["run", str(path), "--out", str(out), "--metrics-every", "30s", "--quiet"]) == 0
    return out


def families(path):
    return {f.name: f for f in text_string_to_metric_families(path.read_text(encoding="utf-8"))}


def test_each_registry_pod_is_scraped_every_interval_and_a_rejected_scrape_leaves_no_file(scraped):
    pods = sorted(p.name for p in (scraped / "metrics").iterdir())
    assert len(pods) == 2
    events = pd.read_csv(scraped / "events.csv")
    for pod in pods:
        times = [int(p.name[1:13]) for p in (scraped / "metrics" / pod).iterdir()]
        assert all(t % 30_000 == 0 for t in times)
        failed = ((events["kind"] == "ScrapeFailed") & events["subject"].str.endswith(pod)).sum()
        assert len(times) + failed == 19  # 30 s ... 570 s: the pods are endpoints from 26 s


def test_every_scrape_parses_with_the_spec_names_types_and_labels(scraped):
    for path in sorted((scraped / "metrics").glob("*/*.prom")):
        found = families(path)
        assert set(found) == set(SPEC_FAMILIES), path.name
        for name, (kind, labels) in SPEC_FAMILIES.items():
            assert found[name].type == kind, name
            for sample in found[name].samples:
                assert set(sample.labels) - {"quantile"} == labels, (name, sample)


def test_limiter_429s_are_absent_from_requests_total_although_the_run_had_them(scraped):
    summary = yaml.safe_load((scraped / "summary.json").read_text())
    assert summary["requests"]["outcomes"]["too_many"] > 0
    last = max((scraped / "metrics").glob("*/*.prom"), key=lambda p: p.name)
    codes = {s.labels["code"] for s in families(last)["imageregistry_http_requests"].samples}
    assert "200" in codes and "429" not in codes


def test_the_in_flight_gauge_stays_within_both_running_limits(scraped):
    """§8: in_flight <= read.maxRunning + write.maxRunning (queued requests excluded)."""
    values = [families(p)["imageregistry_http_in_flight_requests"].samples[0].value
              for p in (scraped / "metrics").glob("*/*.prom")]
    assert max(values) <= 2 + 2
    assert max(values) >= 1  # the scrape itself is in flight when it is answered


def test_summaries_carry_the_three_quantiles(scraped):
    last = max((scraped / "metrics").glob("*/*.prom"), key=lambda p: p.name)
    samples = families(last)["imageregistry_http_request_duration_seconds"].samples
    quantiles = {s.labels["quantile"] for s in samples if "quantile" in s.labels and s.labels["method"] == "get"}
    assert quantiles == {"0.5", "0.9", "0.99"}


def test_the_metrics_frame_holds_every_scraped_sample(scraped):
    frame = pd.read_parquet(scraped / "metrics.parquet")
    assert list(frame.columns) == ["time", "pod", "metric", "labels", "value"]
    assert frame["pod"].nunique() == 2
    assert (frame["metric"] == "imageregistry_http_requests_total").any()


def test_metrics_every_without_out_is_an_input_error(capsys):
    code = twin(capsys, "run", "peak-load", "--metrics-every", "30s")[0]
    assert code == 2
