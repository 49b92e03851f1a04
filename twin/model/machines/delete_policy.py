"""Which machines a MachineSet deletes when it has more than its replicas.

OpenShift's MachineSet controller (openshift/machine-api-operator
`pkg/controller/machineset/delete_policy.go`, read in the search tool's index) defaults
to the `Random` policy, `randomDeletePolicy`: a machine being deleted first (mustDelete
100), then one annotated `machine.openshift.io/delete-machine` or with an error (Failed:
betterDelete 50), then one without a Node yet (preferDelete 40), then any other
(couldDelete 20); `getMachinesToDeletePrioritized` sorts by priority, high to low, and
takes the first `diff`. Go's `sort.Sort` leaves the order of equal priorities undefined;
the twin breaks those ties with a permutation drawn from the run's seeded stream.
"""

from __future__ import annotations

from dataclasses import dataclass

BETTER_DELETE, PREFER_DELETE, COULD_DELETE = 50.0, 40.0, 20.0


@dataclass(frozen=True, slots=True)
class MachineView:
    """What the policy reads of a machine: its name, whether it failed, whether its Node
    registered."""

    name: str
    failed: bool
    has_node: bool


def delete_priority(machine: MachineView) -> float:
    """`randomDeletePolicy` for a machine not yet being deleted and not annotated.

    >>> delete_priority(MachineView("a", failed=True, has_node=False))
    50.0
    >>> delete_priority(MachineView("b", failed=False, has_node=False))
    40.0
    >>> delete_priority(MachineView("c", failed=False, has_node=True))
    20.0
    """
    if machine.failed:
        return BETTER_DELETE
    return COULD_DELETE if machine.has_node else PREFER_DELETE


def machines_to_delete(machines: list[MachineView], diff: int, tie_order: list[int]) -> list[str]:
    """The names of the `diff` machines to delete: by priority, high to low; equal
    priorities in `tie_order` (a permutation of the machines' indexes).

    >>> ms = [MachineView("a", False, True), MachineView("b", False, False), MachineView("c", False, True)]
    >>> machines_to_delete(ms, 2, [2, 0, 1])
    ['b', 'c']
    """
    if diff <= 0:
        return []
    rank = {index: position for position, index in enumerate(tie_order)}
    order = sorted(range(len(machines)), key=lambda i: (-delete_priority(machines[i]), rank[i]))
    return [machines[i].name for i in order[:diff]]
