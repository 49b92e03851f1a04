"""What the traffic engine leaves in the records at the end of a run, for the request
invariants (which read records only): the totals, each pod's limiter peaks with its
limits, its resource peaks, each node link's, the object store's calls, and the writes
seen by read-only pods."""

from __future__ import annotations

from twin.model.registry.occupancy import Occupancy
from twin.model.registry.requests import Limiter
from twin.model.registry.settings import Limits, RegistrySettings
from twin.sim.recorder import Recorder
from twin.sim.traffic.stats import RequestStats


def leave_records(recorder: Recorder, stats: RequestStats, settings_of: dict[str, RegistrySettings], usage=None,
                  store=None) -> None:
    recorder.record("RequestTotals", "image-registry", **stats.totals())
    if usage is not None:
        for key in sorted(usage.peak_memory):
            recorder.record("ResourcePeak", key, cpu_saturation=round(usage.peak_cpu[key], 6),
                            memory_peak=int(usage.peak_memory[key]), memory_limit=usage.limits[key])
        for node in sorted(usage.peak_network):
            recorder.record("NetworkPeak", node, saturation=round(usage.peak_network[node], 6))
    if store is not None:
        recorder.record("ObjectStoreCalls", "storage", reads=store.requests[0], writes=store.requests[1],
                        throttled_reads=store.throttled[0], throttled_writes=store.throttled[1],
                        partitions=store.partitions, splits=[[round(t, 3), n] for t, n in store.splits],
                        first_throttle=None if store.first_throttle is None else round(store.first_throttle, 3))
    for key in sorted(stats.peaks):
        settings = settings_of[key]
        recorder.record("LimiterPeak", key, read=_peak(settings.read, stats.peaks[key][Limiter.READ]),
                        write=_peak(settings.write, stats.peaks[key][Limiter.WRITE]))
    for key in sorted(k for k, s in settings_of.items() if s.read_only):
        recorder.record("ReadOnlyWrites", key, **stats.read_only_writes(key))


def _peak(limits: Limits, seen: Occupancy) -> dict:
    return {"max_running": limits.max_running, "max_in_queue": limits.max_in_queue, "max_wait": limits.max_wait,
            "running": seen.running, "queued": seen.queued, "longest_wait": round(seen.longest_wait, 9)}
