"""What a running registry pod does with requests, read from its container's env the way
the registry binary reads its configuration (`spec/registry-operator.md` §4.2–§4.4).

Reading the pod rather than the Config CR means behaviour follows the rollout: during a
rolling update old and new pods serve with their own settings, as on a real cluster.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from twin.model.objects import Pod
from twin.model.registry.duration import parse_go_duration

OBJECT_STORE_DRIVERS = frozenset({"s3", "gcs", "azure", "swift", "oss"})
"""Object-store drivers (IBM COS is configured as `s3`); filesystem (emptyDir, PVC) is not."""
REDIRECTING_DRIVERS = frozenset({"s3", "gcs", "azure", "oss"})
"""Drivers whose `URLFor` signs a URL as the operator configures them (§4.4; vendored
distribution `registry/storage/driver/*`): s3-aws and azure always, gcs with the service
account key file the operator mounts. swift signs only with a TempURL key
(`swift.go` `URLFor`: `if d.SecretKey == ""` returns ErrUnsupportedMethod), which the
operator never sets (CIRO `pkg/storage/swift`), so a Swift-backed registry streams every
blob itself; filesystem streams."""

REQUESTS_PREFIX = "REGISTRY_OPENSHIFT_REQUESTS_"


@dataclass(frozen=True, slots=True)
class Limits:
    """One limiter (§4.2). `max_running <= 0`: no limiter at all; `max_in_queue == 0`:
    no queue; `max_wait == 0`: wait forever."""

    max_running: int = 0
    max_in_queue: int = 0
    max_wait: float = 0.0

    @property
    def unlimited(self) -> bool:
        return self.max_running <= 0


STORAGE_VOLUME = "registry-storage"
"""The pod volume the filesystem driver's root is on (CIRO `pkg/storage/emptydir`, `pvc`)."""
S3_DEFAULT_CHUNK = 10 << 20
"""distribution's s3-aws driver: `defaultChunkSize = 2 * minChunkSize` (10 MiB)."""


@dataclass(frozen=True, slots=True)
class RegistrySettings:
    read: Limits = Limits()
    write: Limits = Limits()
    read_only: bool = False
    redirect: bool = True
    chunk_size: int = S3_DEFAULT_CHUNK  # REGISTRY_STORAGE_S3_CHUNKSIZE: the S3 driver's multipart part size
    object_store: bool = True  # an object-store driver: its calls meet the store's request-rate ceilings
    own_storage: bool = False  # its storage is the pod's own (an emptyDir `registry-storage` volume)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RegistrySettings:
        """>>> s = RegistrySettings.from_env({"REGISTRY_STORAGE": "s3",
        ...     "REGISTRY_OPENSHIFT_REQUESTS_READ_MAXRUNNING": "8",
        ...     "REGISTRY_OPENSHIFT_REQUESTS_READ_MAXINQUEUE": "32",
        ...     "REGISTRY_OPENSHIFT_REQUESTS_READ_MAXWAITINQUEUE": "1s"})
        >>> s.read, s.write.unlimited, s.redirect
        (Limits(max_running=8, max_in_queue=32, max_wait=1.0), True, True)
        """
        driver = env.get("REGISTRY_STORAGE", "filesystem")
        return cls(
            read=_limits(env, "READ"),
            write=_limits(env, "WRITE"),
            read_only="REGISTRY_STORAGE_MAINTENANCE_READONLY" in env,
            redirect=driver in REDIRECTING_DRIVERS and env.get("REGISTRY_STORAGE_REDIRECT_DISABLE") != "true",
            chunk_size=int(env.get("REGISTRY_STORAGE_S3_CHUNKSIZE", S3_DEFAULT_CHUNK)),
            object_store=driver in OBJECT_STORE_DRIVERS,
        )

    @classmethod
    def of_pod(cls, pod: Pod) -> RegistrySettings:
        """The settings of the pod's `registry` container (its first container otherwise)."""
        containers = [c for c in pod.containers if c.name == "registry"] or list(pod.containers[:1])
        settings = cls.from_env(dict(containers[0].env) if containers else {})
        own = any(v.name == STORAGE_VOLUME and v.kind == "emptyDir" for v in pod.volumes)
        return replace(settings, own_storage=own) if own else settings


def _limits(env: Mapping[str, str], kind: str) -> Limits:
    """Unset variables are zero, as the binary's config defaults are (§4.2)."""
    prefix = f"{REQUESTS_PREFIX}{kind}_"
    wait = env.get(prefix + "MAXWAITINQUEUE", "0s")
    return Limits(
        max_running=int(env.get(prefix + "MAXRUNNING", "0")),
        max_in_queue=int(env.get(prefix + "MAXINQUEUE", "0")),
        max_wait=parse_go_duration(wait) / 1e9 if wait not in ("", "0") else 0.0,
    )
