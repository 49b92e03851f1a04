"""The figures a validation compares, computed alike from an observation (access log
rows and metric samples in a window) and from a twin run (its summary and request
statistics over the traffic period, after `warm_up`).

* per kind: answered requests (2xx and 3xx) per second, and the p50 and p99 of their
  durations (the registry's own duration in the log; the twin's arrival to response);
* `rejected_429` and `unavailable_503`: shares of all requests;
* `in_flight`: the mean of the requests in flight at the samples (the registry's
  in-flight gauge at each scrape; the twin's running requests every 10 s).
"""

from __future__ import annotations

import numpy as np

from twin.calibration.calibrate import Observation
from twin.observed import rates

KINDS = ("ping", "manifest_get", "manifest_head", "blob_get", "blob_head", "upload_start", "upload_chunk",
         "upload_commit", "manifest_put", "token_get")


def observed_figures(observation: Observation, start: float, end: float) -> dict:
    window = observation.window(start, end)
    seconds = end - start
    figures: dict = {"kinds": {}, "seconds": seconds}
    requests = window.requests
    if requests is not None and len(requests):
        answered = requests[(requests["status"] >= 200) & (requests["status"] < 400)]
        for kind, rows in answered.groupby("kind"):
            if kind not in KINDS:
                continue
            durations = rows["duration_seconds"].to_numpy(dtype=float)
            durations = durations[np.isfinite(durations)]
            figures["kinds"][kind] = {
                "requests_per_second": len(rows) / seconds,
                "p50": float(np.quantile(durations, 0.5)) if len(durations) else None,
                "p99": float(np.quantile(durations, 0.99)) if len(durations) else None}
        status = requests["status"].to_numpy()
        figures["rejected_429"] = float(np.mean(status == 429))
        figures["unavailable_503"] = float(np.mean(status == 503))
    samples = window.samples
    if samples is not None and len(samples):
        flight = rates.in_flight(samples)
        if len(flight):
            figures["in_flight"] = float(flight.groupby("time")["in_flight"].sum().mean())
    return figures


def predicted_figures(document: dict, series: list[tuple], start: float, end: float) -> dict:
    """From a run's summary.json document and its request statistics' series (time, pod,
    running, ...), over the traffic period [start, end]."""
    seconds = end - start
    requests = document["requests"]
    figures: dict = {"kinds": {}, "seconds": seconds}
    for kind, q in requests["latency_seconds"].items():
        if kind in KINDS:
            figures["kinds"][kind] = {"requests_per_second": q["requests"] / seconds, "p50": q["p50"], "p99": q["p99"]}
    outcomes, issued = requests["outcomes"], max(requests["issued"], 1)
    figures["rejected_429"] = outcomes["too_many"] / issued
    figures["unavailable_503"] = outcomes["unavailable"] / issued
    running: dict[float, float] = {}
    for row in series:
        if start <= row[0] <= end:
            running[row[0]] = running.get(row[0], 0.0) + row[2]
    if running:
        figures["in_flight"] = float(np.mean(list(running.values())))
    return figures
