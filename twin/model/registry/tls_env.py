"""The registry's TLS serving settings from `spec.observedConfig`: CIRO
`generateTLSEnvVars`, pkg/resource/podtemplatespec.go (IR-350, commit 6f164b84d "keeps
registry tls config in sync with cluster"; on release-4.22 and 4.23, not on 4.21).

`servingInfo.minTLSVersion` becomes REGISTRY_HTTP_TLS_MINVERSION and
`servingInfo.cipherSuites` OPENSHIFT_REGISTRY_HTTP_TLS_CIPHERSUITES (comma-joined),
each only when present and non-empty, after REGISTRY_HTTP_TLS_CERTIFICATE/KEY. A value
library-go's `crypto.TLSVersion` / `crypto.CipherSuite` do not know makes the operator
fail to render the Deployment ("unable to generate tls config"); the twin raises
`InputError` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twin.errors import InputError
from twin.model.quoting import shown

TLS_VERSIONS = ("VersionTLS10", "VersionTLS11", "VersionTLS12", "VersionTLS13")
"""library-go `pkg/crypto/crypto.go` `versions`."""

CIPHER_SUITES = frozenset({
    "TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
})
"""library-go `pkg/crypto/crypto.go` `ciphers` (IANA names), as vendored on release-4.22."""

_FIELD = "spec.observedConfig.servingInfo"


def observed_tls_env(observed_config: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The (name, value) pairs `generateTLSEnvVars` adds for this observedConfig."""
    serving = (observed_config or {}).get("servingInfo")
    if serving is None:
        return []
    if not isinstance(serving, Mapping):
        raise InputError("", _FIELD, f"expected a mapping, got {type(serving).__name__}")
    env = []
    version = serving.get("minTLSVersion")
    if version is not None and not isinstance(version, str):
        raise InputError("", f"{_FIELD}.minTLSVersion", f"expected a string, got {shown(version)}")
    if version:
        if version not in TLS_VERSIONS:
            raise InputError("", f"{_FIELD}.minTLSVersion", f"unknown tls version {version!r}")
        env.append(("REGISTRY_HTTP_TLS_MINVERSION", version))
    suites = serving.get("cipherSuites")
    if suites is not None and (not isinstance(suites, list) or not all(isinstance(s, str) for s in suites)):
        raise InputError("", f"{_FIELD}.cipherSuites", f"expected a list of strings, got {shown(suites)}")
    if suites:
        unknown = [s for s in suites if s not in CIPHER_SUITES]
        if unknown:
            raise InputError("", f"{_FIELD}.cipherSuites", f"unknown cipher name {unknown[0]!r}")
        env.append(("OPENSHIFT_REGISTRY_HTTP_TLS_CIPHERSUITES", ",".join(suites)))
    return env
