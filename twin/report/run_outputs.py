"""The run folder (`twin run --out`, `twin.api.Run.write`): summary.json, events.csv,
cluster.json, the request frames (requests/queues/latency.parquet) and, when scrapes were
kept, metrics/<pod>/<time>.prom plus metrics.parquet. Every file is written atomically
(`twin/files.py`). The report (`run_report.py`) reads only these files."""

from __future__ import annotations

from pathlib import Path

from twin.analysis.cluster import cluster_document, cluster_json
from twin.analysis.outcome import Outcome
from twin.analysis.resources import resource_frame
from twin.analysis.requests import latency_frame, metrics_frame, queue_frame, timeline_frame
from twin.analysis.summary import events_csv_chunks, summary_json
from twin.files import write_bytes, write_chunks, write_parquet, write_text
from twin.scenarios.scenario import Scenario

RUN_FILES = ("summary.json", "events.csv", "cluster.json", "requests.parquet", "resources.parquet", "queues.parquet",
             "latency.parquet", "metrics.parquet")
"""The files `write_run_folder` may write (metrics.parquet: when scrapes were kept)."""
RUN_FOLDERS = ("metrics",)
"""Its folders (the scrapes: metrics/<pod>/<time>.prom)."""


def write_run_folder(out: Path, outcome: Outcome, scenario: Scenario) -> Path:
    """The files, each written atomically, straight into `out`; callers that want the
    folder whole or not at all write into `twin.files.staged_folder(out)`."""
    out.mkdir(parents=True, exist_ok=True)
    result = outcome.result
    write_text(out / "summary.json", summary_json(outcome.document))
    write_chunks(out / "events.csv", events_csv_chunks(result.records))
    write_text(out / "cluster.json", cluster_json(cluster_document(scenario)))
    write_request_outputs(out, result.traffic)
    return out


def write_request_outputs(out: Path, traffic) -> None:
    """requests.parquet (outcomes per interval), queues.parquet (per pod), latency.parquet
    (p50/p99 per window and kind), resources.parquet (per pod and interval: CPU, memory,
    its node's link), and the scrapes when kept."""
    stats = traffic.engine.stats
    write_parquet(out / "requests.parquet", timeline_frame(stats))
    write_parquet(out / "resources.parquet", resource_frame(traffic.engine.usage))
    write_parquet(out / "queues.parquet", queue_frame(stats))
    write_parquet(out / "latency.parquet", latency_frame(stats))
    if traffic.scrapes.keep:
        write_parquet(out / "metrics.parquet", metrics_frame(traffic.scrapes.samples))
        for time, pod, body in traffic.scrapes.texts:
            folder = out / "metrics" / pod.split("/")[-1]
            folder.mkdir(parents=True, exist_ok=True)
            write_bytes(folder / f"t{int(round(time * 1000)):012d}ms.prom", body)
