"""The image catalogue: which images the integrated registry serves, their layers and the
sizes of every blob a request moves (`spec/registry-operator.md` §4.4: blob GETs move blob
bytes, through the pod when streamed or from storage when redirected).

A few large base images (UBI-like) whose layers are shared by the application images
built on them; each application image adds 1–6 layers of its own. Layers and config blobs
share one id space, as they share distribution's content store.

Layer sizes are log-normal. Defaults: median 4 MiB, sigma 1.8 (p90 ≈ 40 MiB, p99 ≈ 260
MiB), clipped to [1 KiB, 2 GiB]. They are chosen to resemble the compressed-layer size
distribution of Zhao et al., "Large-Scale Analysis of the Docker Hub Dataset" (IEEE CLUSTER
2019, layer characterisation): most layers are small, a median of a few MB, with a long tail
to hundreds of MB and GBs. The quantiles are an approximate reading of that paper, not a
fit to its data; calibrate `layer_median_bytes`/`layer_sigma` against your registry when it
matters. Base images total 40–80 MB compressed, about the size of the UBI 9 minimal and
standard images.

`resolve()` also answers for references it did not generate (a scenario's workload image):
such an image is derived from a SHA-256 of the reference, so it is the same in every run
and every process, and it is built on one of the generated bases, so it shares their layers.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from functools import cached_property
from statistics import NormalDist
from typing import Iterable

import numpy as np

INTERNAL_SERVICE_HOSTS = (
    "image-registry.openshift-image-registry.svc:5000",
    "image-registry.openshift-image-registry.svc.cluster.local:5000",
)
DEFAULT_ROUTE_PREFIX = "default-route-openshift-image-registry."
"""The default route's host: `default-route-openshift-image-registry.<apps domain>`."""

DERIVED_ID_BASE = 1 << 56
"""Blob ids of images derived from unknown references start here (never collide with generated ids)."""


