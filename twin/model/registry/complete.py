"""What the operator writes into the Config's spec at a Managed sync before it renders
anything (CIRO `pkg/operator/complete.go` `applyDefaults`, the storage drivers'
`CreateStorage`):

* `httpSecret`, when empty: 64 random bytes as hex (`randomSecretSize = 64`,
  `fmt.Sprintf("%x", ...)`: 128 hex digits), passed to the registry as
  `REGISTRY_HTTP_SECRET` (`pkg/resource/podtemplatespec.go`);
* `storage.managementState`, when empty, as the driver that creates the storage decides
  it: `Unmanaged` when the user named storage that exists (an S3, GCS or IBM COS bucket, a
  Swift container, a PVC claim, an Azure account and container), `Managed` when the
  operator creates it (`s3.go`, `gcs.go`, `ibmcos.go`, `swift.go`, `pvc.go`, `azure.go`;
  emptyDir is always `Managed`, `emptydir.go`).

The twin takes a storage the scenario names as existing (a planner describes the bucket
or claim their cluster has); storage it does not name is created by the operator. What
the operator wrote stays in the spec, so a later edit of other fields keeps it.
"""

from __future__ import annotations

from dataclasses import replace

from twin.model.registry.config import RegistryConfig

SECRET_BYTES = 64
MANAGED, UNMANAGED = "Managed", "Unmanaged"


def http_secret(random_bytes: bytes) -> str:
    """`applyDefaults`: the bytes as lower-case hex.

    >>> http_secret(bytes([0, 171]))
    '00ab'
    """
    return random_bytes.hex()


def storage_management_default(config: RegistryConfig) -> str:
    """The driver's `storage.managementState` for an empty one: Unmanaged for storage the
    user supplied, Managed for storage the operator creates."""
    return UNMANAGED if config.storage.supplied else MANAGED


def completed(config: RegistryConfig, secret: str, creating_storage: bool) -> RegistryConfig:
    """`config` with an empty httpSecret set to `secret` and, while the operator creates
    the storage, an empty storage.managementState defaulted."""
    out = config
    if not out.http_secret:
        out = replace(out, http_secret=secret)
    if creating_storage and not out.storage.management_state and out.storage.backends:
        out = replace(out, storage=replace(out.storage, management_state=storage_management_default(out)))
    return out
