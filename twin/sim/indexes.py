"""Indexes over the store kept up to date by subscriptions: pods by owner."""

from __future__ import annotations

from twin.model.controllers.replicaset import PodCounts
from twin.model.workloads import PodRecord
from twin.sim.store import Store


def owner_name(record: PodRecord) -> str | None:
    owner = record.pod.controller_owner()
    return owner.name if owner else None


class PodsByOwner:
    """namespace/owner-name -> {pod key: record}, for pods with a controller owner, and
    each owner's `PodCounts`."""

    def __init__(self, store: Store) -> None:
        self._by_owner: dict[str, dict[str, PodRecord]] = {}
        self._counts: dict[str, PodCounts] = {}
        store.subscribe("Pod", self.on_pod)

    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        if old is not None:
            self._bucket(old).pop(old.key, None)
            self._count(old, -1)
        if new is not None:
            self._bucket(new)[new.key] = new
            self._count(new, +1)

    def _count(self, record: PodRecord, sign: int) -> None:
        key = _owner_key(record)
        self._counts[key] = self._counts.get(key, PodCounts()).plus(PodCounts.of(record), sign)

    def counts(self, owner_key: str) -> PodCounts:
        return self._counts.get(owner_key, PodCounts())

    def _bucket(self, record: PodRecord) -> dict[str, PodRecord]:
        return self._by_owner.setdefault(_owner_key(record), {})

    def pods(self, owner_key: str) -> list[PodRecord]:
        return list(self._by_owner.get(owner_key, {}).values())


def _owner_key(record: PodRecord) -> str:
    return f"{record.pod.namespace}/{owner_name(record)}"
