"""The scenario file's `traffic:` section: what it accepts, what it refuses (naming the
field), and the model parameters it becomes."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from twin.model.registry.clients import ClientPolicy
from twin.model.registry.profiles import Bursts, Constant, Diurnal, Ramp, Steps
from twin.model.registry.requests import Kind
from twin.model.registry.service import Latency, StorageOp
from twin.model.registry.traffic import TrafficParams
from twin.scenarios.traffic_spec import TrafficSpec

EXAMPLE = """
catalogue: {base_images: 3, images: 120, layer_size: {median: 8Mi, sigma: 1.5}}
background:
  pulls: {constant: 20}
  pushes: {bursts: {base: 0.1, rate: 2, every: 1h, length: 5m, first_at: 10m}}
  cached_layer_fraction: 0.6
  images_per_session: 3
clients:
  kubelet: {attempts: 5, lanes: 6}
  pull: {attempts: 3, honour_retry_after: false, think: 10ms, bandwidth: 400Mbit/s}
  push: {lanes: 2, initial_backoff: 1s, max_backoff: 30s}
service:
  cpu: {manifest_get: 3ms, blob_get: 500us}
  storage_latency: {Stat: {median: 15ms, p99: 120ms}}
  storage_stream_bandwidth: 100MB/s
  tls_handshake: 1.5ms
  cpu_per_byte: 2n
memory: {working_set: 200Mi, request_overhead: 32Ki}
storage: {read_rate: 6000, write_rate: 4000, partitions: 4, split_after: 2m, max_retries: 5}
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
    assert (p.background.cached_layer_fraction, p.background.images_per_session) == (0.6, 3)
    assert p.clients.kubelet == ClientPolicy()
    assert p.clients.pull == ClientPolicy(attempts=3, honour_retry_after=False, think=0.01, bandwidth=50e6)
    assert p.clients.push == ClientPolicy(lanes=2, initial_backoff=1.0, max_backoff=30.0)
    assert p.service.cpu[Kind.MANIFEST_GET] == 3e-3 and p.service.cpu[Kind.BLOB_GET] == 5e-4
    assert p.service.storage_latency[StorageOp.Stat] == Latency(0.015, 0.12)
    assert p.service.storage_read_bytes_per_second == 100e6
    assert (p.service.tls_handshake, p.service.cpu_per_byte) == pytest.approx((1.5e-3, 2e-9))
    assert (p.memory.working_set, p.memory.request_overhead) == (200 * 2**20, 32 * 2**10)
    s = p.storage
    assert (s.read_rate, s.write_rate, s.partitions, s.split_after, s.max_retries) == (6000, 4000, 4, 120, 5)


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
    p = params("background: {pulls: {ramp: {from: 5, to: 500, end: 1h}}}")
    assert p.background.pulls == Ramp(5.0, 500.0, 0.0, 3600.0)


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
    ({"background": {"images_per_session": 0}}, ("background", "images_per_session")),
    ({"background": {"pulls": {"ramp": {"from": 1, "to": 2, "begin": "10m", "end": "5m"}}}},
     ("background", "pulls", "ramp")),
    ({"clients": {"pull": {"attempts": 0}}}, ("clients", "pull", "attempts")),
    ({"clients": {"pull": {"think": "1x"}}}, ("clients", "pull", "think")),
    ({"clients": {"pull": {"bandwidth": 0}}}, ("clients", "pull", "bandwidth")),
    ({"clients": {"pull": {"retries": 2}}}, ("clients", "pull", "retries")),
    ({"clients": {"browser": {"attempts": 1}}}, ("clients", "browser")),
    ({"service": {"cpu": {"blob_remove": "1ms"}}}, ("service", "cpu", "blob_remove", "[key]")),
    ({"service": {"cpu": {"MANIFEST_GET": "1ms"}}}, ("service", "cpu", "MANIFEST_GET", "[key]")),
    ({"service": {"cpu": {"manifest_get": "1x"}}}, ("service", "cpu", "manifest_get")),
    ({"service": {"storage_latency": {"Remove": {"median": "1ms", "p99": "2ms"}}}},
     ("service", "storage_latency", "Remove", "[key]")),
    ({"service": {"storage_latency": {"Stat": {"median": "20ms", "p99": "10ms"}}}}, ("service", "storage_latency", "Stat")),
    ({"service": {"storage_latency": {"Stat": {"median": 0, "p99": "10ms"}}}},
     ("service", "storage_latency", "Stat", "median")),
    ({"service": {"pod_bandwidth": "125M"}}, ("service", "pod_bandwidth")),
    ({"service": {"storage_stream_bandwidth": 0}}, ("service", "storage_stream_bandwidth")),
    ({"service": {"tls_handshake": "-1ms"}}, ("service", "tls_handshake")),
    ({"memory": {"working_set": 0}}, ("memory", "working_set")),
    ({"memory": {"chunk_size": "10Mi"}}, ("memory", "chunk_size")),
    ({"storage": {"read_rate": 0}}, ("storage", "read_rate")),
    ({"storage": {"write_rate": "3.5k"}}, ("storage", "write_rate")),
    ({"storage": {"partitions": 300}}, ("storage",)),
    ({"catalogue": {"layer_size": {"median": "4 MB"}}}, ("catalogue", "layer_size", "median")),
    ({"catalogue": {"base_images": 0}}, ("catalogue", "base_images")),
    ({"catalogue": {"flavour": "ubi"}}, ("catalogue", "flavour")),
    ({"catalogue": {"base_layers": [3, 2]}}, ("catalogue",)),
    ({"catalogue": {"own_layers": [0, 2]}}, ("catalogue", "own_layers", 0)),
    ({"catalogue": {"own_layers": [1, 2, 3]}}, ("catalogue", "own_layers")),
    ({"catalogue": {"base_size": ["4M", "2M"]}}, ("catalogue",)),
    ({"catalogue": {"layer_size": {"min": "2Mi", "max": "1Mi"}}}, ("catalogue",)),
])
def test_bad_input_is_refused_naming_the_field(body, loc):
    assert error_loc(body) == loc


def test_the_catalogue_shape_reaches_the_model():
    p = params("catalogue: {base_images: 2, images: 12, base_layers: [2, 3], own_layers: [1, 3], base_size: [2M, 4M],\n"
               "            layer_size: {median: 256Ki, sigma: 1.0, min: 1Ki, max: 4Mi}}")
    c = p.catalogue
    assert (c.base_layers, c.own_layers, c.base_bytes) == ((2, 3), (1, 3), (2e6, 4e6))
    assert (c.layer_median_bytes, c.layer_sigma, c.min_layer_bytes, c.max_layer_bytes) == (2**18, 1.0, 2**10, 4 * 2**20)


def test_an_inverted_percentile_pair_says_which_way_round_it_must_be():
    with pytest.raises(ValidationError, match=r"p99 >= median > 0"):
        TrafficSpec.model_validate({"service": {"storage_latency": {"Stat": {"median": "20ms", "p99": "10ms"}}}})


def test_a_bad_duration_is_reported_with_the_duration_hint():
    with pytest.raises(ValidationError, match="expected a duration such as 90s"):
        TrafficSpec.model_validate({"clients": {"push": {"think": "1x"}}})
