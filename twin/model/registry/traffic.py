"""What a scenario's `traffic:` section sets, as the model's frozen parameters: the
catalogue, the background load (pull and push sessions started from rate profiles), the
clients' behaviour (`clients.py`), the unloaded service demands (`service.py`), memory
(`resources/memory.py`) and the object store (`resources/objectstore.py`).

Sessions themselves run in the data plane (`twin/sim/traffic/sessions.py`).
"""

from __future__ import annotations

import functools

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from twin.model.registry.auth import DEFAULT_ROLES
from twin.model.registry.batch import Client
from twin.model.registry.catalogue import Catalogue, CatalogueParams
from twin.model.registry.clients import ClientPolicy
from twin.model.registry.profiles import Bursts, Constant, Diurnal, Profile, Ramp, Steps, arrivals
from twin.model.registry.resources.memory import MemoryParams
from twin.model.registry.resources.objectstore import ObjectStoreParams
from twin.model.registry.router import RouterParams
from twin.model.registry.service import ServiceParams

__all__ = [
    "BackgroundLoad", "Bursts", "Clients", "Constant", "Diurnal", "Profile", "Ramp", "Steps", "TrafficParams",
    "arrivals", "choose_images",
]


@dataclass(frozen=True)
class BackgroundLoad:
    pulls: Profile = field(default_factory=lambda: Constant(0.0))  # image pulls started per second
    pushes: Profile = field(default_factory=lambda: Constant(0.0))  # image pushes started per second
    cached_layer_fraction: float = 0.5  # chance a pulling client already has a layer
    new_layer_fraction: float = 0.3  # chance a pushed image's layer is new to the registry
    popularity_exponent: float = 1.0  # image i (by catalogue order) weighs 1/(i+1)^s; 0: uniform
    images_per_session: int = 1  # images a client pulls or pushes one after the other on its connections

    def __post_init__(self):
        for name in ("cached_layer_fraction", "new_layer_fraction"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name}: expected a fraction between 0 and 1, got {getattr(self, name)!r}")
        if self.popularity_exponent < 0 or self.images_per_session < 1:
            raise ValueError("expected popularity_exponent >= 0 and images_per_session >= 1")


@dataclass(frozen=True, slots=True)
class Clients:
    """containers/image everywhere: CRI-O for the kubelet, podman/skopeo/buildah for the
    others. Prometheus scrapes with its own client (one GET, no retry)."""

    kubelet: ClientPolicy = ClientPolicy()
    pull: ClientPolicy = ClientPolicy()
    push: ClientPolicy = ClientPolicy()


@dataclass(frozen=True)
class TrafficParams:
    """Everything a scenario's `traffic:` section sets."""

    catalogue: CatalogueParams = field(default_factory=CatalogueParams)
    background: BackgroundLoad = field(default_factory=BackgroundLoad)
    clients: Clients = field(default_factory=Clients)
    service: ServiceParams = field(default_factory=ServiceParams)
    memory: MemoryParams = field(default_factory=MemoryParams)
    storage: ObjectStoreParams = field(default_factory=ObjectStoreParams)
    roles: Mapping[Client, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_ROLES)  # each client's token
    router: RouterParams = field(default_factory=RouterParams)  # the ingress router, for clients with `route`


def choose_images(catalogue: Catalogue, n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Application images (all images when there are none), Zipf-like: the i-th weighs 1/(i+1)^s.

    The draws are numpy's `rng.choice(k, size=n, p=weights / weights.sum())`, step for step
    (`Generator.choice`: the normalised cumulative sum, `rng.random(n)`, `searchsorted`
    right), with the cumulative sum kept per catalogue and exponent: it was recomputed and
    validated for every batch of arrivals (a test checks the draws are choice's)."""
    first, cdf = _image_cdf(catalogue, exponent)
    return first + cdf.searchsorted(rng.random(n), side="right").astype(np.int64)


@functools.lru_cache(maxsize=16)
def _image_cdf(catalogue: Catalogue, exponent: float) -> tuple[int, np.ndarray]:
    first = catalogue.base_count if len(catalogue.images) > catalogue.base_count else 0
    weights = 1.0 / np.arange(1, len(catalogue.images) - first + 1) ** exponent
    cdf = (weights / weights.sum()).cumsum()
    cdf /= cdf[-1]
    cdf.flags.writeable = False
    return first, cdf
