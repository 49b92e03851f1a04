"""The `traffic:` section of a scenario file (pydantic, unknown fields rejected), validated
into the model's frozen parameters (`TrafficParams`).

    traffic:
      catalogue: {base_images: 4, images: 200, layer_size: {median: 4Mi, sigma: 1.8}}
      background:
        pulls: {constant: 20}          # image pulls started per second, or {diurnal: {...}},
                                       # {bursts: {...}}, {steps: [...]}, {ramp: {...}}
        pushes: {bursts: {base: 0.1, rate: 2, every: 1h, length: 5m, first_at: 10m}}
        cached_layer_fraction: 0.5
        images_per_session: 1          # images a client pulls one after the other on its connections
      clients:                         # containers/image (spec/capacity.md §1)
        kubelet: {attempts: 5, honour_retry_after: true, lanes: 6}
        pull: {attempts: 5, think: 0s, bandwidth: 90MB/s}
      service:
        cpu: {manifest_get: 2ms}       # core-seconds per request kind (lower-case Kind names)
        storage_latency: {Stat: {median: 15ms, p99: 120ms}}  # over the driver's defaults (S3 or filesystem)
        storage_stream_bandwidth: 90MB/s  # one storage stream
        tls_handshake: 1ms             # core-seconds per new connection
        cpu_per_byte: 1.5n             # core-seconds per body byte the pod moves
        delay: {manifest_get: {median: 0.6ms, p99: 3ms}, ping: 0.4ms}  # per kind: time neither CPU
                                       # nor storage, log-normal or fixed (default none)
      memory: {working_set: 128Mi, request_overhead: 64Ki}   # chunk size: from the Config's s3.chunkSizeMiB
      auth: {review_latency: {median: 3ms, p99: 30ms}, roles: {push: [system:image-pusher]}}
      storage: {read_rate: 5500, write_rate: 3500, partitions: 1, split_after: 5m}

Sizes are Kubernetes quantities or plain numbers of bytes; bandwidths carry their unit
(`90MB/s`, `720Mbit/s`: a bare number or quantity is refused, as for `cluster.network`);
rates are numbers (a string is an error: `5.5k`, `3500/s`); CPU times are core-seconds,
never negative; durations go through `spec.seconds`. Anything left out keeps the model's
default.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from twin.model.bounds import MIN_SCRAPE_INTERVAL
from twin.model.quantity import QuantityError, parse_quantity
from twin.model.quoting import shown
from twin.model.registry.auth import DEFAULT_ROLES, ROLE_VERBS
from twin.model.registry.batch import Client
from twin.model.registry.catalogue import CatalogueParams
from twin.model.registry.clients import ClientPolicy
from twin.model.registry.duration import parse_go_duration
from twin.model.registry.profiles import Bursts, Constant, Diurnal, Profile, Ramp, Steps
from twin.model.registry.requests import Kind
from twin.model.registry.resources.memory import MemoryParams
from twin.model.registry.resources.objectstore import ObjectStoreParams
from twin.model.registry.router import RouterParams
from twin.model.registry.routes import DEFAULT_APPS_DOMAIN, ClaimedHost
from twin.model.registry.service import (DEFAULT_CPU, DEFAULT_FILESYSTEM_LATENCY, DEFAULT_REVIEW_LATENCY,
                                         DEFAULT_STORAGE_LATENCY, NO_DELAY, Latency, ServiceParams, StorageOp)
from twin.model.registry.traffic import BackgroundLoad, Clients, TrafficParams
from twin.scenarios.fields import Bandwidth, Int32, Seconds, Seed, Strict


def byte_count(value: Any) -> int:
    """A positive number of bytes: a quantity such as 4Mi or 125M, or an integer."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    amount = parse_quantity(value)  # raises QuantityError, a ValueError, for bad text
    if amount <= 0 or amount.denominator != 1:
        raise ValueError(f"expected a positive whole number of bytes, got {shown(value)}")
    return int(amount)


