"""The registry Config (`configs.imageregistry.operator.openshift.io/cluster`) as a frozen
`RegistryConfig`: the spec fields of spec/registry-operator.md §1.1 that change what the
operator renders or verifies, read from YAML/JSON as `oc get ... -o yaml|json` prints it.
Pass-through fields (nodeSelector, affinity, topologySpreadConstraints, tolerations,
resources) are validated with the Kubernetes schemas, the API server's rules included
(`kube_io/validation.py`), but kept raw: nil vs empty matters (§1.1, §2.3). The Config's
CRD itself checks only their types; the operator copies them into the Deployment's pod
template, which the API server would refuse, so the twin refuses them with the Config."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, field_validator

from twin.errors import InputError
from twin.model.bounds import MAX_PODS, Int32
from twin.model.kube_io import schema as k
from twin.model.kube_io import validation as v
from twin.model.kube_io.errors import format_validation_error
from twin.model.kube_io.files import iter_manifests
from twin.model.quoting import shown
from twin.model.registry.duration import format_go_duration, parse_go_duration

API_VERSION = "imageregistry.operator.openshift.io/v1"
STORAGE_BACKENDS = ("emptyDir", "s3", "gcs", "swift", "pvc", "azure", "ibmcos", "oss")
DEFAULT_CLAIM = "image-registry-storage"

def one_of(*allowed: str, empty_ok: bool = False) -> BeforeValidator:
    """A string enum with the message "expected A or B, got 'x'" (`""` accepted silently
    when `empty_ok`, as the Go zero value of an omitempty field)."""
    expected = allowed[0] if len(allowed) == 1 else ", ".join(allowed[:-1]) + " or " + allowed[-1]

    def check(value: Any) -> Any:
        if not isinstance(value, str) or (value not in allowed and not (empty_ok and value == "")):
            raise ValueError(f"expected {expected}, got {shown(value)}")
        return value

    return BeforeValidator(check)


GoDuration = Annotated[int, BeforeValidator(parse_go_duration)]
RawMap = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RequestLimits:
    """`spec.requests.read` or `.write` (§1.1, §4.2). All zero means no limiting."""

    max_running: int = 0
    max_in_queue: int = 0
    max_wait_in_queue_ns: int = 0

    @property
    def limited(self) -> bool:
        """The operator emits the three env vars only when this holds (§1.1)."""
        return self.max_running != 0 or self.max_in_queue != 0

    @property
    def max_wait_in_queue_seconds(self) -> float:
        return self.max_wait_in_queue_ns / 1e9

    @property
    def max_wait_in_queue(self) -> str:
        """Go `Duration.String()`: 0 -> "0s", 90 s -> "1m30s", 0.5 s -> "500ms"."""
        return format_go_duration(self.max_wait_in_queue_ns)


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    hostname: str = ""
    secret_name: str = ""


@dataclass(frozen=True, slots=True)
class Storage:
    """Which one-of backends are set (in API field order) and storage.managementState.
    `pvc_claim` is the claim name when `pvc` is set ("" lets the operator use its
    default claim `image-registry-storage`), None otherwise."""

    backends: tuple[str, ...] = ()
    management_state: str = ""
    pvc_claim: str | None = None
    s3_chunk_size_mib: int | None = None  # storage.s3.chunkSizeMiB
    supplied: bool = False  # the user named the storage (a bucket, container, account, claim): it exists
    # spec.storage.<backends[0]> as written (bucket, region ...), read only by render; left out of ==
    settings: RawMap | None = field(default=None, compare=False)

    @property
    def claim_name(self) -> str | None:
        """The claim the pvc driver uses, with the operator default filled in."""
        return None if self.pvc_claim is None else (self.pvc_claim or DEFAULT_CLAIM)


@dataclass(frozen=True, slots=True)
class Proxy:
    http: str = ""
    https: str = ""
    no_proxy: str = ""


@dataclass(frozen=True, slots=True)
class RegistryConfig:
    """The spec of the registry Config (spec/registry-operator.md §1.1).

    None and empty are kept apart where the operator tells them apart: `node_selector`
    None keeps the default spread constraints, `{}` drops them; `affinity` None (with 2
    replicas) gets the default anti-affinity; `topology_spread_constraints` None gets
    the defaults, `()` replaces them with none; `resources` None gets 100m/256Mi.
    """

    replicas: int
    management_state: str = "Managed"
    log_level: str = "Normal"
    logging: int = 0
    rollout_strategy: str = ""
    node_selector: Mapping[str, str] | None = None
    tolerations: tuple[RawMap, ...] = ()
    affinity: RawMap | None = None
    topology_spread_constraints: tuple[RawMap, ...] | None = None
    resources: RawMap | None = None
    read: RequestLimits = RequestLimits()
    write: RequestLimits = RequestLimits()
    read_only: bool = False
    disable_redirect: bool = False
    default_route: bool = False
    routes: tuple[Route, ...] = ()
    storage: Storage = Storage()
    proxy: Proxy = Proxy()
    http_secret: str = ""
    observed_config: RawMap | None = field(default=None, compare=False)  # spec.observedConfig, read by render


def default_rosa_config() -> RegistryConfig:
    """The Config the operator bootstraps on AWS, ROSA included: `s3: {}`, 2 replicas,
    Managed, RollingUpdate, logLevel Normal, no nodeSelector, spread constraints or
    affinity (spec/registry-operator.md §2.1). The s3 driver creates the bucket and so
    marks storage Managed (§1.1 `storage.managementState`)."""
    storage = Storage(("s3",), "Managed")
    return RegistryConfig(2, "Managed", "Normal", rollout_strategy="RollingUpdate", storage=storage)


class RequestLimitsSchema(k.Schema):
    max_running: Int32 = 0
    max_in_queue: Int32 = 0
    max_wait_in_queue: GoDuration | None = None

    def to_domain(self) -> RequestLimits:
        return RequestLimits(self.max_running, self.max_in_queue, self.max_wait_in_queue or 0)


class RequestsSchema(k.Schema):
    read: RequestLimitsSchema = Field(default_factory=RequestLimitsSchema)
    write: RequestLimitsSchema = Field(default_factory=RequestLimitsSchema)


class RouteSchema(k.Schema):
    name: str
    hostname: str = ""
    secret_name: str = ""

    def to_domain(self) -> Route:
        return Route(self.name, self.hostname, self.secret_name)


class PVCSchema(k.Schema):
    claim: str = ""


BACKEND_FIELDS: dict[str, dict[str, type]] = {
    "s3": {"bucket": str, "region": str, "regionEndpoint": str, "keyID": str, "encrypt": bool,
           "virtualHostedStyle": bool, "cloudFront": dict, "trustedCA": dict},
    "gcs": {"bucket": str, "region": str, "projectID": str, "keyID": str},
    "swift": {"authURL": str, "authVersion": str, "container": str, "domain": str, "domainID": str, "tenant": str,
              "tenantID": str, "regionName": str},
    "azure": {"accountName": str, "container": str, "cloudName": str, "networkAccess": dict},
    "ibmcos": {"bucket": str, "location": str, "resourceGroupName": str, "resourceKeyCRN": str,
               "serviceInstanceCRN": str},
    "oss": {"bucket": str, "region": str, "endpointAccessibility": str, "encryption": dict},
}
"""The typed fields of each storage backend (openshift/api imageregistry/v1 `types.go`):
the CRD's structural schema makes the API server refuse another type, and prune a null
(the fields are not nullable), before the operator reads them."""
CLOUDFRONT_FIELDS = {"baseURL": str, "keypairID": str, "duration": str, "privateKey": dict}
SECRET_KEY_FIELDS = {"name": str, "key": str}
TYPE_NAMES = {str: "a string", bool: "true or false", dict: "an object"}


def typed_fields(value: RawMap, fields: dict[str, type], at: tuple[str, ...] = ()) -> RawMap:
    """`value` without its nulls, its `fields` of their types (a validation error at the
    field otherwise)."""
    value = {key: item for key, item in value.items() if item is not None}
    for key, kind in fields.items():
        if key in value and not isinstance(value[key], kind):
            v.refuse(at + (key,), f"expected {TYPE_NAMES[kind]}, got {shown(value[key])}", value[key])
    return value


class StorageSchema(k.Schema):
    empty_dir: RawMap | None = None
    s3: RawMap | None = None
    gcs: RawMap | None = None
    swift: RawMap | None = None
    pvc: PVCSchema | None = None
    azure: RawMap | None = None
    ibmcos: RawMap | None = None
    oss: RawMap | None = None
    management_state: Annotated[str, one_of("Managed", "Unmanaged", empty_ok=True)] = ""

    @field_validator("s3")
    @classmethod
    def _chunk_size(cls, value: RawMap | None) -> RawMap | None:
        """`chunkSizeMiB`: int32, 5..5120 (the API's validation, spec/registry-operator.md §1.1)."""
        chunk = (value or {}).get("chunkSizeMiB")
        if chunk is not None and (isinstance(chunk, bool) or not isinstance(chunk, int) or not 5 <= chunk <= 5120):
            raise ValueError(f"chunkSizeMiB: expected a whole number of MiB from 5 to 5120, got {shown(chunk)}")
        return value

    @field_validator("s3", "gcs", "swift", "azure", "ibmcos", "oss")
    @classmethod
    def _crd_types(cls, value: RawMap | None, info) -> RawMap | None:
        """The fields the drivers read (`drivers.py`) have the CRD's types."""
        if value is None:
            return None
        value = typed_fields(value, BACKEND_FIELDS[info.field_name])
        if "cloudFront" in value:
            cloudfront = typed_fields(value["cloudFront"], CLOUDFRONT_FIELDS, ("cloudFront",))
            if "privateKey" in cloudfront:
                cloudfront["privateKey"] = typed_fields(cloudfront["privateKey"], SECRET_KEY_FIELDS,
                                                        ("cloudFront", "privateKey"))
            if cloudfront.get("duration"):
                try:
                    parse_go_duration(cloudfront["duration"])
                except ValueError as exc:
                    v.refuse(("cloudFront", "duration"), str(exc), cloudfront["duration"])
            value["cloudFront"] = cloudfront
        version = value.get("authVersion")
        if info.field_name == "swift" and version and not (version.isascii() and version.isdigit()):
            v.refuse(("authVersion",), f"expected a Keystone API version such as 3, got {shown(version)}", version)
        return value

    def to_domain(self) -> Storage:
        values = (self.empty_dir, self.s3, self.gcs, self.swift, self.pvc, self.azure, self.ibmcos, self.oss)
        backends = tuple(name for name, value in zip(STORAGE_BACKENDS, values) if value is not None)
        claim = None if self.pvc is None else self.pvc.claim
        settings = copy.deepcopy(values[STORAGE_BACKENDS.index(backends[0])]) if backends else None
        if isinstance(settings, PVCSchema):
            settings = {"claim": settings.claim}
        return Storage(
            backends, self.management_state, claim, (self.s3 or {}).get("chunkSizeMiB"), self._supplied(), settings
        )

    def _supplied(self) -> bool:
        """Whether the user named existing storage (`complete.py`): a bucket (s3, gcs,
        ibmcos, oss), a container (swift), an account and container (azure), a claim."""
        named = {"s3": "bucket", "gcs": "bucket", "ibmcos": "bucket", "oss": "bucket", "swift": "container"}
        for backend, key in named.items():
            value = getattr(self, backend)
            if value is not None and value.get(key):
                return True
        if self.azure is not None and self.azure.get("accountName") and self.azure.get("container"):
            return True
        return self.pvc is not None and bool(self.pvc.claim)


class SpecSchema(k.Schema):
    # int32 in the API; beyond Kubernetes' largest cluster a Deployment could not run and
    # the twin would schedule replicas for ever (a negative count is the operator's to refuse)
    replicas: Annotated[Int32, Field(le=MAX_PODS)]
    management_state: Annotated[str, one_of("Managed", "Unmanaged", "Force", "Removed")] = "Managed"
    log_level: Annotated[str, one_of("Normal", "Debug", "Trace", "TraceAll", empty_ok=True)] = "Normal"
    logging: int = 0
    rollout_strategy: Annotated[str, one_of("RollingUpdate", "Recreate", empty_ok=True)] = ""
    node_selector: k.Labels | None = None  # the Deployment's pod template would be refused otherwise
    tolerations: list[k.TolerationSchema] | None = None
    affinity: k.AffinitySchema | None = None
    topology_spread_constraints: Annotated[list[k.TopologySpreadConstraintSchema] | None,
                                           AfterValidator(k.unique_spread_constraints)] = None
    resources: k.ResourceRequirementsSchema | None = None
    requests: RequestsSchema = Field(default_factory=RequestsSchema)
    read_only: bool = False
    disable_redirect: bool = False
    default_route: bool = False
    routes: list[RouteSchema] | None = None
    storage: StorageSchema = Field(default_factory=StorageSchema)
    proxy: dict[str, str] | None = None
    http_secret: str = ""
    observed_config: RawMap | None = None

    def to_domain(self, raw: Mapping[str, Any]) -> RegistryConfig:
        return RegistryConfig(
            replicas=self.replicas, management_state=self.management_state, log_level=self.log_level,
            logging=self.logging, rollout_strategy=self.rollout_strategy,
            node_selector=None if self.node_selector is None else dict(self.node_selector),
            tolerations=_tuple_or_none(raw.get("tolerations")) or (), affinity=copy.deepcopy(raw.get("affinity")),
            topology_spread_constraints=_tuple_or_none(raw.get("topologySpreadConstraints")),
            resources=copy.deepcopy(raw.get("resources")),
            read=self.requests.read.to_domain(), write=self.requests.write.to_domain(),
            read_only=self.read_only, disable_redirect=self.disable_redirect, default_route=self.default_route,
            routes=tuple(r.to_domain() for r in self.routes or ()), storage=self.storage.to_domain(),
            proxy=_proxy(self.proxy or {}), http_secret=self.http_secret,
            observed_config=copy.deepcopy(raw.get("observedConfig")),
        )


class MetadataSchema(k.Schema):
    name: Annotated[str, one_of("cluster")] = "cluster"


class ConfigSchema(k.Schema):
    kind: Annotated[str, one_of("Config")]
    api_version: Annotated[str, one_of(API_VERSION)] = API_VERSION
    metadata: MetadataSchema = Field(default_factory=MetadataSchema)
    spec: SpecSchema


def _proxy(proxy: Mapping[str, str]) -> Proxy:
    return Proxy(proxy.get("http", ""), proxy.get("https", ""), proxy.get("noProxy", ""))


def _tuple_or_none(value: Any) -> tuple[RawMap, ...] | None:
    return None if value is None else tuple(copy.deepcopy(value))


def parse_registry_config(body: Any, source: str = "") -> RegistryConfig:
    """A `RegistryConfig` from one Config object already read from YAML/JSON (e.g. from
    a scenario file); errors name `source` and the field path."""
    if not isinstance(body, dict):
        raise InputError(source, "", f"expected a Config object (a mapping), got {type(body).__name__}")
    try:
        parsed = ConfigSchema.model_validate(body)
    except ValidationError as exc:
        path, message = format_validation_error(exc)
        raise InputError(source, path, message) from None
    return parsed.spec.to_domain(body["spec"])


def load_registry_config(file: str | Path) -> RegistryConfig:
    """The single Config in a JSON or YAML file (a bare object, a List with one item or a
    one-document stream). Raises `InputError(file, field_path, message)`."""
    found = list(iter_manifests(file))
    if len(found) != 1:
        raise InputError(str(file), "", f"expected exactly one Config, found {len(found)} objects")
    located = found[0]
    try:
        return parse_registry_config(located.body, located.source)
    except InputError as exc:
        raise InputError(exc.source, located.where(exc.path), exc.message) from None

