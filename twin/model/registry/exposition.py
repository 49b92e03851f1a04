"""Metric families as the registry pod exposes them: the Prometheus text format
(`generate_latest` over a custom collector) and a pandas-ready row per sample.

Ordering follows client_golang's `Gather` (`internal.NormalizeMetricFamilies`): families by
name, the samples of a family by their label values (label names sorted); within a summary
child the quantiles in increasing order, then `_sum`, then `_count`. Every sample carries
the simulated time `now`; prometheus_client renders it in whole milliseconds
(`int(now * 1000)`, truncated).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, NamedTuple

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric


@dataclass(frozen=True, slots=True)
class Family:
    """A metric family: its name as exposed (counters end in `_total`), Prometheus type,
    HELP text and label names in the order the Go code declares them."""

    name: str
    type: str  # "counter" | "gauge" | "summary"
    help: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One family's samples at an instant: (sample name, labels, value), already ordered."""

    family: Family
    samples: tuple[tuple[str, dict[str, str], float], ...]


class Sample(NamedTuple):
    """One exposed sample as a row: `pandas.DataFrame(rows)` names the columns."""

    time: float
    metric: str
    labels: str  # "k=v,..." sorted by label name
    value: float


def label_string(labels: dict[str, str]) -> str:
    """A stable text key for a label set: `code=200,method=get`, names sorted."""
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def rows(snapshots: list[Snapshot], now: float) -> list[Sample]:
    """Every sample of `snapshots` as a row at `now`, in exposition order."""
    return [Sample(now, name, label_string(labels), value) for s in snapshots for name, labels, value in s.samples]


def _metric(snapshot: Snapshot, now: float) -> Metric:
    from prometheus_client.metrics_core import Metric
    family = snapshot.family
    # prometheus_client appends "_total" to a counter family's name when rendering it.
    name = family.name.removesuffix("_total") if family.type == "counter" else family.name
    metric = Metric(name, family.help, family.type)
    for sample_name, labels, value in snapshot.samples:
        metric.add_sample(sample_name, labels, value, timestamp=now)
    return metric


class _Collector:
    """A custom collector over fixed snapshots (`CollectorRegistry.register` needs `collect`)."""

    def __init__(self, snapshots: list[Snapshot], now: float):
        self._snapshots, self._now = snapshots, now

    def collect(self) -> Iterator[Metric]:
        for snapshot in self._snapshots:
            yield _metric(snapshot, self._now)


def text(snapshots: list[Snapshot], now: float) -> bytes:
    """The Prometheus text exposition (format 0.0.4) of `snapshots` at `now`.
    prometheus_client is imported on the first scrape: with its HTTP server and ssl it
    costs ≈ 0.1 s that a run without scrapes need not pay."""
    from prometheus_client import CollectorRegistry, generate_latest
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(snapshots, now))
    return generate_latest(registry)
