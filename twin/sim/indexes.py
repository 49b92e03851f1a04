"""Indexes over the store kept up to date by subscriptions: pods by owner."""

from __future__ import annotations

from twin.model.workloads import PodRecord
from twin.sim.store import Store


def owner_name(record: PodRecord) -> str | None:
    owner = record.pod.controller_owner()
    return owner.name if owner else None


class PodsByOwner:
    """namespace/owner-name -> {pod key: record}, for pods with a controller owner."""

    def __init__(self, store: Store) -> None:
        self._by_owner: dict[str, dict[str, PodRecord]] = {}
        store.subscribe("Pod", self.on_pod)

    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        if old is not None:
            self._bucket(old).pop(old.key, None)
        if new is not None:
            self._bucket(new)[new.key] = new

    def _bucket(self, record: PodRecord) -> dict[str, PodRecord]:
        return self._by_owner.setdefault(f"{record.pod.namespace}/{owner_name(record)}", {})

    def pods(self, owner_key: str) -> list[PodRecord]:
        return list(self._by_owner.get(owner_key, {}).values())
