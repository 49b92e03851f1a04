"""OpenShift releases the twin models, and what differs between them.

Version-dependent behaviour is a parameter, not a fork (spec/architecture.md, habit 4):
every difference listed in spec/registry-operator.md §7 is a field of `OpenShiftVersion`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from twin.model.quoting import shown

SUPPORTED = ("4.21", "4.22", "4.23")
NEWEST = SUPPORTED[-1]


@dataclass(frozen=True, slots=True)
class OpenShiftVersion:
    """One OpenShift release as the registry operator and the cluster behave in it.

    * `progress_deadline_seconds`: the image-registry Deployment's
      progressDeadlineSeconds, 60 on ≤4.21 and 120 from 4.22 (spec/registry-operator.md
      §2.2, §7).
    * `unavailable_inertia_seconds`: how long Available may be non-True before
      Degraded=True/Unavailable: 1 min ≤4.21, 2 min 4.22, 5 min 4.23 (§3, §7).
    * `tsc_match_label_keys_and_honor`: the default topology spread constraints carry
      `matchLabelKeys: [pod-template-hash]`, `nodeAffinityPolicy: Honor` and
      `nodeTaintsPolicy: Honor` (4.23 only, PR #1347 / OCPBUGS-73768; §2.3).
    * `pdb_always_allow`: the PDB sets `unhealthyPodEvictionPolicy: AlwaysAllow`
      (4.23 only, IR-486; §2.4).
    * `observed_tls_env`: the registry container gets REGISTRY_HTTP_TLS_MINVERSION and
      OPENSHIFT_REGISTRY_HTTP_TLS_CIPHERSUITES from `spec.observedConfig.servingInfo`
      (CIRO `generateTLSEnvVars`, IR-350 commit 6f164b84d; release-4.22 and later, not
      on release-4.21).
    """

    name: str
    kubernetes_version: str
    progress_deadline_seconds: int
    unavailable_inertia_seconds: int
    tsc_match_label_keys_and_honor: bool
    pdb_always_allow: bool
    observed_tls_env: bool = False

    @property
    def kubernetes_minor(self) -> int:
        """`"1.34"` -> 34."""
        return int(self.kubernetes_version.split(".")[1])

    @property
    def node_monitor_grace_period_seconds(self) -> int:
        """kube-controller-manager `--node-monitor-grace-period`: 40 s up to 1.31, 50 s from
        1.32 (spec/lifecycle.md, node lifecycle table)."""
        return 50 if self.kubernetes_minor >= 32 else 40


VERSIONS = MappingProxyType({
    "4.21": OpenShiftVersion("4.21", "1.34", 60, 60, False, False),
    "4.22": OpenShiftVersion("4.22", "1.35", 120, 120, False, False, observed_tls_env=True),
    "4.23": OpenShiftVersion("4.23", "1.36", 120, 300, True, True, observed_tls_env=True),
})


def openshift_version(text: str = NEWEST) -> OpenShiftVersion:
    """The release named `text` ("4.21", "4.22" or "4.23"; the newest by default).

    >>> openshift_version("4.22").progress_deadline_seconds
    120
    """
    version = VERSIONS.get(text) if isinstance(text, str) else None
    if version is None:
        raise ValueError(f"expected {', '.join(SUPPORTED[:-1])} or {SUPPORTED[-1]}, got {shown(text)}")
    return version


DEFAULT_VERSION = VERSIONS[NEWEST]
