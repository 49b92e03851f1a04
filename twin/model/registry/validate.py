"""What the operator refuses in a Config, as values (spec/registry-operator.md §1.1, §3).

`validate` reports every problem it finds, in the order the operator meets them:
verification (`verifyResource`, permanent errors), the request limits checked while the
pod template is built (apply errors), then storage (driver selection and the pvc
driver's `checkPVC`). The operator stops at the first failing step; listing them all
lets a user fix the Config in one go.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from twin.model.registry.config import STORAGE_BACKENDS, RegistryConfig, RequestLimits

VERIFICATION_FAILED = "VerificationFailed"
STORAGE_NOT_CONFIGURED = "StorageNotConfigured"
MULTI_STORAGES = "MultiStoragesError"
PVC_ISSUES = "PVC Issues Found"
APPLY_ERROR = "Error"  # Progressing=True/Error for a retriable apply error (§3)

RWO, RWX = "ReadWriteOnce", "ReadWriteMany"
RESERVED_ROUTE = "default-route"
NO_CLAIMS: Mapping[str, tuple[str, ...]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One reason the operator would not (fully) roll out the Config.

    `reason` is the condition reason the operator reports, `permanent` tells a permanent
    error (Degraded=True with that reason, no retry) from a retriable one.
    `message` is a sentence that names the field, e.g.
    "spec.replicas: must not be negative, got -1".
    """

    reason: str
    field_path: str
    message: str
    permanent: bool

    def __str__(self) -> str:
        return self.message


def validate(config: RegistryConfig, claims: Mapping[str, tuple[str, ...]] = NO_CLAIMS) -> list[ConfigProblem]:
    """Every problem the operator would find in `config`, in its order of checking.

    `claims` maps a PersistentVolumeClaim name to its access modes. A claim that is not
    listed is taken to be the claim the pvc driver creates itself: 100Gi ReadWriteMany
    (§1.1, `pvc.go` `createPVC`).
    """
    return [*_verify(config), *_request_limits(config), *_storage(config, claims)]


def _problem(reason: str, path: str, text: str, permanent: bool) -> ConfigProblem:
    return ConfigProblem(reason, path, f"{path}: {text}", permanent)


def _verify(config: RegistryConfig) -> Iterator[ConfigProblem]:
    """`verifyResource` (§1.1 `replicas`, `routes[]`; §3 Managed): permanent errors."""
    if config.replicas < 0:
        yield _problem(VERIFICATION_FAILED, "spec.replicas", f"must not be negative, got {config.replicas}", True)
    yield from _routes(config)


def _routes(config: RegistryConfig) -> Iterator[ConfigProblem]:
    first_use: dict[str, int] = {}
    for index, route in enumerate(config.routes):
        path = f"spec.routes[{index}].name"
        if route.name == RESERVED_ROUTE:
            text = f"the name {RESERVED_ROUTE!r} is reserved for the route spec.defaultRoute creates"
            yield _problem(VERIFICATION_FAILED, path, text, True)
        elif route.name in first_use:
            text = f"duplicate route name {route.name!r}, already used by spec.routes[{first_use[route.name]}]"
            yield _problem(VERIFICATION_FAILED, path, text, True)
        first_use.setdefault(route.name, index)


def _request_limits(config: RegistryConfig) -> Iterator[ConfigProblem]:
    """Negative maxRunning/maxInQueue: an apply error ("must be positive number") raised
    while the pod template is built, only when the limits are in use (§1.1 `requests`)."""
    for kind, limits in (("read", config.read), ("write", config.write)):
        yield from _negative_limits(f"spec.requests.{kind}", limits)


def _negative_limits(prefix: str, limits: RequestLimits) -> Iterator[ConfigProblem]:
    if not limits.limited:
        return
    for name, value in (("maxRunning", limits.max_running), ("maxInQueue", limits.max_in_queue)):
        if value < 0:
            yield _problem(APPLY_ERROR, f"{prefix}.{name}", f"must not be negative, got {value}", False)


def _storage(config: RegistryConfig, claims: Mapping[str, tuple[str, ...]]) -> Iterator[ConfigProblem]:
    """Driver selection (`pkg/storage/storage.go`): zero backends is the permanent
    `StorageNotConfigured`, more than one a MultiStoragesError; then the pvc checks."""
    backends = config.storage.backends
    if not backends:
        text = f"no storage backend is configured; set exactly one of {', '.join(STORAGE_BACKENDS)}"
        yield _problem(STORAGE_NOT_CONFIGURED, "spec.storage", text, True)
    elif len(backends) > 1:
        text = f"exactly one storage backend may be set, got {len(backends)}: {', '.join(backends)}"
        yield _problem(MULTI_STORAGES, "spec.storage", text, False)
    elif config.storage.claim_name is not None:
        modes = claims.get(config.storage.claim_name, (RWX,))
        yield from _check_pvc(config, config.storage.claim_name, tuple(modes))


def _check_pvc(config: RegistryConfig, claim: str, modes: tuple[str, ...]) -> Iterator[ConfigProblem]:
    """`pvc.go` `checkPVC` (§1.1 "RWO PVC"): RWX is always fine; RWO-only needs at most
    one replica and the Recreate strategy; neither mode is an error. StorageExists=False
    with reason "PVC Issues Found", a retriable apply error."""
    if RWX in modes:
        return
    if RWO not in modes:
        text = f"claim {claim!r} has neither {RWO} nor {RWX} access mode, got {_modes(modes)}"
        yield _problem(PVC_ISSUES, "spec.storage.pvc.claim", text, False)
        return
    if config.replicas > 1:
        text = f"claim {claim!r} is {RWO} only, so at most 1 replica can use it, got {config.replicas}"
        yield _problem(PVC_ISSUES, "spec.replicas", text, False)
    if config.rollout_strategy != "Recreate":
        strategy = config.rollout_strategy or "'' (RollingUpdate)"
        text = f"claim {claim!r} is {RWO} only, so the strategy must be Recreate, got {strategy}"
        yield _problem(PVC_ISSUES, "spec.rolloutStrategy", text, False)


def _modes(modes: tuple[str, ...]) -> str:
    return ", ".join(modes) if modes else "none"
