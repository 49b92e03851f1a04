"""The volumes and mounts `makePodTemplateSpec` adds after the storage driver's, in its
order (CIRO pkg/resource/podtemplatespec.go, identical on release-4.21, 4.22, 4.23):

* `registry-tls`: projected Secret `image-registry-tls` at /etc/secrets (the serving
  cert; REGISTRY_HTTP_TLS_CERTIFICATE/KEY point into it);
* `ca-trust-extracted`: emptyDir at /etc/pki/ca-trust/extracted (the command's
  `update-ca-trust extract --output` writes there; the root filesystem is read-only);
* `registry-certificates`: ConfigMap `image-registry-certificates` at
  /etc/pki/ca-trust/source/anchors;
* `trusted-ca`: optional ConfigMap `trusted-ca`, key ca-bundle.crt as
  anchors/ca-bundle.crt, at /usr/share/pki/ca-trust-source;
* `installation-pull-secrets`: optional Secret, .dockerconfigjson as config.json, at
  /var/lib/kubelet/;
* `bound-sa-token`: projected service-account token, audience openshift, at
  /var/run/secrets/openshift/serviceaccount, read-only.

The API server's defaults are written out as `oc get` shows them: defaultMode 420 on
Secret, ConfigMap and projected volumes, expirationSeconds 3600 on the token.
"""

from __future__ import annotations

from typing import Any

from twin.model.registry.drivers import SECRET_DEFAULT_MODE

Manifest = dict[str, Any]

TLS_SECRET = "image-registry-tls"
TLS_MOUNT = "/etc/secrets"
TLS_ENV = [("REGISTRY_HTTP_TLS_CERTIFICATE", f"{TLS_MOUNT}/tls.crt"), ("REGISTRY_HTTP_TLS_KEY", f"{TLS_MOUNT}/tls.key")]
TOKEN_EXPIRATION_SECONDS = 3600  # the API server's default for a projected token


def operator_volumes() -> list[Manifest]:
    """The six volumes, after the driver's."""
    return [
        {"name": "registry-tls", "projected": {"sources": [{"secret": {"name": TLS_SECRET}}],
                                               "defaultMode": SECRET_DEFAULT_MODE}},
        {"name": "ca-trust-extracted", "emptyDir": {}},
        {"name": "registry-certificates", "configMap": {"name": "image-registry-certificates",
                                                        "defaultMode": SECRET_DEFAULT_MODE}},
        {"name": "trusted-ca", "configMap": {
            "name": "trusted-ca", "items": [{"key": "ca-bundle.crt", "path": "anchors/ca-bundle.crt"}],
            "optional": True, "defaultMode": SECRET_DEFAULT_MODE}},
        {"name": "installation-pull-secrets", "secret": {
            "secretName": "installation-pull-secrets", "items": [{"key": ".dockerconfigjson", "path": "config.json"}],
            "optional": True, "defaultMode": SECRET_DEFAULT_MODE}},
        {"name": "bound-sa-token", "projected": {"sources": [{"serviceAccountToken": {
            "audience": "openshift", "expirationSeconds": TOKEN_EXPIRATION_SECONDS, "path": "token"}}],
            "defaultMode": SECRET_DEFAULT_MODE}},
    ]


def operator_mounts() -> list[Manifest]:
    """The six mounts, after the driver's, in the same order as the volumes."""
    return [
        {"name": "registry-tls", "mountPath": TLS_MOUNT},
        {"name": "ca-trust-extracted", "mountPath": "/etc/pki/ca-trust/extracted"},
        {"name": "registry-certificates", "mountPath": "/etc/pki/ca-trust/source/anchors"},
        {"name": "trusted-ca", "mountPath": "/usr/share/pki/ca-trust-source"},
        {"name": "installation-pull-secrets", "mountPath": "/var/lib/kubelet/"},
        {"name": "bound-sa-token", "mountPath": "/var/run/secrets/openshift/serviceaccount", "readOnly": True},
    ]
