"""Keep the scheduler's `ClusterView` in step with the store: bound pods (with their
deletion timestamps) and nodes. Pending pods are not in the view; status-only changes
(readiness, restarts) do not concern it."""

from __future__ import annotations

from twin.model.cluster import ClusterView
from twin.model.objects import Node
from twin.model.workloads import PodRecord


class ViewMirror:
    def __init__(self, view: ClusterView) -> None:
        self.view = view

    def on_pod(self, old: PodRecord | None, new: PodRecord | None) -> None:
        was = old.pod if old is not None and old.pod.node_name else None
        now = new.pod if new is not None and new.pod.node_name else None
        if was is not None and now is not None:
            if was != now:
                self.view.replace_pod(now)
        elif was is not None:
            self.view.remove_pod(was.key)
        elif now is not None:
            self.view.add_pod(now)

    def on_node(self, old: Node | None, new: Node | None) -> None:
        if old is None:
            self.view.add_node(new)
        elif new is None:
            self.view.remove_node(old.name)
        else:
            self.view.update_node(new)
