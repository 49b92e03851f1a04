"""The `descheduler:` section of a scenario: the spec of the KubeDescheduler CR
(operator.openshift.io/v1, openshift/cluster-kube-descheduler-operator@945dcaa9
`pkg/apis/descheduler/v1/types_descheduler.go`), checked as the CRD and the operator check
it. Absent: no descheduler runs.

    descheduler:
      profiles: [SoftTopologyAndDuplicates]   # TopologyAndDuplicates, SoftTopologyAndDuplicates,
                                              # EvictPodsWithPVC, EvictPodsWithLocalStorage
      mode: Automatic                         # or Predictive (the default): evict nothing, record
      deschedulingIntervalSeconds: 300        # required: without it the operator scales the
                                              # descheduler to 0
      evictionLimits: {total: 10, node: 2}    # per cycle
      profileCustomizations:
        thresholdPriority: 1000
        namespaces: {included: [apps]}        # or excluded: [...]; never a protected namespace

Refused as the operator refuses them: a profile outside the CRD's enum, a duplicate, the
pairs its CEL rules forbid (`profiles.CONFLICTS`, e.g. TopologyAndDuplicates with
SoftTopologyAndDuplicates), no profile, a mode other than Automatic or Predictive, an
interval missing or below 1, included and excluded namespaces together, a protected
namespace included. The CRD's other profiles (AffinityAndTaints, LifecycleAndUtilization,
…) are valid there but not modelled here: refused, naming the modelled ones.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from twin.model.descheduler import EvictionLimits as Limits, Policy, operator_policy, protected
from twin.model.descheduler.profiles import CONFLICTS, MODELLED, NOT_MODELLED
from twin.model.quoting import shown
from twin.scenarios.fields import Int32, NonNegativeInt32, Strict

MAX_PROFILES = 11  # +kubebuilder:validation:MaxItems=11


def profile_name(value: Any) -> Any:
    if value in NOT_MODELLED:
        raise ValueError(f"expected a profile the twin models ({', '.join(MODELLED)}); {value} is valid for the "
                         "Kube Descheduler Operator but not modelled")
    if value not in MODELLED:
        raise ValueError(f"expected one of the operator's profiles ({', '.join(MODELLED + NOT_MODELLED)}), "
                         f"got {shown(value)}")
    return value


class EvictionLimitsYaml(Strict):
    total: NonNegativeInt32 | None = None
    node: NonNegativeInt32 | None = None


class NamespacesYaml(Strict):
    included: list[str] = Field(default_factory=list)
    excluded: list[str] = Field(default_factory=list)


class ProfileCustomizationsYaml(Strict):
    thresholdPriority: Int32 | None = None
    namespaces: NamespacesYaml = Field(default_factory=NamespacesYaml)

    @field_validator("namespaces")
    @classmethod
    def operator_namespace_rules(cls, value: NamespacesYaml) -> NamespacesYaml:
        """`manageConfigMap`: not both lists; no protected namespace included."""
        if value.included and value.excluded:
            raise ValueError("expected included or excluded namespaces, not both (the operator forbids combining them)")
        for ns in value.included:
            if protected(ns):
                raise ValueError(f"expected no protected namespace (kube-system, hypershift, openshift, openshift-*) "
                                 f"among the included ones, got {shown(ns)}")
        return value


class DeschedulerSpec(Strict):
    profiles: Annotated[list[Annotated[str, AfterValidator(profile_name)]], Field(max_length=MAX_PROFILES)]
    mode: Literal["Automatic", "Predictive"] = "Predictive"
    deschedulingIntervalSeconds: Annotated[Int32, Field(ge=1)] | None = Field(None, validate_default=True)
    evictionLimits: EvictionLimitsYaml | None = None
    profileCustomizations: ProfileCustomizationsYaml | None = None

    @field_validator("profiles")
    @classmethod
    def operator_profile_rules(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("expected at least one profile (the operator refuses an empty list)")
        for i, name in enumerate(value):
            if name in value[:i]:
                raise ValueError(f"expected each profile once, got {name} twice (duplicate profiles are not allowed)")
        for a, b in CONFLICTS:
            if a in value and b in value:
                raise ValueError(f"cannot declare {a} and {b} profiles simultaneously")
        return value

    @field_validator("deschedulingIntervalSeconds")
    @classmethod
    def interval_required(cls, value: int | None) -> int:
        if value is None:
            raise ValueError("expected the seconds between descheduler runs, at least 1 (without it the operator "
                             "scales the descheduler to 0: it never runs)")
        return value

    def policy(self) -> Policy:
        limits = self.evictionLimits or EvictionLimitsYaml()
        custom = self.profileCustomizations or ProfileCustomizationsYaml()
        return operator_policy(tuple(self.profiles), Limits(per_node=limits.node, total=limits.total),
                               tuple(custom.namespaces.included), tuple(custom.namespaces.excluded),
                               custom.thresholdPriority)
