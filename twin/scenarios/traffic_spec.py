"""The `traffic:` section of a scenario file (pydantic, unknown fields rejected), validated
into the model's frozen parameters (`TrafficParams`).

    traffic:
      catalogue: {base_images: 4, images: 200, layer_size: {median: 4Mi, sigma: 1.8}}
      background:
        pulls: {constant: 20}          # image pulls per second, or {diurnal: {...}}, {bursts: {...}}, {steps: [...]}
        pushes: {bursts: {base: 0.1, rate: 2, every: 1h, length: 5m, first_at: 10m}}
        cached_layer_fraction: 0.5
      clients:                         # answering 429 (Retry-After: 1, spec/registry-operator.md §4.2)
        kubelet: {retries: 0}          # a failed pull goes to ImagePullBackOff instead
        pull: {retries: 2, retry_after: 1s}
        push: {retries: 3, retry_after: 1s}
      service:
        cpu: {manifest_get: 2ms}       # per request kind (lower-case Kind names)
        storage_latency: {Stat: {median: 15ms, p99: 120ms}}
        pod_bandwidth: 125M            # bytes per second (quantities)
        node_bandwidth: 156250k
        storage_stream_bandwidth: 90M

Sizes and bandwidths are Kubernetes quantities or plain numbers of bytes; rates are numbers
(a string is an error); durations go through `spec.seconds`. Anything left out keeps the
model's default.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from twin.model.quantity import parse_quantity
from twin.model.registry.catalogue import CatalogueParams
from twin.model.registry.profiles import Bursts, Constant, Diurnal, Profile, Steps
from twin.model.registry.requests import Kind
from twin.model.registry.service import DEFAULT_CPU, DEFAULT_STORAGE_LATENCY, Latency, ServiceParams, StorageOp
from twin.model.registry.traffic import BackgroundLoad, Clients, RetryPolicy, TrafficParams
from twin.scenarios.fields import Seconds, Strict


def byte_count(value: Any) -> int:
    """A positive number of bytes: a quantity such as 4Mi or 125M, or an integer."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    amount = parse_quantity(value)  # raises QuantityError, a ValueError, for bad text
    if amount <= 0 or amount.denominator != 1:
        raise ValueError(f"expected a positive whole number of bytes, got {value!r}")
    return int(amount)


Bytes = Annotated[int, BeforeValidator(byte_count)]
PositiveSeconds = Annotated[Seconds, Field(gt=0)]
Rate = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction01 = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
_CATALOGUE, _LOAD, _CLIENTS, _SERVICE = CatalogueParams(), BackgroundLoad(), Clients(), ServiceParams()
KindName = Literal[tuple(k.name.lower() for k in Kind)]  # type: ignore[valid-type]
StorageOpName = Literal[tuple(o.name for o in StorageOp)]  # type: ignore[valid-type]


class LayerSizeSpec(Strict):
    median: Bytes = int(_CATALOGUE.layer_median_bytes)
    sigma: Annotated[float, Field(ge=0, le=5, allow_inf_nan=False)] = _CATALOGUE.layer_sigma


class CatalogueSpec(Strict):
    base_images: int = Field(_CATALOGUE.base_images, ge=1)
    images: int = Field(_CATALOGUE.images, ge=0)
    layer_size: LayerSizeSpec = Field(default_factory=LayerSizeSpec)

    def to_params(self) -> CatalogueParams:
        return CatalogueParams(base_images=self.base_images, images=self.images,
                               layer_median_bytes=float(self.layer_size.median), layer_sigma=self.layer_size.sigma)


class DiurnalSpec(Strict):
    mean: Rate
    amplitude: Fraction01
    period: PositiveSeconds = 86400.0
    peak_at: Seconds = 0.0


class BurstsSpec(Strict):
    base: Rate = 0.0
    rate: Rate
    every: PositiveSeconds
    length: PositiveSeconds
    first_at: Seconds = 0.0

    @model_validator(mode="after")
    def burst_fits(self):
        if self.length > self.every:
            raise ValueError(f"length: expected a duration no longer than every, got {self.length:g} s with every "
                             f"{self.every:g} s")
        return self


class StepSpec(Strict):
    at: Seconds
    rate: Rate


