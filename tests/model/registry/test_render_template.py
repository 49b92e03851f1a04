"""The whole pod template, per version, from CIRO's source on release-4.21/4.22/4.23:
pkg/resource/podtemplatespec.go (`makePodTemplateSpec` L182-568 and
`generateTLSEnvVars` L49-100 on release-4.23), pkg/resource/deployment.go (`expected`),
pkg/storage/<driver>/<driver>.go (`ConfigEnv`, `Volumes`), pkg/envvar/envvar.go."""

from __future__ import annotations

from dataclasses import replace

import pytest

from twin.errors import InputError
from twin.model.registry.config import RegistryConfig, Storage, default_rosa_config
from twin.model.registry.envvalue import env_value
from twin.model.registry.render import render_registry
from twin.model.registry.versions import openshift_version

V421, V422, V423 = (openshift_version(v) for v in ("4.21", "4.22", "4.23"))
SERVING = {"servingInfo": {"minTLSVersion": "VersionTLS12",
                           "cipherSuites": ["TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]}}


def config(backend: str = "s3", settings: dict | None = None, **changes) -> RegistryConfig:
    claim = settings.get("claim", "") if backend == "pvc" and settings else ("" if backend == "pvc" else None)
    storage = Storage((backend,), "Managed", claim, settings=settings)
    return replace(default_rosa_config(), storage=storage, **changes)


def template(cfg: RegistryConfig, version=V423) -> dict:
    return render_registry(cfg, [], version).deployment["spec"]["template"]


def container(cfg: RegistryConfig, version=V423) -> dict:
    [registry] = template(cfg, version)["spec"]["containers"]
    return registry


def env_names(cfg: RegistryConfig, version=V423) -> list[str]:
    return [e["name"] for e in container(cfg, version)["env"]]


def env(cfg: RegistryConfig, version=V423) -> dict:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container(cfg, version)["env"]}


# ---- TLS from observedConfig: release-4.22+ only (podtemplatespec.go L49-100, L320-325) --------


@pytest.mark.parametrize("version, rendered", [(V421, False), (V422, True), (V423, True)])
def test_observed_tls_settings_become_env_from_4_22_on(version, rendered):
    values = env(config(observed_config=SERVING), version)
    assert ("REGISTRY_HTTP_TLS_MINVERSION" in values) is rendered
    if rendered:
        assert values["REGISTRY_HTTP_TLS_MINVERSION"] == "VersionTLS12"
        assert values["OPENSHIFT_REGISTRY_HTTP_TLS_CIPHERSUITES"] == (
            "TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")


def test_observed_tls_env_follows_the_serving_cert_and_key_at_the_end():
    names = env_names(config(observed_config=SERVING))
    assert names[-4:] == ["REGISTRY_HTTP_TLS_CERTIFICATE", "REGISTRY_HTTP_TLS_KEY",
                          "REGISTRY_HTTP_TLS_MINVERSION", "OPENSHIFT_REGISTRY_HTTP_TLS_CIPHERSUITES"]


@pytest.mark.parametrize("observed", [None, {}, {"servingInfo": {"minTLSVersion": "", "cipherSuites": []}}])
def test_absent_or_empty_observed_tls_settings_add_no_env(observed):
    assert env_names(config(observed_config=observed))[-2:] == ["REGISTRY_HTTP_TLS_CERTIFICATE", "REGISTRY_HTTP_TLS_KEY"]


@pytest.mark.parametrize("serving, field", [
    ({"minTLSVersion": "TLSv1.2"}, "minTLSVersion"),
    ({"cipherSuites": ["ECDHE-RSA-AES128-GCM-SHA256"]}, "cipherSuites"),
])
def test_an_unknown_tls_version_or_cipher_name_fails_the_render_as_the_operator_does(serving, field):
    with pytest.raises(InputError) as raised:
        template(config(observed_config={"servingInfo": serving}))
    assert raised.value.path == f"spec.observedConfig.servingInfo.{field}"


# ---- container (makePodTemplateSpec L516-558) ---------------------------------------------------


@pytest.mark.parametrize("version", [V421, V422, V423])
def test_the_container_runs_update_ca_trust_with_output_then_dockerregistry(version):
    command = container(config(), version)["command"]
    assert command[:2] == ["/bin/sh", "-c"]
    assert "update-ca-trust extract --output /etc/pki/ca-trust/extracted/ && exec /usr/bin/dockerregistry" in command[2]


def test_the_container_falls_back_to_logs_and_has_a_read_only_root_filesystem():
    registry = container(config())
    assert registry["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert registry["securityContext"] == {"readOnlyRootFilesystem": True}


def test_the_image_is_a_placeholder_named_per_version():
    assert container(config(), V422)["image"] != container(config(), V423)["image"]


def test_the_pod_has_the_fs_group_security_context_and_the_registry_service_account():
    spec = template(config())["spec"]
    assert spec["securityContext"]["fsGroupChangePolicy"] == "OnRootMismatch"
    assert isinstance(spec["securityContext"]["fsGroup"], int)
    assert spec["serviceAccountName"] == "registry"


# ---- volumes (storageConfigure L163-180; L295-434) ------------------------------------------------

OPERATOR_VOLUMES = ["registry-tls", "ca-trust-extracted", "registry-certificates", "trusted-ca",
                    "installation-pull-secrets", "bound-sa-token"]


@pytest.mark.parametrize("backend, driver_volumes", [
    ("emptyDir", ["registry-storage"]), ("pvc", ["registry-storage"]),
    ("s3", ["image-registry-private-configuration"]), ("ibmcos", ["image-registry-private-configuration"]),
    ("gcs", ["registry-storage-keyfile"]), ("azure", []), ("swift", []),
])
def test_driver_volumes_come_first_then_the_six_operator_volumes_mounted_in_the_same_order(backend, driver_volumes):
    spec = template(config(backend, {}))["spec"]
    assert [v["name"] for v in spec["volumes"]] == driver_volumes + OPERATOR_VOLUMES
    assert [m["name"] for m in spec["containers"][0]["volumeMounts"]] == driver_volumes + OPERATOR_VOLUMES


def test_pvc_storage_mounts_the_default_claim_at_slash_registry():
    spec = template(config("pvc", {}))["spec"]
    assert spec["volumes"][0] == {"name": "registry-storage",
                                  "persistentVolumeClaim": {"claimName": "image-registry-storage"}}
    assert spec["containers"][0]["volumeMounts"][0] == {"name": "registry-storage", "mountPath": "/registry"}


def test_the_bound_token_is_projected_for_audience_openshift_and_mounted_read_only():
    spec = template(config())["spec"]
    [token] = [v for v in spec["volumes"] if v["name"] == "bound-sa-token"]
    assert token["projected"]["sources"][0]["serviceAccountToken"]["audience"] == "openshift"
    [mount] = [m for m in spec["containers"][0]["volumeMounts"] if m["name"] == "bound-sa-token"]
    assert mount == {"name": "bound-sa-token", "mountPath": "/var/run/secrets/openshift/serviceaccount",
                     "readOnly": True}


# ---- storage env (each driver's ConfigEnv; first in the env list, L183) -----------------------------


def test_storage_env_comes_before_the_operators_fixed_env():
    names = env_names(config("emptyDir", {}))
    assert names[:3] == ["REGISTRY_STORAGE", "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "REGISTRY_HTTP_ADDR"]


def test_s3_env_lists_bucket_region_encrypt_force_path_style_credentials_and_dual_stack():
    s3 = {"bucket": "b", "region": "eu-west-1", "encrypt": True, "virtualHostedStyle": True}
    assert env_names(config("s3", s3))[:7] == [
        "REGISTRY_STORAGE", "REGISTRY_STORAGE_S3_BUCKET", "REGISTRY_STORAGE_S3_REGION", "REGISTRY_STORAGE_S3_ENCRYPT",
        "REGISTRY_STORAGE_S3_FORCEPATHSTYLE", "REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH",
        "REGISTRY_STORAGE_S3_USEDUALSTACK"]
    values = env(config("s3", s3))
    assert (values["REGISTRY_STORAGE_S3_ENCRYPT"], values["REGISTRY_STORAGE_S3_FORCEPATHSTYLE"]) == ("true", "false")


def test_s3_region_endpoint_key_id_and_chunk_size_precede_registry_storage():
    s3 = {"bucket": "b", "regionEndpoint": "https://s3.example.com", "keyID": "k1", "chunkSizeMiB": 10}
    cfg = config("s3", s3)
    cfg = replace(cfg, storage=replace(cfg.storage, s3_chunk_size_mib=10))
    assert env_names(cfg)[:4] == ["REGISTRY_STORAGE_S3_REGIONENDPOINT", "REGISTRY_STORAGE_S3_KEYID",
                                  "REGISTRY_STORAGE_S3_CHUNKSIZE", "REGISTRY_STORAGE"]
    assert env(cfg)["REGISTRY_STORAGE_S3_CHUNKSIZE"] == str(10 * 1024 * 1024)


def test_s3_in_an_iso_region_without_an_endpoint_does_not_use_dual_stack():
    assert "REGISTRY_STORAGE_S3_USEDUALSTACK" not in env(config("s3", {"bucket": "b", "region": "us-iso-east-1"}))


def test_s3_cloudfront_adds_the_middleware_env_and_the_key_volume():
    cloudfront = {"baseURL": "https://d.cloudfront.net", "keypairID": "K", "duration": "300s",
                  "privateKey": {"name": "cf", "key": "pem"}}
    cfg = config("s3", {"bucket": "b", "region": "us-east-1", "cloudFront": cloudfront})
    middleware = env(cfg)["REGISTRY_MIDDLEWARE_STORAGE"]
    assert middleware.splitlines()[0] == "- name: cloudfront"
    assert "    duration: 5m0s" in middleware.splitlines()
    assert template(cfg)["spec"]["volumes"][1]["secret"]["items"] == [{"key": "pem", "path": "private.pem"}]


def test_azure_reads_the_account_key_from_the_private_secret_and_derives_the_realm_from_the_cloud_name():
    cfg = config("azure", {"accountName": "acct", "container": "c", "cloudName": "AzureUSGovernmentCloud"})
    values = env(cfg)
    assert values["REGISTRY_STORAGE_AZURE_ACCOUNTKEY"] == {"secretKeyRef": {
        "name": "image-registry-private-configuration", "key": "REGISTRY_STORAGE_AZURE_ACCOUNTKEY"}}
    assert values["REGISTRY_STORAGE_AZURE_REALM"] == "core.usgovcloudapi.net"
    assert "REGISTRY_STORAGE_AZURE_REALM" not in env(config("azure", {"accountName": "acct", "container": "c"}))


def test_gcs_points_at_the_projected_key_file():
    values = env(config("gcs", {"bucket": "g"}))
    assert (values["REGISTRY_STORAGE"], values["REGISTRY_STORAGE_GCS_BUCKET"]) == ("gcs", "g")
    assert values["REGISTRY_STORAGE_GCS_KEYFILE"] == "/gcs/keyfile"


def test_ibmcos_uses_the_s3_driver_against_the_location_endpoint():
    values = env(config("ibmcos", {"bucket": "c", "location": "us-south"}))
    assert values["REGISTRY_STORAGE"] == "s3"
    assert values["REGISTRY_STORAGE_S3_REGIONENDPOINT"] == "s3.us-south.cloud-object-storage.appdomain.cloud"


def test_swift_appends_the_auth_version_to_an_unversioned_auth_url_and_reads_credentials_from_the_secret():
    values = env(config("swift", {"container": "s", "authURL": "https://keystone:5000", "domain": "d"}))
    assert values["REGISTRY_STORAGE_SWIFT_AUTHURL"] == "https://keystone:5000/v3"
    assert values["REGISTRY_STORAGE_SWIFT_AUTHVERSION"] == "3"
    assert "secretKeyRef" in values["REGISTRY_STORAGE_SWIFT_PASSWORD"]
    assert values["REGISTRY_STORAGE_SWIFT_DOMAIN"] == "d"


def test_oss_has_no_driver_since_alibaba_was_removed():
    assert not any(name.startswith("REGISTRY_STORAGE_OSS") or name == "REGISTRY_STORAGE"
                   for name in env_names(config("oss", {"bucket": "o"})))


# ---- annotations (deployment.go `expected`) ------------------------------------------------------


def test_the_pod_template_carries_the_dependencies_checksum_and_the_required_scc():
    annotations = template(config())["metadata"]["annotations"]
    assert annotations["imageregistry.operator.openshift.io/dependencies-checksum"].startswith("sha256:")
    assert annotations["openshift.io/required-scc"] == "restricted-v2"


@pytest.mark.parametrize("version", [V421, V422, V423])
def test_the_deployment_carries_the_release_version_the_checksum_and_the_spec_hash(version):
    annotations = render_registry(config(), [], version).deployment["metadata"]["annotations"]
    assert annotations["release.openshift.io/version"].startswith(version.name + ".")
    assert set(annotations) == {"release.openshift.io/version", "imageregistry.operator.openshift.io/checksum",
                                "operator.openshift.io/spec-hash"}


# ---- env values as yaml.v2 writes them (pkg/envvar/envvar.go EnvValue) -----------------------------


@pytest.mark.parametrize("value, text", [
    (True, "true"), (False, "false"), (10485760, "10485760"), ("us-east-1", "us-east-1"), ("", '""'),
    ("true", '"true"'), ("123", '"123"'), ("0x1F", '"0x1F"'), ("/registry", "/registry"), (":5000", ":5000"),
    ("a: b", "'a: b'"), ("1200s", "1200s"),
])
def test_env_values_are_the_yaml_v2_dump_of_the_driver_value(value, text):
    assert env_value(value) == text
