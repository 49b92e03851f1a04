"""The public API for notebooks and scripts: run a scenario (built-in name, file, or a
varied document), read its summary, verdicts and frames, compare variants side by side.
Notebooks use only this module (and the sweep/check/report modules it re-exports), so
they hold no logic of their own.

    import twin.api as twin
    run = twin.run("zone-failure", openshift="4.22", values={"registry.replicas": 3})
    run.verdicts            # one row per invariant
    run.kpis                # the summary's KPIs
    table = twin.compare("zone-failure", {"4.22": {"openshift": "4.22"}, "4.23": {"openshift": "4.23"}})
    result = twin.sweep("zone-failure", {"registry.replicas": [2, 3]}, seeds=5)   # on Dask
    twin.smallest_meeting(result.aggregate, {"kpis.registry_recovery_seconds": 420}, cost=["registry.replicas"])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from twin.analysis.outcome import Outcome, evaluate
from twin.analysis.requests import queue_frame, timeline_frame
from twin.analysis.summary import events_frame, summary_text
from twin.check import search as check
from twin.files import staged_folder
from twin.report.frontier import frontier_figure
from twin.report.run_outputs import write_run_folder
from twin.report.run_report import write_report
from twin.scenarios.load import library_names
from twin.scenarios.scenario import Scenario
from twin.scenarios.variation import ScenarioDocument
from twin.sweep import run_sweep as sweep
from twin.sweep.planning import frontier, meets_targets, smallest_meeting

__all__ = ["Run", "check", "compare", "frontier", "frontier_figure", "meets_targets", "report", "run", "scenario",
           "scenarios", "smallest_meeting", "sweep"]


def report(folder: str | Path) -> Path:
    """(Re)write the report of a run folder; returns the path of report.html."""
    return write_report(folder).html


def scenarios() -> list[str]:
    """The names of the built-in scenarios."""
    return library_names()


def scenario(ref: str | ScenarioDocument, values: Mapping[str, Any] | None = None) -> ScenarioDocument:
    """A scenario document (built-in name or file), with `values` set at their paths
    (`twin/scenarios/variation.py`: registry.replicas, cluster.zones, openshift …)."""
    document = ref if isinstance(ref, ScenarioDocument) else ScenarioDocument.read(ref)
    return document.with_values(values, flag="values") if values else document


@dataclass
class Run:
    """A judged run and the frames an analyst reads."""

    outcome: Outcome
    scenario: Scenario

    @property
    def summary(self) -> dict:
        """The summary.json document."""
        return self.outcome.document

    @property
    def holds(self) -> bool:
        return self.outcome.holds

    @cached_property
    def verdicts(self) -> pd.DataFrame:
        rows = [(v.name, v.holds, v.detail) for v in self.outcome.verdicts]
        return pd.DataFrame(rows, columns=["invariant", "holds", "detail"])

    @property
    def kpis(self) -> dict:
        return dict(self.summary["kpis"])

    @property
    def requests_kpis(self) -> dict | None:
        """The request-level KPIs (None for runs without requests)."""
        requests = self.summary.get("requests")
        return requests if requests and requests["issued"] else None

    @cached_property
    def events(self) -> pd.DataFrame:
        return events_frame(self.outcome.result.records)

    @cached_property
    def requests(self) -> pd.DataFrame:
        """Requests finished per interval, by outcome class."""
        return timeline_frame(self.outcome.result.traffic.engine.stats)

    @cached_property
    def queues(self) -> pd.DataFrame:
        """Per registry pod: running and queued requests over time, limiter peaks."""
        return queue_frame(self.outcome.result.traffic.engine.stats)

    @property
    def records(self) -> list:
        return self.outcome.result.records

    def text(self) -> str:
        """What `twin run` prints."""
        return summary_text(self.summary, self.records)

    def write(self, out: str | Path, report: bool = False) -> Path:
        """The run folder `twin run --out` writes (and, with `report`, the HTML/Markdown
        report and its plots); returns the folder. Built aside and moved in whole
        (`twin.files.staged_folder`): a failure leaves the folder as it was."""
        with staged_folder(out, last=("summary.json", "report.md", "report.html")) as folder:
            write_run_folder(folder, self.outcome, self.scenario)
            if report:
                write_report(folder)
        return Path(out)


def run(ref: str | ScenarioDocument, *, values: Mapping[str, Any] | None = None, seed: int | None = None,
        openshift: str | None = None, metrics_every: float | None = None) -> Run:
    """Run a scenario and judge its invariants (the same run `twin run` makes)."""
    loaded = scenario(ref, values).scenario()
    return Run(evaluate(loaded, seed, openshift, metrics_every=metrics_every), loaded)


def compare(ref: str | ScenarioDocument, variants: Mapping[str, Mapping[str, Any]], *, seeds: int = 1) -> pd.DataFrame:
    """One row per variant and seed: the variant's label, seed, every invariant's verdict
    and the headline KPIs, for a side-by-side what-if."""
    base = scenario(ref)
    rows = []
    for label, values in variants.items():
        document = scenario(base, values)
        first = document.scenario().spec.seed
        for seed in range(first, first + seeds):
            rows.append({"variant": label, "seed": seed, **_row(run(document, seed=seed))})
    return pd.DataFrame(rows)


def _row(result: Run) -> dict:
    row = {f"holds.{v.name}": v.holds for v in result.outcome.verdicts}
    row.update({key: value for key, value in result.kpis.items() if isinstance(value, (int, float)) or value is None})
    requests = result.requests_kpis
    if requests:
        row["requests.rejected_429_fraction"] = requests["rejected_429_fraction"]
        row["pulls.p99_seconds"] = requests["pulls"].get("p99_seconds")
    return row