class ProfileSpec(Strict):
    """Exactly one of constant, diurnal, bursts, steps."""

    constant: Rate | None = None
    diurnal: DiurnalSpec | None = None
    bursts: BurstsSpec | None = None
    steps: Annotated[list[StepSpec], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def exactly_one(self):
        chosen = [name for name in PROFILE_KINDS if getattr(self, name) is not None]
        if len(chosen) != 1:
            raise ValueError(f"expected exactly one of {', '.join(PROFILE_KINDS)}, got {len(chosen)}")
        if self.steps is not None:
            for i in range(1, len(self.steps)):
                if self.steps[i].at <= self.steps[i - 1].at:
                    raise ValueError(f"steps[{i}].at: expected steps in increasing time order, got "
                                     f"{self.steps[i].at:g} s after {self.steps[i - 1].at:g} s")
        return self

    def to_profile(self) -> Profile:
        if self.constant is not None:
            return Constant(self.constant)
        if self.diurnal is not None:
            d = self.diurnal
            return Diurnal(d.mean, d.amplitude, d.period, d.peak_at)
        if self.bursts is not None:
            b = self.bursts
            return Bursts(b.base, b.rate, b.every, b.length, b.first_at)
        return Steps(tuple((s.at, s.rate) for s in self.steps))


PROFILE_KINDS = ("constant", "diurnal", "bursts", "steps")


def _idle() -> ProfileSpec:
    return ProfileSpec(constant=0.0)


class BackgroundSpec(Strict):
    pulls: ProfileSpec = Field(default_factory=_idle)
    pushes: ProfileSpec = Field(default_factory=_idle)
    cached_layer_fraction: Fraction01 = _LOAD.cached_layer_fraction
    new_layer_fraction: Fraction01 = _LOAD.new_layer_fraction
    chunk_size: Bytes | None = None  # PATCH size; unset: the whole blob in one PATCH
    head_before_push: bool = True
    think_time: Seconds = _LOAD.step_seconds
    popularity_exponent: Annotated[float, Field(ge=0, allow_inf_nan=False)] = _LOAD.popularity_exponent

    def to_params(self) -> BackgroundLoad:
        return BackgroundLoad(self.pulls.to_profile(), self.pushes.to_profile(), self.cached_layer_fraction,
                              self.new_layer_fraction, self.chunk_size, self.head_before_push, self.think_time,
                              self.popularity_exponent)


class ClientSpec(Strict):
    retries: int = Field(0, ge=0)
    retry_after: PositiveSeconds = 1.0

    def to_params(self) -> RetryPolicy:
        return RetryPolicy(self.retries, self.retry_after)


def _client(policy: RetryPolicy):
    return lambda: ClientSpec(retries=policy.retries, retry_after=policy.retry_after)


class ClientsSpec(Strict):
    kubelet: ClientSpec = Field(default_factory=_client(_CLIENTS.kubelet))
    pull: ClientSpec = Field(default_factory=_client(_CLIENTS.pull))
    push: ClientSpec = Field(default_factory=_client(_CLIENTS.push))

    def to_params(self) -> Clients:
        return Clients(self.kubelet.to_params(), self.pull.to_params(), self.push.to_params())


class LatencySpec(Strict):
    median: PositiveSeconds
    p99: PositiveSeconds

    @model_validator(mode="after")
    def ordered(self):
        if not 0 < self.median <= self.p99:
            raise ValueError(f"p99: expected p99 >= median > 0, got median {self.median:g} s and p99 {self.p99:g} s")
        return self


class ServiceSpec(Strict):
    cpu: dict[KindName, Seconds] = Field(default_factory=dict)
    storage_latency: dict[StorageOpName, LatencySpec] = Field(default_factory=dict)
    pod_bandwidth: Bytes = int(_SERVICE.pod_bandwidth_bytes_per_second)
    node_bandwidth: Bytes = int(_SERVICE.node_bandwidth_bytes_per_second)
    storage_stream_bandwidth: Bytes = int(_SERVICE.storage_read_bytes_per_second)

    def to_params(self) -> ServiceParams:
        cpu = {**DEFAULT_CPU, **{Kind[name.upper()]: seconds for name, seconds in self.cpu.items()}}
        latency = {**DEFAULT_STORAGE_LATENCY,
                   **{StorageOp[name]: Latency(spec.median, spec.p99) for name, spec in self.storage_latency.items()}}
        return ServiceParams(cpu, latency, float(self.storage_stream_bandwidth), float(self.pod_bandwidth),
                             float(self.node_bandwidth))


class TrafficSpec(Strict):
    """`warm_up`: the simulated time the cluster takes to come up; background load starts
    after it, and kubelet pulls of internal images before it need no requests (they stand
    for the state the cluster was in before the twin started). `scrape_interval`: the
    ServiceMonitor's (30 s)."""

    warm_up: Seconds = 120.0
    scrape_interval: PositiveSeconds = 30.0
    catalogue: CatalogueSpec = Field(default_factory=CatalogueSpec)
    background: BackgroundSpec = Field(default_factory=BackgroundSpec)
    clients: ClientsSpec = Field(default_factory=ClientsSpec)
    service: ServiceSpec = Field(default_factory=ServiceSpec)

    def to_params(self) -> TrafficParams:
        return TrafficParams(self.catalogue.to_params(), self.background.to_params(), self.clients.to_params(),
                             self.service.to_params())
