"""The scenario file's `traffic:` section: what it accepts, what it refuses (naming the
field), and the model parameters it becomes."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from twin.model.registry.profiles import Bursts, Constant, Diurnal, Steps
from twin.model.registry.requests import Kind
from twin.model.registry.service import Latency, StorageOp
from twin.model.registry.traffic import RetryPolicy, TrafficParams
from twin.scenarios.traffic_spec import TrafficSpec

EXAMPLE = """
catalogue: {base_images: 3, images: 120, layer_size: {median: 8Mi, sigma: 1.5}}
background:
  pulls: {constant: 20}
  pushes: {bursts: {base: 0.1, rate: 2, every: 1h, length: 5m, first_at: 10m}}
  cached_layer_fraction: 0.6
  chunk_size: 5Mi
clients:
  kubelet: {retries: 0}
  pull: {retries: 2, retry_after: 1s}
  push: {retries: 3, retry_after: 2s}
service:
  cpu: {manifest_get: 3ms, blob_get: 500us}
  storage_latency: {Stat: {median: 15ms, p99: 120ms}}
  pod_bandwidth: 125M
  node_bandwidth: 250M
  storage_stream_bandwidth: 100M
"""


def params(text: str) -> TrafficParams:
    return TrafficSpec.model_validate(yaml.safe_load(text)).to_params()


def error_loc(body) -> tuple:
    with pytest.raises(ValidationError) as caught:
        TrafficSpec.model_validate(body)
    return caught.value.errors()[0]["loc"]


def test_the_example_becomes_the_model_parameters():
    p = params(EXAMPLE)
    assert (p.catalogue.base_images, p.catalogue.images, p.catalogue.layer_median_bytes, p.catalogue.layer_sigma) == (
        3, 120, 8 * 2**20, 1.5)
    assert p.background.pulls == Constant(20.0)
    assert p.background.pushes == Bursts(0.1, 2.0, every=3600.0, length=300.0, first_at=600.0)
    assert (p.background.cached_layer_fraction, p.background.chunk_bytes) == (0.6, 5 * 2**20)
    assert (p.clients.kubelet, p.clients.pull, p.clients.push) == (RetryPolicy(0, 1.0), RetryPolicy(2, 1.0),
                                                                    RetryPolicy(3, 2.0))
    assert p.service.cpu[Kind.MANIFEST_GET] == 3e-3 and p.service.cpu[Kind.BLOB_GET] == 5e-4
    assert p.service.storage_latency[StorageOp.Stat] == Latency(0.015, 0.12)
    assert (p.service.pod_bandwidth_bytes_per_second, p.service.node_bandwidth_bytes_per_second,
            p.service.storage_read_bytes_per_second) == (125e6, 250e6, 100e6)


def test_what_the_section_leaves_out_keeps_the_model_defaults():
    assert TrafficSpec().to_params() == TrafficParams()
    p = params("service: {cpu: {manifest_put: 9ms}}")
    assert p.service.cpu[Kind.MANIFEST_PUT] == 9e-3 and p.service.cpu[Kind.MANIFEST_GET] == TrafficParams().service.cpu[
        Kind.MANIFEST_GET]


def test_diurnal_and_steps_profiles_become_their_model_profiles():
    p = params("background: {pulls: {diurnal: {mean: 20, amplitude: 0.5, peak_at: 14h}},"
               " pushes: {steps: [{at: 0, rate: 1}, {at: 30m, rate: 4}]}}")
    assert p.background.pulls == Diurnal(20.0, 0.5, 86400.0, 14 * 3600.0)
    assert p.background.pushes == Steps(((0.0, 1.0), (1800.0, 4.0)))


@pytest.mark.parametrize("body, loc", [
    ({"background": {"pulls": {"constant": "20"}}}, ("background", "pulls", "constant")),
    ({"background": {"pulls": {"constant": -1}}}, ("background", "pulls", "constant")),
    ({"background": {"pulls": {"constant": True}}}, ("background", "pulls", "constant")),
    ({"background": {"pulls": {"diurnal": {"mean": 1, "amplitude": 1.5}}}}, ("background", "pulls", "diurnal", "amplitude")),
    ({"background": {"pushes": {"bursts": {"rate": 1, "every": "1x", "length": "5m"}}}},
     ("background", "pushes", "bursts", "every")),
    ({"background": {"pushes": {"bursts": {"rate": 1, "every": "1m", "length": "2m"}}}}, ("background", "pushes", "bursts")),
    ({"background": {"pulls": {"steps": [{"at": "10s", "rate": 1}, {"at": "5s", "rate": 2}]}}}, ("background", "pulls")),
    ({"background": {"pulls": {"constant": 1, "steps": [{"at": 0, "rate": 1}]}}}, ("background", "pulls")),
    ({"background": {"pulls": {}}}, ("background", "pulls")),
    ({"background": {"cached_layer_fraction": 1.2}}, ("background", "cached_layer_fraction")),
    ({"background": {"chunk_size": "5 MB"}}, ("background", "chunk_size")),
    ({"clients": {"pull": {"retries": -1}}}, ("clients", "pull", "retries")),
    ({"clients": {"pull": {"retry_after": "1x"}}}, ("clients", "pull", "retry_after")),
    ({"clients": {"browser": {"retries": 1}}}, ("clients", "browser")),
    ({"service": {"cpu": {"blob_delete": "1ms"}}}, ("service", "cpu", "blob_delete", "[key]")),
    ({"service": {"cpu": {"MANIFEST_GET": "1ms"}}}, ("service", "cpu", "MANIFEST_GET", "[key]")),
    ({"service": {"cpu": {"manifest_get": "1x"}}}, ("service", "cpu", "manifest_get")),
    ({"service": {"storage_latency": {"Delete": {"median": "1ms", "p99": "2ms"}}}},
     ("service", "storage_latency", "Delete", "[key]")),
    ({"service": {"storage_latency": {"Stat": {"median": "20ms", "p99": "10ms"}}}}, ("service", "storage_latency", "Stat")),
    ({"service": {"storage_latency": {"Stat": {"median": 0, "p99": "10ms"}}}},
     ("service", "storage_latency", "Stat", "median")),
    ({"service": {"pod_bandwidth": "fast"}}, ("service", "pod_bandwidth")),
    ({"service": {"node_bandwidth": 0}}, ("service", "node_bandwidth")),
    ({"catalogue": {"layer_size": {"median": "4 MB"}}}, ("catalogue", "layer_size", "median")),
    ({"catalogue": {"base_images": 0}}, ("catalogue", "base_images")),
    ({"catalogue": {"flavour": "ubi"}}, ("catalogue", "flavour")),
])
def test_bad_input_is_refused_naming_the_field(body, loc):
    assert error_loc(body) == loc


def test_an_inverted_percentile_pair_says_which_way_round_it_must_be():
    with pytest.raises(ValidationError, match=r"p99 >= median > 0"):
        TrafficSpec.model_validate({"service": {"storage_latency": {"Stat": {"median": "20ms", "p99": "10ms"}}}})


def test_a_bad_duration_is_reported_with_the_duration_hint():
    with pytest.raises(ValidationError, match="expected a duration such as 90s"):
        TrafficSpec.model_validate({"clients": {"push": {"retry_after": "1x"}}})
