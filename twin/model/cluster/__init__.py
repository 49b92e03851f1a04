"""The cluster as the scheduler sees it: nodes and bound pods, indexed for fast decisions."""

from twin.model.cluster.view import ClusterView

__all__ = ["ClusterView"]