@dataclass(frozen=True, slots=True)
class CatalogueParams:
    base_images: int = 4
    images: int = 200  # application images, built on the bases
    base_layers: tuple[int, int] = (2, 5)  # inclusive range of layers per base image
    own_layers: tuple[int, int] = (1, 6)  # inclusive range of an application image's own layers
    base_bytes: tuple[float, float] = (40e6, 80e6)  # total compressed size of a base image
    layer_median_bytes: float = 4 * 2**20
    layer_sigma: float = 1.8
    min_layer_bytes: int = 2**10
    max_layer_bytes: int = 2 * 2**30
    manifest_base_bytes: int = 320  # schema2 manifest: header and config descriptor ...
    manifest_bytes_per_layer: int = 200  # ... plus one ~200-byte descriptor per layer
    config_base_bytes: int = 2000  # image config JSON ...
    config_bytes_per_layer: int = 300  # ... plus a diff_id and a history entry per layer
    seed: int | None = None  # draw from numpy's default_rng(seed) instead of the run's stream (the same images as a
    # catalogue built elsewhere from that seed: the real-registry harness's)

    def __post_init__(self):
        for name in ("base_layers", "own_layers", "base_bytes"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ValueError(f"{name}: expected 0 < low <= high, got {(low, high)}")
        if self.base_images < 1 or self.images < 0:
            raise ValueError("expected at least one base image and no negative image count")
        if self.layer_median_bytes <= 0 or self.layer_sigma < 0:
            raise ValueError("expected a positive layer median and a non-negative sigma")

    def manifest_bytes(self, layers: int) -> int:
        return self.manifest_base_bytes + self.manifest_bytes_per_layer * layers

    def config_bytes(self, layers: int) -> int:
        return self.config_base_bytes + self.config_bytes_per_layer * layers

    def clip(self, sizes):
        return np.clip(np.rint(sizes), self.min_layer_bytes, self.max_layer_bytes).astype(np.int64)


@dataclass(frozen=True, slots=True)
class Image:
    reference: str
    repository: str
    tag: str
    manifest_bytes: int
    config: int  # blob id of the config blob
    config_bytes: int
    layers: tuple[int, ...]  # blob ids, base layers first
    layer_bytes: tuple[int, ...]  # aligned with layers
    base: int = -1  # index of the base image in the catalogue; -1 for a base itself

    @property
    def total_bytes(self) -> int:
        return self.config_bytes + sum(self.layer_bytes)

    def bytes_of(self, layer_ids: Iterable[int]) -> int:
        size = dict(zip(self.layers, self.layer_bytes))
        return sum(size[i] for i in layer_ids)


@dataclass(frozen=True, slots=True)
class LayerTable:
    """The catalogue as flat arrays for vectorised request expansion (CSR layout):
    image i's layers are `blobs[offsets[i]:offsets[i + 1]]`."""

    offsets: np.ndarray  # int64, len(images) + 1
    blobs: np.ndarray  # int64 blob ids
    sizes: np.ndarray  # int64 bytes, aligned with blobs
    config: np.ndarray  # int64 config blob id per image
    config_bytes: np.ndarray
    manifest_bytes: np.ndarray

    @property
    def layer_count(self) -> np.ndarray:
        return np.diff(self.offsets)


@dataclass(frozen=True, eq=False)
class Catalogue:
    images: tuple[Image, ...]
    blob_sizes: np.ndarray  # int64 bytes by blob id, for every generated layer and config blob
    base_count: int
    params: CatalogueParams = field(default_factory=CatalogueParams)

    @classmethod
    def generate(cls, params: CatalogueParams, rng: np.random.Generator) -> Catalogue:
        sizes: list[int] = []  # layer bytes by layer id, appended as layers are made
        bases = [_base_image(j, params, rng, sizes) for j in range(params.base_images)]
        apps = [_app_image(i, params, rng, bases, sizes) for i in range(params.images)]
        images = bases + apps
        first_config = len(sizes)
        images = [replace(img, config=first_config + k) for k, img in enumerate(images)]
        blob_sizes = np.array(sizes + [img.config_bytes for img in images], dtype=np.int64)
        blob_sizes.flags.writeable = False
        return cls(tuple(images), blob_sizes, params.base_images, params)

    @cached_property
    def _by_reference(self) -> dict[str, Image]:
        return {img.reference: img for img in self.images}

    @cached_property
    def table(self) -> LayerTable:
        counts = np.array([len(img.layers) for img in self.images], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        blobs = np.array([b for img in self.images for b in img.layers], dtype=np.int64)
        return LayerTable(
            offsets, blobs, self.blob_sizes[blobs] if blobs.size else np.zeros(0, np.int64),
            np.array([img.config for img in self.images], dtype=np.int64),
            np.array([img.config_bytes for img in self.images], dtype=np.int64),
            np.array([img.manifest_bytes for img in self.images], dtype=np.int64),
        )

    def resolve(self, reference: str) -> Image:
        """The image a reference names: a generated one, or one derived from the reference's
        SHA-256 (the same in every run and process), built on a generated base."""
        known = self._by_reference.get(reference)
        return known if known is not None else derive_image(reference, self.images[: self.base_count], self.params)

    @staticmethod
    def missing_layers(image: Image, present_layer_ids: Iterable[int]) -> tuple[int, ...]:
        """The image's layers a node's layer cache lacks, in image order (the config blob is
        not a layer: a pull of a missing image always fetches it)."""
        present = set(present_layer_ids)
        return tuple(layer for layer in image.layers if layer not in present)


def _base_image(j: int, params: CatalogueParams, rng: np.random.Generator, sizes: list) -> Image:
    count = int(rng.integers(params.base_layers[0], params.base_layers[1] + 1))
    total = rng.uniform(*params.base_bytes)
    layer_bytes = params.clip(total * rng.dirichlet(np.ones(count)))
    first = len(sizes)
    sizes.extend(int(s) for s in layer_bytes)
    return _image(f"openshift/base-{j}", "latest", tuple(range(first, first + count)), layer_bytes, -1, params)


def _app_image(i: int, params: CatalogueParams, rng: np.random.Generator, bases: list[Image], sizes: list) -> Image:
    base_index = int(rng.integers(len(bases)))
    count = int(rng.integers(params.own_layers[0], params.own_layers[1] + 1))
    own = params.clip(rng.lognormal(math.log(params.layer_median_bytes), params.layer_sigma, count))
    first = len(sizes)
    sizes.extend(int(s) for s in own)
    base = bases[base_index]
    layers = base.layers + tuple(range(first, first + count))
    return _image(f"apps/app-{i}", "1", layers, base.layer_bytes + tuple(int(s) for s in own), base_index, params)


def _image(repository: str, tag: str, layers: tuple[int, ...], layer_bytes, base: int, params: CatalogueParams) -> Image:
    """An image whose config blob id is assigned later, once all layer ids are known."""
    reference = f"{INTERNAL_SERVICE_HOSTS[0]}/{repository}:{tag}"
    return Image(reference, repository, tag, params.manifest_bytes(len(layers)), -1,
                 params.config_bytes(len(layers)), tuple(int(x) for x in layers), tuple(int(x) for x in layer_bytes), base)


def derive_image(reference: str, bases: tuple[Image, ...], params: CatalogueParams) -> Image:
    """A deterministic image for a reference the catalogue did not generate: base, layer
    count and layer sizes from SHA-256 digests of the reference (no numpy stream, no
    Python `hash()`, so stable across runs, processes and numpy versions)."""
    host, repository, tag = parse_reference(reference)
    base_index = int(_uniform(reference, "base") * len(bases))
    base = bases[base_index]
    low, high = params.own_layers
    count = low + int(_uniform(reference, "count") * (high - low + 1))
    normal = NormalDist(math.log(params.layer_median_bytes), params.layer_sigma)
    own_bytes = params.clip([math.exp(normal.inv_cdf(_uniform(reference, f"size{k}"))) for k in range(count)])
    own_ids = tuple(_derived_id(reference, f"layer{k}") for k in range(count))
    layers = base.layers + own_ids
    return Image(reference, repository, tag, params.manifest_bytes(len(layers)), _derived_id(reference, "config"),
                 params.config_bytes(len(layers)), layers, base.layer_bytes + tuple(int(s) for s in own_bytes), base_index)


def _digest(reference: str, purpose: str) -> bytes:
    return hashlib.sha256(f"{reference}\0{purpose}".encode()).digest()


def _uniform(reference: str, purpose: str) -> float:
    """A number in (0, 1) from the digest: 53 bits, offset by half a step."""
    return (int.from_bytes(_digest(reference, purpose)[:8], "big") >> 11) / 2**53 + 2**-54


def _derived_id(reference: str, purpose: str) -> int:
    return DERIVED_ID_BASE + int.from_bytes(_digest(reference, purpose)[:6], "big")


def parse_reference(reference: str) -> tuple[str, str, str]:
    """(host, repository, tag) of an image reference. The host is the first path component
    when it looks like one (has a dot or a port, or is localhost), else ""; the tag defaults
    to latest; a digest reference (`repo@sha256:...`) has the digest as its tag."""
    name, _, digest = reference.partition("@")
    first, slash, rest = name.partition("/")
    host = first if slash and ("." in first or ":" in first or first == "localhost") else ""
    path = rest if host else name
    last = path.rsplit("/", 1)[-1]
    repository, tag = (path.rsplit(":", 1) if ":" in last else (path, "latest"))
    return host, repository, digest or tag


def is_internal(reference: str) -> bool:
    """Whether a reference points at the integrated registry: its Service host on port
    5000, or its default route `default-route-openshift-image-registry.<apps domain>`."""
    host = parse_reference(reference)[0]
    return host in INTERNAL_SERVICE_HOSTS or host.startswith(DEFAULT_ROUTE_PREFIX)
