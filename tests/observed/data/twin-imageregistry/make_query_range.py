"""Writes query_range.json (synthetic, from the twin: not a real cluster's export) from the
scrapes in metrics/ and the run folder's resources.parquet, shaped as a Thanos Querier
answers the queries of docs/calibration.md: one response per query, in a JSON list.

    .venv/bin/python tests/observed/data/twin-imageregistry/make_query_range.py /tmp/pl-scrapes
"""

import json
import sys
from pathlib import Path

import pandas as pd

from twin.observed import read_scrapes

HERE = Path(__file__).parent
EPOCH = 1796515200.0  # 2026-12-06T00:00:00Z: the twin's simulated second 0
QUERIES = ("imageregistry_http_requests_total", "imageregistry_http_request_duration_seconds_sum",
           "imageregistry_http_request_duration_seconds_count", "imageregistry_http_request_duration_seconds",
           "imageregistry_http_in_flight_requests", "imageregistry_storage_duration_seconds_sum",
           "imageregistry_storage_duration_seconds_count")
TARGET = {"namespace": "openshift-image-registry", "job": "image-registry", "service": "image-registry",
          "endpoint": "5000-tcp"}


def matrix(result):
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


def series(name, pod, labels, points, instance):
    metric = {"__name__": name, **dict(labels), **TARGET, "pod": pod, "instance": instance}
    return {"metric": metric, "values": [[round(EPOCH + t, 3), repr(float(v))] for t, v in points]}


def main(run: Path) -> None:
    frame = read_scrapes(HERE / "metrics")
    pods = sorted(frame["pod"].unique())
    instance = {p: f"10.128.{2 + i}.{17 + i}:5000" for i, p in enumerate(pods)}
    responses = []
    for query in QUERIES:
        rows = frame[frame["metric"] == query]
        result = [series(query, pod, labels, zip(g["time"], g["value"]), instance[pod])
                  for (pod, labels), g in rows.groupby(["pod", "labels"], sort=True)]
        responses.append(matrix(result))
    times = sorted(frame["time"].unique())
    usage = pd.read_parquet(run / "resources.parquet")
    usage["pod"] = usage["pod"].astype(str).str.split("/").str[-1]
    cpu, memory = [], []
    for pod in pods:
        u = usage[usage["pod"] == pod].sort_values("time")
        seconds = (u["cpu_used"] * u["time"].diff().fillna(10.0)).cumsum()
        labels = {"container": "registry", "cpu": "total"}
        cpu.append(series("container_cpu_usage_seconds_total", pod, labels,
                          [(t, seconds[u["time"] <= t].iloc[-1]) for t in times], instance[pod]))
        memory.append(series("container_memory_working_set_bytes", pod, {"container": "registry"},
                             [(t, u.loc[u["time"] <= t, "memory_peak"].iloc[-1]) for t in times], instance[pod]))
    responses += [matrix(cpu), matrix(memory)]
    (HERE / "query_range.json").write_text(json.dumps(responses, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
