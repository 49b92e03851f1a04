"""What the traffic engine leaves in the records at the end of a run, for the request
invariants (which read records only): the totals, each pod's limiter peaks with its
limits, and the writes seen by read-only pods."""

from __future__ import annotations

from twin.model.registry.occupancy import Occupancy
from twin.model.registry.requests import Limiter
from twin.model.registry.settings import Limits, RegistrySettings
from twin.sim.recorder import Recorder
from twin.sim.traffic.stats import RequestStats


def leave_records(recorder: Recorder, stats: RequestStats, settings_of: dict[str, RegistrySettings]) -> None:
    recorder.record("RequestTotals", "image-registry", **stats.totals())
    for key in sorted(stats.peaks):
        settings = settings_of[key]
        recorder.record("LimiterPeak", key, read=_peak(settings.read, stats.peaks[key][Limiter.READ]),
                        write=_peak(settings.write, stats.peaks[key][Limiter.WRITE]))
    for key in sorted(k for k, s in settings_of.items() if s.read_only):
        recorder.record("ReadOnlyWrites", key, **stats.read_only_writes(key))


def _peak(limits: Limits, seen: Occupancy) -> dict:
    return {"max_running": limits.max_running, "max_in_queue": limits.max_in_queue, "max_wait": limits.max_wait,
            "running": seen.running, "queued": seen.queued, "longest_wait": round(seen.longest_wait, 9)}
