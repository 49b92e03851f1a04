"""The descheduler as OpenShift's Kube Descheduler Operator runs it: which pods may be
evicted (`evictor`), the descheduler's fit check (`nodefit`), the balance plugins
RemovePodsViolatingTopologySpreadConstraint (`topology`) and RemoveDuplicates
(`duplicates`), the eviction limits (`evictions`), and the operator's profiles and one
descheduling cycle (`profiles`). Pure functions of a `Snapshot`; the shell
(`twin/sim/descheduler.py`) runs a cycle every `deschedulingIntervalSeconds`."""

from twin.model.descheduler.evictions import Eviction, EvictionLimits, PodEvictor
from twin.model.descheduler.evictor import EvictorArgs, admitted_priority, evictable, refusals
from twin.model.descheduler.nodefit import Snapshot
from twin.model.descheduler.profiles import Policy, operator_policy, protected, run_cycle

__all__ = ["Eviction", "EvictionLimits", "EvictorArgs", "PodEvictor", "Policy", "Snapshot", "admitted_priority",
           "evictable", "operator_policy", "protected", "refusals", "run_cycle"]
