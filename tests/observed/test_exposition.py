"""Prometheus text exposition (`twin/observed/exposition.py`): the upstream Go registry's
families (real distribution 2.8.2 scrapes) and the OpenShift registry's (twin scrapes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.errors import InputError
from twin.observed import read_exposition, read_scrapes
from twin.observed.samples import label

DATA = Path(__file__).parent / "data"
REAL, TWIN = DATA / "distribution-2.8.2", DATA / "twin-imageregistry"


def test_the_upstream_registrys_families_are_read_with_their_labels():
    frame = read_exposition(REAL / "scrape2.prom", time=100.0, pod="registry-0")
    names = set(frame["metric"])
    assert {"registry_http_requests_total", "registry_http_request_duration_seconds_bucket",
            "registry_http_in_flight_requests", "registry_storage_action_seconds_bucket",
            "process_cpu_seconds_total", "process_resident_memory_bytes"} <= names
    requests = frame[frame["metric"] == "registry_http_requests_total"]
    assert set(requests["labels"].map(lambda l: tuple(k for k, _ in l))) == {("code", "handler", "method")}
    blob = requests[(label(requests, "handler") == "blob") & (label(requests, "method") == "get")]
    assert blob["value"].tolist() == [15.0]
    assert (frame["time"] == 100.0).all() and (frame["pod"] == "registry-0").all()
    cpu = frame[frame["metric"] == "process_cpu_seconds_total"]["value"]
    assert cpu.tolist() == [0.19]


def test_real_scrapes_without_timestamps_take_their_time_from_an_explicit_mapping():
    frame = read_scrapes([REAL / "scrape1.prom", REAL / "scrape2.prom"], times={"scrape1.prom": 10.0,
                                                                              "scrape2.prom": 70.0}, pod="p")
    assert sorted(frame["time"].unique()) == [10.0, 70.0]


def test_a_scrape_without_any_time_is_refused():
    with pytest.raises(InputError, match="expected the scrape time"):
        read_scrapes([REAL / "scrape1.prom"])


def test_twin_scrapes_of_a_run_folder_give_pods_times_and_the_openshift_families():
    frame = read_scrapes(TWIN)
    assert sorted(frame["pod"].unique()) == ["image-registry-7db5df549c-5gq94", "image-registry-7db5df549c-vd2kr"]
    assert sorted(frame["time"].unique()) == [1050.0, 1080.0, 1110.0]
    assert {"imageregistry_http_requests_total", "imageregistry_http_request_duration_seconds",
            "imageregistry_http_request_duration_seconds_sum", "imageregistry_http_in_flight_requests",
            "imageregistry_storage_duration_seconds_count"} <= set(frame["metric"])
    one = frame[(frame["pod"] == "image-registry-7db5df549c-5gq94") & (frame["time"] == 1050.0)
                & (frame["metric"] == "imageregistry_http_requests_total")]
    assert dict(zip(one["labels"], one["value"]))[(("code", "307"), ("method", "get"))] == 1986.0


def test_the_file_name_gives_the_time_when_samples_carry_none(tmp_path):
    text = (TWIN / "metrics" / "image-registry-7db5df549c-5gq94" / "t000001050000ms.prom").read_text()
    stripped = "\n".join(l.rsplit(" ", 1)[0] if l and not l.startswith("#") else l for l in text.splitlines()) + "\n"
    (tmp_path / "pod-a").mkdir()
    (tmp_path / "pod-a" / "t000000042500ms.prom").write_text(stripped)
    frame = read_scrapes(tmp_path)
    assert frame["time"].unique().tolist() == [42.5] and frame["pod"].unique().tolist() == ["pod-a"]


def _error(path: Path, text: bytes) -> str:
    path.write_bytes(text)
    with pytest.raises(InputError) as info:
        read_exposition(path, time=0.0)
    assert info.value.source == str(path)
    return str(info.value)


NODE_EXPORTER = b"""# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.
# TYPE node_cpu_seconds_total counter
node_cpu_seconds_total{cpu="0",mode="idle"} 12345.67
node_cpu_seconds_total{cpu="0",mode="user"} 234.5
# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 1.25
"""


def test_a_scrape_of_another_program_is_refused_naming_what_was_expected(tmp_path):
    message = _error(tmp_path / "node.prom", NODE_EXPORTER)
    assert "node.prom: expected registry metrics: registry_http_requests_total" in message
    assert "imageregistry_http_requests_total" in message and "has none" in message


def test_an_empty_exposition_is_refused(tmp_path):
    assert "got an empty file" in _error(tmp_path / "e.prom", b"")


def test_a_binary_exposition_is_refused(tmp_path):
    assert "binary file" in _error(tmp_path / "b.prom", b"\x89PNG\r\n\x1a\n\x00\x00")


def test_a_malformed_exposition_is_refused(tmp_path):
    assert "expected a Prometheus text exposition" in _error(tmp_path / "m.prom", b'registry_http_requests_total{code="200" 1\n')
