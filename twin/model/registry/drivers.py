"""What each storage driver adds to the registry pod: its env (`ConfigEnv`) and its
volumes and mounts (`Volumes`), CIRO `pkg/storage/<driver>/<driver>.go`, identical on
release-4.21, 4.22 and 4.23. `makePodTemplateSpec` puts this env first in the
container's list and these volumes first in the pod's (`storageConfigure`,
pkg/resource/podtemplatespec.go).

Values come from the Config's `spec.storage.<backend>` (which the operator fills in when
it creates the storage: bucket, region, container, account). Where a driver reads
cluster state the twin does not have (the Infrastructure's region and endpoints, the
cloud credentials Secret, an OpenStack cloud.conf), a clearly named placeholder stands
in, listed in `PLACEHOLDERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from twin.model.registry.config import Storage
from twin.model.registry.duration import format_go_duration, parse_go_duration
from twin.model.registry.envvalue import PRIVATE_CONFIGURATION, env_value, plain_env, secret_env

Manifest = dict[str, Any]

ROOT_DIRECTORY = "/registry"  # emptydir.go / pvc.go `rootDirectory`
CLOUD_SECRET_MOUNT = "/var/run/secrets/cloud"  # s3.go / ibmcos.go `imageRegistrySecretMountpoint`
CLOUD_SECRET_KEY = "credentials"  # `imageRegistrySecretDataKey`
COS_ENDPOINT = "s3.{}.cloud-object-storage.appdomain.cloud"  # ibmcos.go `cosEndpointTemplate`
SECRET_DEFAULT_MODE = 420  # the API server's default for secret/configMap/projected volumes (0644)

UNKNOWN_BUCKET = "<bucket the operator creates, not in the Config>"
UNKNOWN_REGION = "<region from the cluster Infrastructure, not in the Config>"
UNKNOWN_AUTH_URL = "<authURL from the OpenStack cloud credentials, not in the Config>"
UNKNOWN_REALM = "<storage endpoint suffix of the AzureStackCloud environment file>"
PLACEHOLDERS = (UNKNOWN_BUCKET, UNKNOWN_REGION, UNKNOWN_AUTH_URL, UNKNOWN_REALM)

AZURE_STORAGE_SUFFIXES = {
    "AZUREPUBLICCLOUD": "core.windows.net",
    "AZUREUSGOVERNMENTCLOUD": "core.usgovcloudapi.net",
    "AZURECHINACLOUD": "core.chinacloudapi.cn",
    "AZUREGERMANCLOUD": "core.cloudapi.de",
}
"""`StorageEndpointSuffix` of go-autorest's environments, looked up case-insensitively
(`EnvironmentFromName`); AzureStackCloud reads its environment from a file."""

ISO_REGION_PREFIXES = ("us-iso-", "us-isob-", "us-isof-", "eu-isoe-")
"""[inferred] AWS partitions without dual-stack S3 endpoints: `regionHasDualStackS3`
(s3.go, commit f2d322ca3 "Disable dualstack when it is not available") asks the AWS SDK's
endpoint table, which the twin approximates as "every region but the ISO partitions"."""


@dataclass(frozen=True, slots=True)
class StorageParts:
    """A driver's env vars, volumes and mounts, in the operator's order."""

    env: list[Manifest] = field(default_factory=list)
    volumes: list[Manifest] = field(default_factory=list)
    mounts: list[Manifest] = field(default_factory=list)


def storage_parts(storage: Storage) -> StorageParts:
    """The configured driver's parts; none while no backend is set, or for `oss`
    (Alibaba, removed before 4.21 in commit 9a2dbe7d3 "remove alibaba": the operator then
    has no driver and renders no Deployment at all)."""
    driver = DRIVERS.get(storage.backends[0]) if storage.backends else None
    return driver(storage) if driver else StorageParts()


def _settings(storage: Storage) -> Mapping[str, Any]:
    return storage.settings or {}


def filesystem_parts(storage: Storage) -> StorageParts:
    """emptydir.go and pvc.go: REGISTRY_STORAGE=filesystem rooted at /registry, on a
    `registry-storage` emptyDir or on the claim (default `image-registry-storage`)."""
    env = [plain_env("REGISTRY_STORAGE", "filesystem"), plain_env("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", ROOT_DIRECTORY)]
    source = {"emptyDir": {}} if storage.claim_name is None else {"persistentVolumeClaim": {"claimName": storage.claim_name}}
    volume = {"name": "registry-storage", **source}
    return StorageParts(env, [volume], [{"name": "registry-storage", "mountPath": ROOT_DIRECTORY}])


def s3_parts(storage: Storage) -> StorageParts:
    """s3.go `ConfigEnv` and `Volumes`: optional REGIONENDPOINT, KEYID and CHUNKSIZE
    (5..5120 MiB, in bytes), then STORAGE, BUCKET, REGION, ENCRYPT, FORCEPATHSTYLE (not
    virtualHostedStyle), CREDENTIALSCONFIGPATH, USEDUALSTACK when available and the
    cloudfront middleware; the private-configuration Secret mounted at
    /var/run/secrets/cloud (and the cloudfront key at /etc/docker/cloudfront)."""
    s3 = _settings(storage)
    region, endpoint = s3.get("region", ""), s3.get("regionEndpoint", "")
    virtual_hosted = bool(s3.get("virtualHostedStyle", False))
    if not region and not endpoint:  # `UpdateEffectiveConfig`: the Infrastructure's region
        region = UNKNOWN_REGION
    env = []
    if endpoint:
        env.append(plain_env("REGISTRY_STORAGE_S3_REGIONENDPOINT", endpoint))
    if s3.get("keyID"):
        env.append(plain_env("REGISTRY_STORAGE_S3_KEYID", s3["keyID"]))
    chunk = storage.s3_chunk_size_mib
    if chunk is not None and 4 < chunk < 5121:
        env.append(plain_env("REGISTRY_STORAGE_S3_CHUNKSIZE", chunk * 1024 * 1024))
    env += [
        plain_env("REGISTRY_STORAGE", "s3"),
        plain_env("REGISTRY_STORAGE_S3_BUCKET", s3.get("bucket") or UNKNOWN_BUCKET),
        plain_env("REGISTRY_STORAGE_S3_REGION", region),
        plain_env("REGISTRY_STORAGE_S3_ENCRYPT", bool(s3.get("encrypt", False))),
        plain_env("REGISTRY_STORAGE_S3_FORCEPATHSTYLE", not virtual_hosted),
        plain_env("REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH", f"{CLOUD_SECRET_MOUNT}/{CLOUD_SECRET_KEY}"),
    ]
    if endpoint or not region.startswith(ISO_REGION_PREFIXES):
        env.append(plain_env("REGISTRY_STORAGE_S3_USEDUALSTACK", True))
    volumes, mounts = [_private_configuration_volume()], [_private_configuration_mount()]
    cloudfront = s3.get("cloudFront")
    if cloudfront is not None:
        env.append({"name": "REGISTRY_MIDDLEWARE_STORAGE", "value": cloudfront_middleware(cloudfront)})
        key = cloudfront.get("privateKey") or {}
        items = [{"key": key.get("key", ""), "path": "private.pem"}]
        secret = {"secretName": key.get("name", ""), "items": items, "defaultMode": SECRET_DEFAULT_MODE, "optional": False}
        volumes.append({"name": "registry-cloudfront", "secret": secret})
        mounts.append({"name": "registry-cloudfront", "mountPath": "/etc/docker/cloudfront", "readOnly": True})
    return StorageParts(env, volumes, mounts)


def cloudfront_middleware(cloudfront: Mapping[str, Any]) -> str:
    """The yaml.v2 dump of the one-element middleware list (s3.go `ConfigEnv`): struct
    fields lower-cased in declaration order; duration 1200s unless set."""
    duration = cloudfront.get("duration")
    duration = format_go_duration(parse_go_duration(duration)) if duration else "1200s"
    if duration == "0s":
        duration = "1200s"
    options = [
        ("baseurl", cloudfront.get("baseURL", "")), ("privatekey", "/etc/docker/cloudfront/private.pem"),
        ("keypairid", cloudfront.get("keypairID", "")), ("duration", duration), ("ipfilteredby", "none"),
    ]
    lines = ["- name: cloudfront", "  options:"] + [f"    {key}: {env_value(value)}" for key, value in options]
    return "\n".join(lines)


def _private_configuration_volume() -> Manifest:
    secret = {"secretName": PRIVATE_CONFIGURATION, "defaultMode": SECRET_DEFAULT_MODE, "optional": False}
    return {"name": PRIVATE_CONFIGURATION, "secret": secret}


def _private_configuration_mount() -> Manifest:
    return {"name": PRIVATE_CONFIGURATION, "mountPath": CLOUD_SECRET_MOUNT, "readOnly": True}


def ibmcos_parts(storage: Storage) -> StorageParts:
    """ibmcos.go: the s3 driver against the location's COS endpoint, unencrypted, path
    style, no dual stack, with the s3 credentials file. [inferred] A service-endpoint
    override from the Infrastructure is not known to the twin."""
    cos = _settings(storage)
    location = cos.get("location") or UNKNOWN_REGION
    env = [
        plain_env("REGISTRY_STORAGE", "s3"),
        plain_env("REGISTRY_STORAGE_S3_BUCKET", cos.get("bucket") or UNKNOWN_BUCKET),
        plain_env("REGISTRY_STORAGE_S3_REGION", location),
        plain_env("REGISTRY_STORAGE_S3_REGIONENDPOINT", COS_ENDPOINT.format(location)),
        plain_env("REGISTRY_STORAGE_S3_ENCRYPT", False),
        plain_env("REGISTRY_STORAGE_S3_FORCEPATHSTYLE", True),
        plain_env("REGISTRY_STORAGE_S3_USEDUALSTACK", False),
        plain_env("REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH", f"{CLOUD_SECRET_MOUNT}/{CLOUD_SECRET_KEY}"),
    ]
    return StorageParts(env, [_private_configuration_volume()], [_private_configuration_mount()])


def gcs_parts(storage: Storage) -> StorageParts:
    """gcs.go: bucket and /gcs/keyfile, the key file projected from the private Secret."""
    env = [
        plain_env("REGISTRY_STORAGE", "gcs"),
        plain_env("REGISTRY_STORAGE_GCS_BUCKET", _settings(storage).get("bucket") or UNKNOWN_BUCKET),
        plain_env("REGISTRY_STORAGE_GCS_KEYFILE", "/gcs/keyfile"),
    ]
    items = [{"key": "REGISTRY_STORAGE_GCS_KEYFILE", "path": "keyfile"}]
    secret = {"secretName": PRIVATE_CONFIGURATION, "items": items, "defaultMode": SECRET_DEFAULT_MODE, "optional": False}
    volume = {"name": "registry-storage-keyfile", "secret": secret}
    return StorageParts(env, [volume], [{"name": "registry-storage-keyfile", "mountPath": "/gcs"}])


def azure_parts(storage: Storage) -> StorageParts:
    """azure.go `ConfigEnv`: the account key from the private Secret, then STORAGE,
    CONTAINER, ACCOUNTNAME and, with a cloudName, REALM; no volumes. [inferred] The
    account-key form: with workload identity (a federated token in the cloud
    credentials, which the twin does not see) AZURE_* vars replace the key."""
    azure = _settings(storage)
    env = [
        secret_env("REGISTRY_STORAGE_AZURE_ACCOUNTKEY"),
        plain_env("REGISTRY_STORAGE", "azure"),
        plain_env("REGISTRY_STORAGE_AZURE_CONTAINER", azure.get("container") or UNKNOWN_BUCKET),
        plain_env("REGISTRY_STORAGE_AZURE_ACCOUNTNAME", azure.get("accountName") or UNKNOWN_BUCKET),
    ]
    cloud = azure.get("cloudName", "")
    if cloud:
        env.append(plain_env("REGISTRY_STORAGE_AZURE_REALM", AZURE_STORAGE_SUFFIXES.get(cloud.upper(), UNKNOWN_REALM)))
    return StorageParts(env)


SWIFT_SECRETS = ("USERNAME", "PASSWORD", "TOKENID", "APPLICATIONCREDENTIALID", "APPLICATIONCREDENTIALNAME",
                 "APPLICATIONCREDENTIALSECRET")


def swift_parts(storage: Storage) -> StorageParts:
    """swift.go `ConfigEnv`: container, auth URL (with /v<authVersion> appended when it
    has no version path), six credentials from the private Secret, authVersion (3 by
    default), then domain, domainID, tenant, tenantID and region when set; no volumes.
    [inferred] Only the Config's values: those the operator takes from cloud.conf are not
    known to the twin."""
    swift = _settings(storage)
    version = str(swift.get("authVersion") or "3")
    env = [
        plain_env("REGISTRY_STORAGE", "swift"),
        plain_env("REGISTRY_STORAGE_SWIFT_CONTAINER", swift.get("container") or UNKNOWN_BUCKET),
        plain_env("REGISTRY_STORAGE_SWIFT_AUTHURL", _versioned_auth_url(swift.get("authURL", ""), version)),
        *(secret_env(f"REGISTRY_STORAGE_SWIFT_{name}") for name in SWIFT_SECRETS),
        plain_env("REGISTRY_STORAGE_SWIFT_AUTHVERSION", int(version)),
    ]
    optional = [("DOMAIN", "domain"), ("DOMAINID", "domainID"), ("TENANT", "tenant"), ("TENANTID", "tenantID"),
                ("REGION", "regionName")]
    env += [plain_env(f"REGISTRY_STORAGE_SWIFT_{name}", swift[key]) for name, key in optional if swift.get(key)]
    return StorageParts(env)


def _versioned_auth_url(url: str, version: str) -> str:
    """`ensureAuthURLHasAPIVersion`, for a URL without a path or with a /v1-3 one."""
    if not url:
        return UNKNOWN_AUTH_URL
    rest = url.partition("://")[2] or url
    path = rest[rest.find("/"):] if "/" in rest else ""
    if path.startswith(("/v1", "/v2", "/v3")):
        return url
    return url.rstrip("/") + "/v" + version


DRIVERS: dict[str, Callable[[Storage], StorageParts]] = {
    "emptyDir": filesystem_parts, "pvc": filesystem_parts, "s3": s3_parts, "ibmcos": ibmcos_parts,
    "gcs": gcs_parts, "swift": swift_parts, "azure": azure_parts,
}
