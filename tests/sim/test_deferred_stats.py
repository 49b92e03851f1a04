"""The request statistics count the data plane's ended requests in large deferred batches
(`RequestStats.take`, `settle`): every figure is a sum or a minimum over the requests,
so it must come out the same as counting each flushed batch as it comes."""

from __future__ import annotations

import numpy as np
import pytest

import twin.sim.traffic.stats as stats_module
from tests.sim.build import write
from twin.analysis.outcome import evaluate
from twin.model.registry.batch import Client, Served
from twin.model.registry.requests import Kind
from twin.scenarios.load import load_scenario
from twin.sim.traffic.stats import RequestStats

TIGHT_READS = {"config": {"spec": {"replicas": 2, "managementState": "Managed", "storage": {"s3": {}},
                                   "requests": {"read": {"maxRunning": 3, "maxInQueue": 4, "maxWaitInQueue": "1s"}}}}}
BUSY = {"duration": "12m", "registry": TIGHT_READS,
        "traffic": {"background": {"pulls": {"constant": 40}, "pushes": {"constant": 1}}},
        "faults": [{"at": "3m", "config_edit": {"patch": {"spec": {"readOnly": True}}}},
                   {"at": "5m", "zone_outage": {"zone": "registry"}},
                   {"at": "8m", "config_edit": {"patch": {"spec": {"readOnly": False}}}}]}
"""Pulls past the read limits (429s), pushes refused while read-only, a zone outage
splitting the run into phases."""


def figures(stats: RequestStats) -> dict:
    """Every figure the statistics keep, in a comparable form."""
    return {"totals": stats.totals(), "outcomes": dict(stats.outcomes), "latency": stats.latency.tolist(),
            "phase_latency": stats.phase_latency.tolist(), "phase_outcomes": stats.phase_outcomes.tolist(),
            "per_interval": {i: row.tolist() for i, row in stats.per_interval.items()},
            "latency_series": stats.latency_series(), "first_429": stats.first_429, "read_only": stats.read_only,
            "sessions": stats.sessions, "session_seconds": stats.session_seconds.tolist(), "series": stats.series,
            "peaks": stats.peaks, "open": dict(stats.open_at_end), "issued": stats.issued_counts.tolist()}


def run_deferring(tmp_path, monkeypatch, rows: int):
    monkeypatch.setattr(stats_module, "DEFER_ROWS", rows)
    scenario = load_scenario(write(tmp_path, **BUSY))
    outcome = evaluate(scenario, scenario.spec.seed, None)
    return outcome, outcome.result.traffic.engine.stats


def test_counting_deferred_batches_gives_the_figures_of_counting_every_flushed_batch(tmp_path, monkeypatch):
    every, every_stats = run_deferring(tmp_path, monkeypatch, 1)  # each pod's batch counted at its flush
    assert every_stats.first_429 is not None and every_stats.read_only and len(every_stats.phase_edges) == 3
    for rows in (997, 10**9):  # settled now and then during the run; all at once at its end
        deferred, deferred_stats = run_deferring(tmp_path, monkeypatch, rows)
        assert figures(deferred_stats) == figures(every_stats)
        assert deferred.document == every.document
        assert deferred_stats.pending.rows == 0 and deferred_stats.tally.clients == []


@pytest.mark.parametrize("rows", [1, 7, 250, 10**9])
def test_batches_taken_in_any_grouping_give_the_counts_of_one_finished_batch(rows, monkeypatch):
    monkeypatch.setattr(stats_module, "DEFER_ROWS", rows)
    rng = np.random.default_rng(rows)
    n = 2000
    time = np.sort(rng.uniform(0, 900, n))
    end = time + rng.exponential(0.3, n)
    kind, client = rng.integers(0, len(Kind), n), rng.integers(0, len(Client), n)
    code = rng.choice([200, 201, 202, 404, 405, 429, 500, 503, 504], n)
    whole, parts = RequestStats(phase_edges=(300.0, 600.0)), RequestStats(phase_edges=(300.0, 600.0))
    whole.finished(served(time, kind.astype(np.int8), client.astype(np.int8), end, code.astype(np.int16)), "pod",
                   read_only=True)
    cuts = np.sort(rng.choice(np.arange(1, n), 40, replace=False))
    for part in np.split(np.arange(n), cuts):
        keys = [((c * len(Kind) + k) << 16) | x for c, k, x in zip(client[part], kind[part], code[part])]
        parts.take((time[part].tolist(), end[part].tolist(), [int(k) for k in keys]), "pod", read_only=True)
    parts.settle()
    assert figures(parts) == figures(whole)


def served(time, kind, client, end, code) -> Served:
    """A `Served` batch with the columns the statistics read, the others empty."""
    n = len(time)
    zeros = np.zeros(n)
    return Served(time, kind, zeros, client, zeros, zeros, zeros, end, code, zeros, np.zeros((n, 2)), zeros, zeros,
                  zeros, zeros)


def test_the_answered_and_429_classes_are_exactly_the_codes_they_stand_for():
    """`_count` reads answered (2xx, 3xx) and 429 from each code's class, looked up once."""
    from twin.model.registry.requests import CLASS_OF_CODE

    codes = np.arange(600)
    klass = CLASS_OF_CODE.take(codes)
    assert (stats_module._ANSWERED[klass] == ((codes >= 200) & (codes < 400))).all()
    assert ((klass == stats_module._TOO_MANY) == (codes == 429)).all()
