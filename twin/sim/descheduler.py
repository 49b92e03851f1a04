"""The descheduler Deployment the Kube Descheduler Operator runs, in simulated time.

`wait.NonSlidingUntil` in kubernetes-sigs/descheduler@7d2b28bf `pkg/descheduler/
descheduler.go` `RunDeschedulerStrategies` runs a cycle at once and then every
`--descheduling-interval` (the CR's `deschedulingIntervalSeconds`, `manageDeschedulerDeployment`
in the operator). ASSUMPTIONs: the descheduler starts with the run (t = 0) and a cycle
takes no simulated time.

Each cycle reads the store (nodes; pods with their phase, their deletion, and the priority
admission gave them) into a `Snapshot`, runs `twin.model.descheduler.run_cycle`, and
evicts through the Eviction API (`DisruptionController.evict`, PDBs honoured; a 429
counts toward no limit). Mode Predictive (`--dry-run`) evicts nothing: every eviction is
accepted in upstream's sandbox, recorded as `WouldDeschedule`. Records: `Descheduled` /
`WouldDeschedule` (pod; node, strategy, profile) and `DeschedulerRun` (per cycle: mode,
evicted, refused).
"""

from __future__ import annotations

from dataclasses import replace

from twin.model.descheduler import Snapshot, admitted_priority, run_cycle
from twin.model.objects import Pod
from twin.model.workloads import PodRecord
from twin.scenarios.descheduler_spec import DeschedulerSpec
from twin.sim.disruption import DisruptionController
from twin.sim.world import World

SUBJECT = "descheduler"


class Descheduler:
    def __init__(self, world: World, disruption: DisruptionController, spec: DeschedulerSpec) -> None:
        self.world = world
        self.disruption = disruption
        self.policy = spec.policy()
        self.interval = float(spec.deschedulingIntervalSeconds)
        self.automatic = spec.mode == "Automatic"
        world.env.process(self.run())

    def run(self):
        while True:
            self.cycle()
            yield self.world.env.timeout(self.interval)

    def cycle(self) -> None:
        world = self.world
        evictor = run_cycle(self.snapshot(), self.policy, self.request)
        kind = "Descheduled" if self.automatic else "WouldDeschedule"
        for e in evictor.evicted:
            world.recorder.record(kind, e.pod, node=e.node, strategy=e.strategy, profile=e.profile)
        world.recorder.record("DeschedulerRun", SUBJECT, mode="Automatic" if self.automatic else "Predictive",
                              evicted=len(evictor.evicted), refused=len(evictor.refused))

    def request(self, pod: Pod) -> bool:
        if not self.automatic:
            return True
        return self.disruption.evict(pod.key, self.world.now) == 200

    def snapshot(self) -> Snapshot:
        store = self.world.store
        pods = [as_listed(r) for r in store.list("Pod") if r.pod.node_name is not None]
        return Snapshot.of(store.list("Node"), pods)


def as_listed(record: PodRecord) -> Pod:
    """The pod as the descheduler's informer has it: status phase, deletionTimestamp and
    the priority the Priority admission plugin set."""
    pod = record.pod
    changes = {}
    if pod.phase != record.status.phase:
        changes["phase"] = record.status.phase
    if record.status.deleted is not None and pod.deletion_timestamp is None:
        changes["deletion_timestamp"] = f"t+{record.status.deleted:.3f}s"
    priority = admitted_priority(pod)
    if pod.priority != priority:
        changes["priority"] = priority
    return replace(pod, **changes) if changes else pod