def size(value: Any) -> int:
    """A number of bytes >= 0: a quantity such as 64Ki, or an integer."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    amount = parse_quantity(value)
    if amount < 0 or amount.denominator != 1:
        raise ValueError(f"expected a whole number of bytes >= 0, got {shown(value)}")
    return int(amount)


def core_seconds(value: Any) -> float:
    """CPU time >= 0 in core-seconds: a duration (2ms, 1.5us), a number of seconds, or a
    quantity with a nano suffix (1.5n)."""
    nano = _NANO.fullmatch(value.strip()) if isinstance(value, str) else None
    if nano is not None:
        amount = float(nano.group(1)) * 1e-9
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = float(value)
    else:
        try:
            amount = parse_go_duration(value) / 1e9  # refuses anything but duration text, bools included
        except ValueError:
            raise ValueError(f"expected CPU time in core-seconds: a duration such as 2ms or 1.5us, a number of "
                             f"seconds, or nanoseconds such as 1.5n, got {shown(value)}") from None
    if not math.isfinite(amount) or amount < 0:
        raise ValueError(f"expected CPU time that is finite and not negative, such as 2ms or 1.5n, got {shown(value)}")
    return amount


_NANO = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))n")


def request_rate(value: Any) -> float:
    """S3 requests per second: a plain number > 0 (no suffix: `5.5k` or `3500/s` is refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number of requests per second written as a plain number, such as 5500, "
                         f"got {shown(value)}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"expected a number of requests per second > 0, got {shown(value)}")
    return float(value)


Bytes = Annotated[int, BeforeValidator(byte_count)]
RequestRate = Annotated[float, BeforeValidator(request_rate)]
Size = Annotated[int, BeforeValidator(size)]
PositiveSeconds = Annotated[Seconds, Field(gt=0)]
Rate = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction01 = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
_CATALOGUE, _LOAD, _SERVICE = CatalogueParams(), BackgroundLoad(), ServiceParams()
_POLICY, _MEMORY, _STORE, _ROUTER = ClientPolicy(), MemoryParams(), ObjectStoreParams(), RouterParams()
KindName = Literal[tuple(k.name.lower() for k in Kind)]  # type: ignore[valid-type]
StorageOpName = Literal[tuple(o.name for o in StorageOp)]  # type: ignore[valid-type]


class LayerSizeSpec(Strict):
    median: Bytes = int(_CATALOGUE.layer_median_bytes)
    sigma: Annotated[float, Field(ge=0, le=5, allow_inf_nan=False)] = _CATALOGUE.layer_sigma
    min: Bytes = _CATALOGUE.min_layer_bytes
    max: Bytes = _CATALOGUE.max_layer_bytes


LayerRange = Annotated[list[Annotated[Int32, Field(ge=1)]], Field(min_length=2, max_length=2)]
SizeRange = Annotated[list[Bytes], Field(min_length=2, max_length=2)]


class CatalogueSpec(Strict):
    """The image catalogue (`model/registry/catalogue.py`): ranges are [low, high], low <= high."""

    base_images: Int32 = Field(_CATALOGUE.base_images, ge=1)
    images: Int32 = Field(_CATALOGUE.images, ge=0)
    base_layers: LayerRange = list(_CATALOGUE.base_layers)
    own_layers: LayerRange = list(_CATALOGUE.own_layers)
    base_size: SizeRange = [int(_CATALOGUE.base_bytes[0]), int(_CATALOGUE.base_bytes[1])]
    layer_size: LayerSizeSpec = Field(default_factory=LayerSizeSpec)
    seed: Seed | None = None

    @model_validator(mode="after")
    def ranges_in_order(self) -> CatalogueSpec:
        for name in ("base_layers", "own_layers", "base_size"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ValueError(f"{name}: expected [low, high] with 0 < low <= high, got [{low}, {high}]")
        if not 0 < self.layer_size.min <= self.layer_size.max:
            raise ValueError(f"layer_size: expected 0 < min <= max, got min {self.layer_size.min}, max {self.layer_size.max}")
        return self

    def to_params(self) -> CatalogueParams:
        return CatalogueParams(base_images=self.base_images, images=self.images, base_layers=tuple(self.base_layers),
                               own_layers=tuple(self.own_layers), base_bytes=(float(self.base_size[0]), float(self.base_size[1])),
                               layer_median_bytes=float(self.layer_size.median), layer_sigma=self.layer_size.sigma,
                               min_layer_bytes=self.layer_size.min, max_layer_bytes=self.layer_size.max, seed=self.seed)


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


class RampSpec(Strict):
    """Linear from `from` (before `begin`) to `to` (after `end`)."""

    from_: Rate = Field(alias="from")
    to: Rate
    begin: Seconds = 0.0
    end: PositiveSeconds

    @model_validator(mode="after")
    def ordered(self):
        if self.end <= self.begin:
            raise ValueError(f"end: expected a time after begin ({self.begin:g} s), got {self.end:g} s")
        return self


class StepSpec(Strict):
    at: Seconds
    rate: Rate


class ProfileSpec(Strict):
    """Exactly one of constant, diurnal, bursts, steps, ramp."""

    constant: Rate | None = None
    diurnal: DiurnalSpec | None = None
    bursts: BurstsSpec | None = None
    steps: Annotated[list[StepSpec], Field(min_length=1)] | None = None
    ramp: RampSpec | None = None

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
        if self.ramp is not None:
            return Ramp(self.ramp.from_, self.ramp.to, self.ramp.begin, self.ramp.end)
        return Steps(tuple((s.at, s.rate) for s in self.steps))


PROFILE_KINDS = ("constant", "diurnal", "bursts", "steps", "ramp")


def _idle() -> ProfileSpec:
    return ProfileSpec(constant=0.0)


class BackgroundSpec(Strict):
    pulls: ProfileSpec = Field(default_factory=_idle)
    pushes: ProfileSpec = Field(default_factory=_idle)
    cached_layer_fraction: Fraction01 = _LOAD.cached_layer_fraction
    new_layer_fraction: Fraction01 = _LOAD.new_layer_fraction
    popularity_exponent: Annotated[float, Field(ge=0, allow_inf_nan=False)] = _LOAD.popularity_exponent
    images_per_session: Int32 = Field(_LOAD.images_per_session, ge=1)

    def to_params(self) -> BackgroundLoad:
        return BackgroundLoad(self.pulls.to_profile(), self.pushes.to_profile(), self.cached_layer_fraction,
                              self.new_layer_fraction, self.popularity_exponent, self.images_per_session)


class ClientSpec(Strict):
    """containers/image's behaviour (`model/registry/clients.py`)."""

    attempts: Int32 = Field(_POLICY.attempts, ge=1)
    honour_retry_after: bool = _POLICY.honour_retry_after
    initial_backoff: Seconds = _POLICY.initial_backoff
    max_backoff: Seconds = _POLICY.max_backoff
    lanes: Int32 = Field(_POLICY.lanes, ge=1)
    think: Seconds = _POLICY.think
    bandwidth: Bandwidth = _POLICY.bandwidth
    via: Literal["service", "route"] = "service"

    def to_params(self) -> ClientPolicy:
        return ClientPolicy(self.attempts, self.initial_backoff, self.max_backoff, self.honour_retry_after, self.lanes,
                            self.think, self.bandwidth, self.via == "route")


class ClientsSpec(Strict):
    kubelet: ClientSpec = Field(default_factory=ClientSpec)
    pull: ClientSpec = Field(default_factory=ClientSpec)
    push: ClientSpec = Field(default_factory=ClientSpec)

    def to_params(self) -> Clients:
        return Clients(self.kubelet.to_params(), self.pull.to_params(), self.push.to_params())

    @property
    def via_route(self) -> list[str]:
        return [name for name, spec in (("pull", self.pull), ("push", self.push)) if spec.via == "route"]


class ClaimedHostSpec(Strict):
    """A host an older route elsewhere in the cluster already exposes."""

    host: str
    namespace: str = "other"
    name: str = "older-route"


class RouterSpec(Strict):
    """The ingress router (`model/registry/router.py`): the cluster's apps domain (the
    generated route hosts), hosts older routes already hold, and HAProxy's settings."""

    domain: str = DEFAULT_APPS_DOMAIN
    claimed_hosts: list[ClaimedHostSpec] = Field(default_factory=list)
    connect_timeout: PositiveSeconds = _ROUTER.connect_timeout
    server_timeout: PositiveSeconds = _ROUTER.server_timeout
    retries: Int32 = Field(_ROUTER.retries, ge=0)
    maxconn: Int32 = Field(_ROUTER.maxconn, ge=1)
    check_interval: PositiveSeconds = _ROUTER.check_interval
    reload_interval: Seconds = _ROUTER.reload_interval

    def to_params(self) -> RouterParams:
        return RouterParams(self.connect_timeout, self.server_timeout, self.retries, self.maxconn, self.check_interval,
                            reload_interval=self.reload_interval)

    def claims(self) -> tuple[ClaimedHost, ...]:
        return tuple(ClaimedHost(c.host, c.namespace, c.name) for c in self.claimed_hosts)


class LatencySpec(Strict):
    median: PositiveSeconds
    p99: PositiveSeconds

    @model_validator(mode="after")
    def ordered(self):
        if not 0 < self.median <= self.p99:
            raise ValueError(f"p99: expected p99 >= median > 0, got median {self.median:g} s and p99 {self.p99:g} s")
        return self


CoreSeconds = Annotated[float, BeforeValidator(core_seconds)]


class ServiceSpec(Strict):
    cpu: dict[KindName, CoreSeconds] = Field(default_factory=dict)
    storage_latency: dict[StorageOpName, LatencySpec] = Field(default_factory=dict)
    storage_stream_bandwidth: Bandwidth = _SERVICE.storage_read_bytes_per_second
    tls_handshake: CoreSeconds = _SERVICE.tls_handshake
    cpu_per_byte: CoreSeconds = _SERVICE.cpu_per_byte
    delay: dict[KindName, LatencySpec | PositiveSeconds] = Field(default_factory=dict)

    def to_params(self) -> ServiceParams:
        cpu = {**DEFAULT_CPU, **{Kind[name.upper()]: seconds for name, seconds in self.cpu.items()}}
        given = {StorageOp[name]: Latency(spec.median, spec.p99) for name, spec in self.storage_latency.items()}
        delay = {**NO_DELAY, **{Kind[name.upper()]: _latency(spec) for name, spec in self.delay.items()}}
        return ServiceParams(cpu, {**DEFAULT_STORAGE_LATENCY, **given}, self.storage_stream_bandwidth, self.tls_handshake,
                             self.cpu_per_byte, delay, {**DEFAULT_FILESYSTEM_LATENCY, **given})


def _latency(spec: LatencySpec | float) -> Latency:
    """A log-normal latency, or a fixed one (median = p99) from a plain duration."""
    return Latency(spec, spec) if isinstance(spec, float) else Latency(spec.median, spec.p99)


class MemorySpec(Strict):
    """A registry pod's memory (`resources/memory.py`); the S3 chunk size comes from the
    Config (`storage.s3.chunkSizeMiB`), not from here."""

    working_set: Bytes = _MEMORY.working_set
    request_overhead: Size = _MEMORY.request_overhead

    def to_params(self) -> MemoryParams:
        return MemoryParams(self.working_set, self.request_overhead)


class StorageSpec(Strict):
    """The object store's request-rate ceilings and the driver's retries (`resources/objectstore.py`)."""

    read_rate: RequestRate = _STORE.read_rate
    write_rate: RequestRate = _STORE.write_rate
    partitions: Int32 = Field(_STORE.partitions, ge=1)
    max_partitions: Int32 = Field(_STORE.max_partitions, ge=1)
    split_after: Seconds = _STORE.split_after
    max_retries: Int32 = Field(_STORE.max_retries, ge=0)

    @model_validator(mode="after")
    def within(self):
        if self.partitions > self.max_partitions:
            raise ValueError(f"partitions: expected at most max_partitions ({self.max_partitions}), got {self.partitions}")
        return self

    def to_params(self) -> ObjectStoreParams:
        return ObjectStoreParams(self.read_rate, self.write_rate, self.partitions, self.max_partitions, self.split_after,
                                 self.max_retries)


class ReplaySpec(Strict):
    """`traffic.replay`: an access log's requests sent again (`sim/traffic/replay.py`);
    `access_log` relative to the scenario file, `speed` > 0 divides its times."""

    access_log: str
    speed: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0


CLIENT_NAMES = {"pull": Client.PULL, "push": Client.PUSH, "kubelet": Client.KUBELET, "scrape": Client.SCRAPE,
                "prune": Client.PRUNE}
RoleName = Literal[tuple(ROLE_VERBS)]  # type: ignore[valid-type]


class AuthSpec(Strict):
    """`traffic.auth` (`model/registry/auth.py`): each request's API reviews and the roles
    each client's token holds. `api_reviews: false` for a registry without OpenShift's
    auth (as the validation's upstream registry)."""

    api_reviews: bool = True
    review_latency: LatencySpec | None = None
    roles: dict[Literal["pull", "push", "kubelet", "scrape", "prune"], list[RoleName]] = Field(default_factory=dict)

    def latency(self) -> Latency | None:
        if not self.api_reviews:
            return None
        if self.review_latency is None:
            return DEFAULT_REVIEW_LATENCY
        return Latency(self.review_latency.median, self.review_latency.p99)

    def to_roles(self) -> dict[Client, tuple[str, ...]]:
        return {**DEFAULT_ROLES, **{CLIENT_NAMES[name]: tuple(roles) for name, roles in self.roles.items()}}


class TrafficSpec(Strict):
    """`warm_up`: the simulated time the cluster takes to come up; background load starts
    after it, and kubelet pulls of internal images before it need no requests (they stand
    for the state the cluster was in before the twin started). `scrape_interval`: the
    ServiceMonitor's (30 s)."""

    warm_up: Seconds = 120.0
    scrape_interval: Annotated[Seconds, Field(ge=MIN_SCRAPE_INTERVAL)] = 30.0
    catalogue: CatalogueSpec = Field(default_factory=CatalogueSpec)
    background: BackgroundSpec = Field(default_factory=BackgroundSpec)
    clients: ClientsSpec = Field(default_factory=ClientsSpec)
    service: ServiceSpec = Field(default_factory=ServiceSpec)
    memory: MemorySpec = Field(default_factory=MemorySpec)
    storage: StorageSpec = Field(default_factory=StorageSpec)
    replay: ReplaySpec | None = None
    auth: AuthSpec = Field(default_factory=AuthSpec)
    router: RouterSpec = Field(default_factory=RouterSpec)

    def to_params(self) -> TrafficParams:
        service = replace(self.service.to_params(), review_latency=self.auth.latency())
        return TrafficParams(self.catalogue.to_params(), self.background.to_params(), self.clients.to_params(),
                             service, self.memory.to_params(), self.storage.to_params(), self.auth.to_roles(),
                             self.router.to_params())
