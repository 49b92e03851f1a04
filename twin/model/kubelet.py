"""What the kubelet does to a pod, as timelines (offsets in seconds) the shell waits out.

Start-up: pull the images the node does not have yet, start the containers, then the
readiness probe: the prober waits `initialDelaySeconds` after the container starts and
needs `successThreshold` consecutive successes `periodSeconds` apart; a container
without a readiness probe is ready when it starts. The pod is Ready when every
container is.

Termination (deletion with grace period g): the preStop hook runs first (cut short at
g), then SIGTERM; the container exits after `shutdown_seconds` of its own clean-up, and
is killed at g at the latest. The registry's preStop is `sleep 25`, its graceful drain
up to 29 s, g = 55 s (`spec/registry-operator.md` §2.3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from twin.model.objects import Container, Pod


@dataclass(frozen=True, slots=True)
class StartupTimeline:
    pulled: float  # images present
    started: float  # containers running
    ready: float  # readiness probes passed


@dataclass(frozen=True, slots=True)
class TerminationTimeline:
    sigterm: float  # preStop done (or cut at the grace period)
    exited: float  # containers gone


def images_to_pull(pod: Pod, cached: Iterable[str]) -> list[str]:
    have = set(cached)
    return sorted({c.image for c in pod.containers if c.image and c.image not in have})


def startup_timeline(pod: Pod, pull_seconds: float, start_seconds: float) -> StartupTimeline:
    """`pull_seconds`: time to pull what is missing (0 when all images are cached).

    >>> from twin.model.objects import Probe
    >>> registry = Pod("r", containers=(Container("registry", readiness=Probe(15, 10)),))
    >>> startup_timeline(registry, pull_seconds=8.0, start_seconds=1.0)
    StartupTimeline(pulled=8.0, started=9.0, ready=24.0)
    """
    started = pull_seconds + start_seconds
    return StartupTimeline(pull_seconds, started, started + readiness_delay(pod.containers))


def readiness_delay(containers: Iterable[Container]) -> float:
    """Seconds from container start to Ready: the slowest container's first
    `successThreshold` probes."""
    delays = [0.0]
    for c in containers:
        if c.readiness is not None:
            probe = c.readiness
            delays.append(probe.initial_delay_seconds + (probe.success_threshold - 1) * probe.period_seconds)
    return max(delays)


def termination_timeline(pod: Pod, grace_seconds: float, shutdown_seconds: float = 0.0) -> TerminationTimeline:
    """Offsets from the deletion.

    >>> registry = Pod("r", containers=(Container("registry", pre_stop_seconds=25),),
    ...                termination_grace_period_seconds=55)
    >>> termination_timeline(registry, 55, shutdown_seconds=2)
    TerminationTimeline(sigterm=25.0, exited=27.0)
    >>> termination_timeline(registry, 10)
    TerminationTimeline(sigterm=10.0, exited=10.0)
    """
    pre_stop = max((c.pre_stop_seconds for c in pod.containers), default=0)
    sigterm = float(min(pre_stop, grace_seconds))
    return TerminationTimeline(sigterm, float(min(sigterm + shutdown_seconds, grace_seconds)))


CRASH_BACKOFF_INITIAL, CRASH_BACKOFF_MAX = 10.0, 300.0
"""kubelet `backOffPeriod` (10 s) and `MaxContainerBackOff` (300 s)."""


@dataclass(frozen=True, slots=True)
class CrashBackOff:
    """client-go `flowcontrol.Backoff` entry for one container: its back-off and when it
    was last updated (None: no entry yet)."""

    backoff: float = CRASH_BACKOFF_INITIAL
    updated: float | None = None


def crash_restart(entry: CrashBackOff, finished: float) -> tuple[float, CrashBackOff]:
    """How long after it exited at `finished` a container is started again, and the entry
    after (the kubelet restarts it once the delay has passed, as soon as it notices).

    kubelet `kuberuntime_manager.go` `doBackOff`: no entry, or one not updated for more
    than 2 x the max (`hasExpired`), means no back-off: the container starts at once and
    `Next` creates the entry at 10 s. Otherwise it starts once `finished + backoff` has
    passed, and `Next` doubles the back-off up to 300 s. So a crash-looping container
    restarts after 0, 10, 20, 40, 80, 160, 300, 300 s (`spec/capacity.md` §2; upstream
    calls the immediate first restart a bug, kubernetes/kubernetes#133472, still open).

    >>> e, delays = CrashBackOff(), []
    >>> for finished in (0.0, 1.0, 12.0, 33.0):
    ...     delay, e = crash_restart(e, finished)
    ...     delays.append(delay)
    >>> delays
    [0.0, 10.0, 20.0, 40.0]
    >>> crash_restart(CrashBackOff(80.0, 100.0), 100.0 + 601)[0]  # quiet for over 10 min: reset
    0.0
    """
    if entry.updated is None or finished - entry.updated > 2 * CRASH_BACKOFF_MAX:
        return 0.0, CrashBackOff(CRASH_BACKOFF_INITIAL, finished)
    return entry.backoff, CrashBackOff(min(entry.backoff * 2, CRASH_BACKOFF_MAX), finished + entry.backoff)
