"""The image catalogue: shared base layers, deterministic references, node layer caches."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from twin.model.registry.catalogue import (
    DERIVED_ID_BASE,
    Catalogue,
    CatalogueParams,
    is_internal,
    parse_reference,
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.generate(CatalogueParams(), np.random.default_rng(7))


def apps(catalogue: Catalogue):
    return catalogue.images[catalogue.base_count:]


def test_the_catalogue_has_the_bases_first_then_the_application_images(catalogue):
    assert len(catalogue.images) == 4 + 200
    assert all(img.base == -1 for img in catalogue.images[:4])
    assert all(0 <= img.base < 4 for img in apps(catalogue))


def test_an_application_image_starts_with_the_layers_of_its_base(catalogue):
    for img in apps(catalogue):
        base = catalogue.images[img.base]
        assert img.layers[: len(base.layers)] == base.layers
        assert img.layer_bytes[: len(base.layers)] == base.layer_bytes
        assert 1 <= len(img.layers) - len(base.layers) <= 6


def test_every_base_layer_is_shared_by_several_application_images(catalogue):
    users = {layer: 0 for base in catalogue.images[:4] for layer in base.layers}
    for img in apps(catalogue):
        for layer in catalogue.images[img.base].layers:
            users[layer] += 1
    assert min(users.values()) >= 10


def test_the_own_layers_of_application_images_are_not_shared(catalogue):
    own = [layer for img in apps(catalogue) for layer in img.layers[len(catalogue.images[img.base].layers):]]
    assert len(own) == len(set(own))


def test_base_images_are_large_and_layers_stay_in_the_clipping_range(catalogue):
    for base in catalogue.images[:4]:
        assert 2 <= len(base.layers) <= 5
        assert 39e6 <= sum(base.layer_bytes) <= 81e6
    sizes = catalogue.table.sizes
    assert sizes.min() >= 1024 and sizes.max() <= 2 * 2**30


def test_layer_sizes_follow_the_log_normal_median():
    big = Catalogue.generate(CatalogueParams(images=3000), np.random.default_rng(1))
    own = np.array([s for img in apps(big) for s in img.layer_bytes[len(big.images[img.base].layers):]])
    assert np.median(own) == pytest.approx(4 * 2**20, rel=0.1)


def test_blob_sizes_are_indexed_by_blob_id_for_layers_and_configs(catalogue):
    for img in catalogue.images:
        assert [catalogue.blob_sizes[i] for i in img.layers] == list(img.layer_bytes)
        assert catalogue.blob_sizes[img.config] == img.config_bytes
    assert len({img.config for img in catalogue.images}) == len(catalogue.images)


def test_manifests_and_configs_are_a_few_kib(catalogue):
    for img in catalogue.images:
        assert 500 <= img.manifest_bytes <= 4096
        assert 1000 <= img.config_bytes <= 8192


def test_the_same_seed_generates_the_same_catalogue():
    a = Catalogue.generate(CatalogueParams(), np.random.default_rng(3))
    b = Catalogue.generate(CatalogueParams(), np.random.default_rng(3))
    assert a.images == b.images
    assert np.array_equal(a.blob_sizes, b.blob_sizes)


def test_resolve_returns_the_generated_image_for_its_reference(catalogue):
    img = catalogue.images[10]
    assert catalogue.resolve(img.reference) is img


def test_an_unknown_reference_resolves_to_the_same_image_every_time(catalogue):
    first = catalogue.resolve("quay.io/acme/web:2")
    assert catalogue.resolve("quay.io/acme/web:2") == first
    assert catalogue.resolve("quay.io/acme/web:3") != first
    assert (first.repository, first.tag) == ("acme/web", "2")


def test_an_unknown_reference_is_built_on_a_base_and_shares_its_layers(catalogue):
    img = catalogue.resolve("quay.io/acme/web:2")
    base = catalogue.images[img.base]
    assert img.layers[: len(base.layers)] == base.layers
    own = img.layers[len(base.layers):]
    assert 1 <= len(own) <= 6 and all(layer >= DERIVED_ID_BASE for layer in own)
    assert img.config >= DERIVED_ID_BASE


def test_a_derived_image_does_not_depend_on_the_catalogue_seed_beyond_its_base():
    one, two = (Catalogue.generate(CatalogueParams(), np.random.default_rng(seed)) for seed in (1, 2))
    a, b = one.resolve("quay.io/acme/api:1"), two.resolve("quay.io/acme/api:1")
    own = len(a.layers) - len(one.images[a.base].layers)
    assert a.base == b.base and a.layers[-own:] == b.layers[-own:] and a.layer_bytes[-own:] == b.layer_bytes[-own:]


def test_a_derived_image_is_the_same_in_another_process_with_another_hash_seed(catalogue):
    script = ("import numpy as np; from twin.model.registry.catalogue import Catalogue, CatalogueParams; "
              "c = Catalogue.generate(CatalogueParams(), np.random.default_rng(7)); "
              "print(repr(c.resolve('quay.io/acme/web:2')))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == repr(catalogue.resolve("quay.io/acme/web:2"))


def test_missing_layers_are_the_layers_the_cache_lacks_in_image_order(catalogue):
    img = catalogue.images[20]
    present = {img.layers[0], img.layers[-1], 10**12}
    assert catalogue.missing_layers(img, present) == tuple(img.layers[1:-1])
    assert catalogue.missing_layers(img, img.layers) == ()
    assert catalogue.missing_layers(img, ()) == img.layers


def test_images_on_the_same_base_miss_only_their_own_layers_on_a_warm_node(catalogue):
    a, b = [img for img in apps(catalogue) if img.base == apps(catalogue)[0].base][:2]
    base_layers = len(catalogue.images[a.base].layers)
    assert catalogue.missing_layers(b, a.layers) == b.layers[base_layers:]


@pytest.mark.parametrize("reference, parts", [
    ("image-registry.openshift-image-registry.svc:5000/apps/web:1", ("image-registry.openshift-image-registry.svc:5000",
                                                                     "apps/web", "1")),
    ("quay.io/acme/web", ("quay.io", "acme/web", "latest")),
    ("nginx", ("", "nginx", "latest")),
    ("library/nginx:1.25", ("", "library/nginx", "1.25")),
    ("localhost/x:2", ("localhost", "x", "2")),
    ("quay.io/acme/web@sha256:abc", ("quay.io", "acme/web", "sha256:abc")),
])
def test_references_split_into_host_repository_and_tag(reference, parts):
    assert parse_reference(reference) == parts


@pytest.mark.parametrize("reference, internal", [
    ("image-registry.openshift-image-registry.svc:5000/apps/web:1", True),
    ("image-registry.openshift-image-registry.svc.cluster.local:5000/apps/web:1", True),
    ("default-route-openshift-image-registry.apps.example.com/apps/web:1", True),
    ("quay.io/openshift/origin-cli:4.23", False),
    ("registry.redhat.io/ubi9/ubi:latest", False),
    ("image-registry.openshift-image-registry.svc:5001/apps/web:1", False),
    ("nginx", False),
])
def test_only_the_service_and_the_default_route_are_the_integrated_registry(reference, internal):
    assert is_internal(reference) is internal
