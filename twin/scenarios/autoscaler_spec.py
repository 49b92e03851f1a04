"""`cluster.autoscaler`: the ClusterAutoscaler CR's spec (camelCase as in the CR,
openshift/cluster-autoscaler-operator `pkg/apis/autoscaling/v1/clusterautoscaler_types.go`
and `install/01_clusterautoscaler.crd.yaml`), turned into `AutoscalerSettings` as the
operator turns it into flags (`AutoscalerArgs`): what is unset keeps the upstream default.

    cluster:
      autoscaler:
        scaleDown: {enabled: true, delayAfterAdd: 10m, unneededTime: 5m, utilizationThreshold: "0.4"}
        maxNodeProvisionTime: 15m
        podPriorityThreshold: -10
        resourceLimits: {maxNodesTotal: 24}
        balanceSimilarNodeGroups: true
        expanders: [Priority, LeastWaste]
        priorities: {10: ["workers-.*"], 50: ["big-.*"]}   # the priority expander's ConfigMap

Without `cluster.autoscaler` there is no autoscaler. Durations are Go durations as the
binary parses them (`flag.Duration`); `scaleDown.enabled` is required as in the CRD.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from twin.model.autoscaling.settings import AWS_BALANCING_IGNORE_LABELS, EXPANDER_FLAGS, AutoscalerSettings
from twin.model.quoting import shown
from twin.scenarios.fields import Int32, NonNegativeInt32, Strict, seconds


def go_duration(value: Any) -> float:
    """A Go duration string (10m, 1h30m, 90s), not negative."""
    if not isinstance(value, str):
        raise ValueError(f"expected a duration string such as 10m or 90s, got {shown(value)}")
    return seconds(value)


GoDuration = Annotated[float, BeforeValidator(go_duration)]


def threshold(value: Any) -> float:
    """`utilizationThreshold`: a decimal string in (0, 1] (the CRD's type is string)."""
    text = value if isinstance(value, str) else None
    if text is None or not re.fullmatch(r"[0-9]+(\.[0-9]+)?|\.[0-9]+", text) or not 0 < float(text) <= 1:
        raise ValueError(f"expected a utilization threshold in (0, 1] as a string such as \"0.5\", got {shown(value)}")
    return float(text)


class ScaleDownYaml(Strict):
    enabled: bool
    delayAfterAdd: GoDuration | None = None
    delayAfterDelete: GoDuration | None = None
    delayAfterFailure: GoDuration | None = None
    unneededTime: GoDuration | None = None
    utilizationThreshold: Annotated[float, BeforeValidator(threshold)] | None = None


class ResourceLimitsYaml(Strict):
    maxNodesTotal: NonNegativeInt32 | None = None


def unique_expanders(value: list[str]) -> list[str]:
    if len(set(value)) != len(value):
        raise ValueError(f"expected each expander at most once (the CRD's listType is set), got {value}")
    return value


def priority_map(value: Any) -> Any:
    """The priority expander's `priorities`: priority (an integer, or its text as JSON keys
    are) -> list of regular expressions matched against node group ids."""
    if not isinstance(value, dict):
        return value
    out = {}
    for key, patterns in value.items():
        if isinstance(key, str) and re.fullmatch(r"-?[0-9]+", key):
            key = int(key)
        if not isinstance(key, int) or isinstance(key, bool):
            raise ValueError(f"expected integer priorities as keys, got {shown(key)}")
        out[key] = patterns
    return out


def compiled(value: dict[int, list[str]]) -> dict[int, list[str]]:
    for patterns in value.values():
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"expected regular expressions, got {shown(pattern)} ({error})") from None
    return value


class AutoscalerYaml(Strict):
    scaleDown: ScaleDownYaml | None = None
    maxNodeProvisionTime: GoDuration | None = None
    podPriorityThreshold: Int32 | None = None
    maxPodGracePeriod: NonNegativeInt32 | None = None
    resourceLimits: ResourceLimitsYaml | None = None
    balanceSimilarNodeGroups: bool | None = None
    balancingIgnoredLabels: list[str] = Field(default_factory=list)
    expanders: Annotated[list[Literal["LeastWaste", "Priority", "Random"]], Field(max_length=3),
                         AfterValidator(unique_expanders)] = Field(default_factory=list)
    priorities: Annotated[dict[int, list[str]], BeforeValidator(priority_map), AfterValidator(compiled)] = Field(
        default_factory=dict)
    ignoreDaemonsetsUtilization: bool | None = None
    skipNodesWithLocalStorage: bool | None = None

    @field_validator("maxNodeProvisionTime")
    @classmethod
    def positive(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError("expected a duration above 0")
        return value

    def to_settings(self) -> AutoscalerSettings:
        """`AutoscalerArgs`: each field only when set, over the upstream defaults."""
        changes: dict[str, Any] = {}
        _set(changes, "max_node_provision_time", self.maxNodeProvisionTime)
        _set(changes, "expendable_pods_priority_cutoff", self.podPriorityThreshold)
        _set(changes, "max_graceful_termination", self.maxPodGracePeriod)
        _set(changes, "ignore_daemonsets_utilization", self.ignoreDaemonsetsUtilization)
        _set(changes, "skip_nodes_with_local_storage", self.skipNodesWithLocalStorage)
        if self.resourceLimits is not None:
            _set(changes, "max_nodes_total", self.resourceLimits.maxNodesTotal)
        if self.scaleDown is not None:
            changes.update(_scale_down(self.scaleDown))
        ignored = list(self.balancingIgnoredLabels)
        if self.balanceSimilarNodeGroups is not None:
            changes["balance_similar_node_groups"] = self.balanceSimilarNodeGroups
            ignored = list(AWS_BALANCING_IGNORE_LABELS) + ignored
        changes["balancing_ignored_labels"] = tuple(ignored)
        if self.expanders:
            changes["expanders"] = tuple(EXPANDER_FLAGS[e] for e in self.expanders)
        changes["priorities"] = tuple((level, tuple(p)) for level, p in sorted(self.priorities.items()))
        return AutoscalerSettings(**changes)


def _set(changes: dict, name: str, value: Any) -> None:
    if value is not None:
        changes[name] = value


def _scale_down(sd: ScaleDownYaml) -> dict[str, Any]:
    """`ScaleDownArgs`: disabled passes only `--scale-down-enabled=false`."""
    if not sd.enabled:
        return {"scale_down_enabled": False}
    changes: dict[str, Any] = {"scale_down_enabled": True}
    _set(changes, "delay_after_add", sd.delayAfterAdd)
    _set(changes, "delay_after_delete", sd.delayAfterDelete)
    _set(changes, "delay_after_failure", sd.delayAfterFailure)
    _set(changes, "unneeded_time", sd.unneededTime)
    _set(changes, "utilization_threshold", sd.utilizationThreshold)
    return changes
