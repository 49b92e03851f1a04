"""Remote registries' answers as the integrated registry passes them on
(`twin/model/images/remote.py`), each rule citing openshift/image-registry."""

from __future__ import annotations

import pytest

from twin.model.images.remote import (
    Remote, RateWindow, RemoteParams, blob_answer, manifest_answer, registry_label, remote_image,
)
from twin.model.registry.catalogue import CatalogueParams


@pytest.mark.parametrize("remote, code", [
    (Remote.OK, 200),
    (Remote.TOO_MANY, 429),  # remoteblobgetter.go findBlobStore: UnexpectedHTTPResponseError 429 -> TOOMANYREQUESTS
    (Remote.FAILED, 404),  # ... any other error leaves distribution.ErrBlobUnknown -> BLOB_UNKNOWN
])
def test_a_pulled_through_blob_is_answered_as_find_blob_store_maps_the_remotes_answer(remote, code):
    assert blob_answer(remote) == code


@pytest.mark.parametrize("remote, errcode_body, code", [
    (Remote.OK, True, 200),
    (Remote.TOO_MANY, False, 429),  # pullthroughmanifestservice.go remoteGet: UnexpectedHTTPResponseError 429
    (Remote.TOO_MANY, True, 404),  # errcode.Errors (Docker Hub's body) -> ErrorCodePullthroughManifest (404)
    (Remote.FAILED, False, 404),  # pkg/errors/errors.go: OPENSHIFT_PULLTHROUGH_MANIFEST has HTTPStatusCode 404
])
def test_a_pulled_through_manifest_is_answered_as_remote_get_maps_the_remotes_answer(remote, errcode_body, code):
    assert manifest_answer(remote, errcode_body) == code


@pytest.mark.parametrize("host, label", [
    ("docker.io", "registry-1.docker.io"),  # library-go reference.go AsV2 / DockerDefaultV2Registry
    ("index.docker.io", "registry-1.docker.io"),
    ("Quay.io", "quay.io"),  # metrics.go pullthroughRepositoryWrapper: strings.ToLower(registry)
])
def test_the_registry_label_is_the_remotes_v2_host_in_lower_case(host, label):
    assert registry_label(host) == label


def test_a_pull_limit_refuses_calls_over_the_limit_within_the_window_and_admits_them_after():
    window = RateWindow(2, 60.0)
    assert [window.admit(t) for t in (0.0, 1.0, 2.0, 59.9, 60.0, 61.0, 62.0)] == [
        True, True, False, False, True, True, False]
    assert window.refused == 3


def test_no_pull_limit_admits_every_call():
    window = RateWindow(0, 60.0)
    assert all(window.admit(float(t)) for t in range(1000))


def test_a_remote_image_is_the_same_in_every_run_and_shares_its_hosts_base_layers():
    params = CatalogueParams()
    a, b = remote_image("docker.io/acme/a:1", 0, params), remote_image("docker.io/acme/b:1", 0, params)
    assert a == remote_image("docker.io/acme/a:1", 0, params)
    assert a.layers[:3] == b.layers[:3] and set(a.layers[3:]).isdisjoint(b.layers)


def test_a_new_version_rebuilds_only_its_top_changed_layers():
    params = CatalogueParams()
    old, new = remote_image("docker.io/acme/a:1", 0, params, 2), remote_image("docker.io/acme/a:1", 1, params, 2)
    assert old.layers[:-2] == new.layers[:-2] and set(old.layers[-2:]).isdisjoint(new.layers)
    assert old.config != new.config


@pytest.mark.parametrize("kwargs", [
    {"latency_median": 0.0}, {"latency_median": 1.0, "latency_p99": 0.5}, {"bandwidth": -1.0}, {"limit": -5},
    {"window": 0.0},
])
def test_remote_parameters_out_of_range_are_refused(kwargs):
    with pytest.raises(ValueError):
        RemoteParams("docker.io", **kwargs)
