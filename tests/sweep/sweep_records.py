"""Hand-made run records, as `twin.sweep.task.run_one` returns them, for the table tests."""

from __future__ import annotations


def record(index: int, seed: int, replicas: int, recovery: float | None, holds: bool = True) -> dict:
    summary = {"invariants": [{"name": "zone_failure_recovery", "holds": holds, "detail": ""}],
               "kpis": {"registry_recovery_seconds": recovery, "evictions": 2},
               "requests": {"latency_seconds": {"blob_get": {"p99": 0.5, "requests": 10}}, "phases": [{"from": 0.0}]}}
    return {"name": f"{index:04d}-seed-{seed}", "index": index, "values": {"registry.replicas": replicas},
            "seed": seed, "exit_status": 0 if holds else 1, "summary": summary, "wall_seconds": 0.1}
