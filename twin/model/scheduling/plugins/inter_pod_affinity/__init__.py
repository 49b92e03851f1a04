"""InterPodAffinity: required pod affinity / anti-affinity (Filter) and preferred terms
plus existing pods' terms (Score)."""

from twin.model.scheduling.plugins.inter_pod_affinity.filtering import filter
from twin.model.scheduling.plugins.inter_pod_affinity.scoring import score

NAME = "InterPodAffinity"

__all__ = ["NAME", "filter", "score"]
