"""Zones, zone states and the per-zone NoExecute tainting rate of the node-lifecycle
controller, spec/lifecycle.md §b.2 and §b.3 (upstream `GetZoneKey`, `ComputeZoneState`,
`handleDisruption`, `setLimiterInZone`, `ReducedQPSFunc` / `HealthyQPSFunc`).

One monitor pass: group the nodes' Ready statuses by zone (`zone_states`), then let
`handle_disruption` turn the previous and the new states into a `DisruptionDecision`
that the shell applies (swap limiters, clear taints, reset probe timestamps).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from twin.model.controllers.node_config import DEFAULT_CONFIG, UNHEALTHY_ZONE_THRESHOLD, NodeLifecycleConfig
from twin.model.controllers.node_health import is_ready
from twin.model.objects import REGION_KEY, ZONE_KEY, Node

INITIAL, NORMAL = "Initial", "Normal"
PARTIAL_DISRUPTION, FULL_DISRUPTION = "PartialDisruption", "FullDisruption"

BETA_ZONE_KEY = "failure-domain.beta.kubernetes.io/zone"
BETA_REGION_KEY = "failure-domain.beta.kubernetes.io/region"
EXCLUDE_DISRUPTION_LABEL = "node.kubernetes.io/exclude-disruption"


def zone_key(node: Node) -> str:
    """`nodetopology.GetZoneKey`: region + ":\\x00:" + zone, "" when both are empty. The
    legacy failure-domain.beta labels win when present (upstream checks them first).

    >>> zone_key(Node("a", {ZONE_KEY: "z1", REGION_KEY: "r"}))
    'r:\\x00:z1'
    >>> zone_key(Node("a"))
    ''
    """
    labels = node.labels
    zone = labels[BETA_ZONE_KEY] if BETA_ZONE_KEY in labels else labels.get(ZONE_KEY, "")
    region = labels[BETA_REGION_KEY] if BETA_REGION_KEY in labels else labels.get(REGION_KEY, "")
    return f"{region}:\x00:{zone}" if region or zone else ""


def excluded_from_disruption(node: Node) -> bool:
    """Nodes labelled node.kubernetes.io/exclude-disruption (any value) are left out of
    the zone counts; control-plane nodes are counted otherwise (spec/lifecycle.md §b.2)."""
    return EXCLUDE_DISRUPTION_LABEL in node.labels


def compute_zone_state(ready_statuses: Iterable[str | None], unhealthy_threshold: float = UNHEALTHY_ZONE_THRESHOLD) -> str:
    """`ComputeZoneState`, spec/lifecycle.md §b.2. A status other than "True" (False,
    Unknown, or None for an absent Ready condition) counts as not Ready.

    * FullDisruption: no Ready node and at least one not Ready;
    * PartialDisruption: more than 2 not Ready and notReady / total >= threshold, in
      float32 as upstream, so 11 of 20 (0.55 == 0.55) is partial;
    * Normal: otherwise, so 2 of 3 down is Normal and 3 of 4 down is Partial.

    >>> compute_zone_state(["Unknown", "Unknown", "True"]), compute_zone_state(["False"] * 3 + ["True"])
    ('Normal', 'PartialDisruption')
    """
    statuses = list(ready_statuses)
    ready = sum(1 for s in statuses if is_ready(s))
    not_ready = len(statuses) - ready
    if ready == 0 and not_ready > 0:
        return FULL_DISRUPTION
    if not_ready > 2 and np.float32(not_ready) / np.float32(len(statuses)) >= np.float32(unhealthy_threshold):
        return PARTIAL_DISRUPTION
    return NORMAL


def zone_ready_statuses(nodes: Iterable[Node]) -> dict[str, list[str | None]]:
    """Ready statuses (`Node.ready`) by zone key, excluded nodes left out. A zone whose
    nodes are all excluded does not appear (upstream then forgets its state)."""
    grouped: dict[str, list[str | None]] = {}
    for node in nodes:
        if not excluded_from_disruption(node):
            grouped.setdefault(zone_key(node), []).append(node.ready)
    return grouped


def zone_states(
    nodes: Iterable[Node], unhealthy_threshold: float = UNHEALTHY_ZONE_THRESHOLD
) -> tuple[dict[str, str], dict[str, int]]:
    """This pass's state and size (counted nodes) of every zone, the inputs of
    `handle_disruption`.

    >>> zone_states([Node("a", ready="Unknown"), Node("b", ready="True")])
    ({'': 'Normal'}, {'': 2})
    """
    return grouped_zone_states(zone_ready_statuses(nodes), unhealthy_threshold)


def grouped_zone_states(
    grouped: dict[str, list[str | None]], unhealthy_threshold: float = UNHEALTHY_ZONE_THRESHOLD
) -> tuple[dict[str, str], dict[str, int]]:
    """`zone_states` from the Ready statuses already grouped by zone (`zone_ready_statuses`)."""
    states = {zone: compute_zone_state(statuses, unhealthy_threshold) for zone, statuses in grouped.items()}
    return states, {zone: len(statuses) for zone, statuses in grouped.items()}


def zone_eviction_rate(
    state: str, zone_size: int, all_zones_down: bool = False, config: NodeLifecycleConfig = DEFAULT_CONFIG
) -> float:
    """QPS of a zone's NoExecute tainting limiter, spec/lifecycle.md §b.3:

    | state                              | qps                                   |
    |------------------------------------|---------------------------------------|
    | every zone FullDisruption          | 0                                     |
    | Normal (and Initial)               | eviction rate, 0.1                    |
    | FullDisruption, another zone is up | eviction rate, 0.1 (zone really gone) |
    | PartialDisruption, size > 50       | secondary rate, 0.01                  |
    | PartialDisruption, size <= 50      | 0: no new NoExecute taints            |

    >>> zone_eviction_rate("PartialDisruption", 51), zone_eviction_rate("PartialDisruption", 50)
    (0.01, 0.0)

    Initial never reaches `setLimiterInZone`; a new zone's limiter starts at the eviction
    rate (`addPodEvictorForNewZone`), which is what this returns for it.
    """
    if all_zones_down:
        return 0.0
    if state == PARTIAL_DISRUPTION:
        large = zone_size > config.large_cluster_size_threshold
        return config.secondary_eviction_rate if large else 0.0
    return config.eviction_rate


@dataclass(frozen=True, slots=True)
class DisruptionDecision:
    """What one `handleDisruption` pass decided.

    * `states`: the zone states to keep for the next pass (zones that disappeared are
      forgotten; in master disruption mode every state is FullDisruption);
    * `rates`: the zones whose limiter must be swapped, with the new qps (only zones whose
      state changed, or every zone when entering or leaving master disruption mode);
    * `in_master_disruption`: every zone is FullDisruption ("master disruption" mode):
      no zone's limiter admits anything;
    * `entered_master_disruption`: this pass switched into that mode: the shell removes
      the not-ready / unreachable NoExecute taints from every node and drops every node
      from the tainting queues (`markNodeAsReachable`), and sets all limiters to 0;
    * `left_master_disruption`: this pass left it: the shell resets every node's probe
      and transition timestamps to now (`restart_grace`), then sets the limiters.
    """

    states: Mapping[str, str]
    rates: Mapping[str, float] = field(default_factory=dict)
    in_master_disruption: bool = False
    entered_master_disruption: bool = False
    left_master_disruption: bool = False


def handle_disruption(
    previous_states: Mapping[str, str],
    current_states: Mapping[str, str],
    zone_sizes: Mapping[str, int],
    config: NodeLifecycleConfig = DEFAULT_CONFIG,
) -> DisruptionDecision:
    """`handleDisruption`, spec/lifecycle.md §b.3. `previous_states` is what the last pass
    kept (a zone missing there is new and starts Initial); `current_states` and
    `zone_sizes` come from `zone_states` for this pass.

    >>> d = handle_disruption({"a": "Normal", "b": "Normal"}, {"a": "FullDisruption", "b": "Normal"}, {"a": 3, "b": 3})
    >>> d.rates, d.in_master_disruption
    ({'a': 0.1}, False)
    >>> d = handle_disruption({"a": "Normal"}, {"a": "FullDisruption"}, {"a": 3})
    >>> d.rates, d.entered_master_disruption
    ({'a': 0.0}, True)

    Upstream deletes forgotten zones inside a loop that may `break` early (map order), so
    a stale zone can linger one more pass there; here it is always forgotten at once.
    """
    known = {zone: previous_states.get(zone, INITIAL) for zone in current_states}
    all_are = all(state == FULL_DISRUPTION for state in current_states.values())
    all_were = all(state == FULL_DISRUPTION for state in known.values())
    in_mode = bool(current_states) and all_are
    if all_are and all_were:
        return DisruptionDecision(known, {}, in_mode)
    if all_are:
        return DisruptionDecision({zone: FULL_DISRUPTION for zone in known}, dict.fromkeys(known, 0.0), True, True)
    changed = known if all_were else [zone for zone in known if known[zone] != current_states[zone]]
    rates = {zone: zone_eviction_rate(current_states[zone], zone_sizes[zone], False, config) for zone in changed}
    return DisruptionDecision(dict(current_states), rates, False, False, all_were)
