"""PodTopologySpread, following `spec/scheduling.md` exactly: hard constraints in
`filtering` (PreFilter counting + Filter), soft constraints in `scoring`, which
constraints apply and with which selector in `constraints`."""

from twin.model.scheduling.plugins.pod_topology_spread.filtering import filter, prefilter
from twin.model.scheduling.plugins.pod_topology_spread.scoring import score

NAME = "PodTopologySpread"

__all__ = ["NAME", "filter", "prefilter", "score"]
