"""The resource KPIs (`analysis/resources.py`) read the usage rows in plain Python, so that
`twin run` without `--out` never imports pandas: they must be what the pandas computation
they replaced gave (kept here as it was), on generated rows with the edge cases that
matter — ties for a pod's busiest interval, no memory limit, a memory peak at the 95 %
line, saturation at the 0.95 line, link-only rows, one sample or several."""

from __future__ import annotations

import sys
import subprocess
from types import SimpleNamespace

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.analysis.resources import SATURATED, resource_frame, resource_kpis


def pandas_kpis(records, usage, first_429):
    """`resource_kpis` as it was, on `resource_frame` (b0db7ed)."""
    frame = resource_frame(usage)
    pods = frame[frame["pod"] != ""]
    kills = [r for r in records if r.kind == "ContainerRestart" and r.details.get("reason") == "OOMKilled"]
    per_pod = {}
    for pod, rows in pods.groupby("pod", sort=True):
        limit = rows["memory_limit"].iloc[-1]
        busiest = rows.loc[rows["cpu_saturation"].idxmax()]
        per_pod[pod] = {"cpu_cores": round(float(busiest["cpu_cores"]), 6),
                        "cpu_saturation": round(float(busiest["cpu_saturation"]), 6),
                        "memory_peak_bytes": int(rows["memory_peak"].max()),
                        "memory_limit_bytes": None if np.isnan(limit) else int(limit),
                        "memory_limited": bool(rows["memory_limited"].iloc[-1]),
                        "oom_kills": sum(1 for r in kills if r.subject == pod)}
    times = np.unique(frame["time"].to_numpy())
    interval = float(np.diff(times).min()) if len(times) > 1 else 0.0

    def first(rows):
        return None if rows.empty else round(float(rows["time"].min()) - interval, 3)

    memory = pods[pods["memory_limit"].notna() & (pods["memory_peak"] >= 0.95 * pods["memory_limit"])]
    saturated = {"cpu": first(pods[pods["cpu_saturation"] >= SATURATED]),
                 "network": first(frame[frame["network_saturation"] >= SATURATED]),
                 "memory": first(memory) if not kills else round(min(r.details["exited"] for r in kills), 3),
                 "object_store": None, "limiter": None if first_429 is None else round(first_429, 3)}
    seen = {k: v for k, v in saturated.items() if v is not None}
    return {"pods": per_pod,
            "network_saturation": {node: round(float(v), 6) for node, v in
                                   frame.groupby("node")["network_saturation"].max().sort_index().items() if v > 0},
            "object_store": {}, "oom_kills": len(kills),
            "first_saturated": {**saturated, "first": min(seen, key=lambda k: (seen[k], k)) if seen else None}}


SATURATIONS = st.sampled_from([0.0, 0.3, 0.949999, SATURATED, 0.97, 1.0])
LIMIT = 1_000_000


@st.composite
def usage_rows(draw):
    """Rows as `usage.ResourceUsage` keeps them, every 10 s, for up to 3 pods on 3 nodes
    and link-only rows."""
    rows = []
    for step in range(1, draw(st.integers(1, 5)) + 1):
        t = 10.0 * step
        for pod in draw(st.lists(st.sampled_from(["ns/a", "ns/b", "ns/c", ""]), unique=True, max_size=4)):
            node = draw(st.sampled_from(["n1", "n2", "n3"]))
            cores = draw(st.sampled_from([0.5, 1.0, 2.0, 4.0]))
            saturation = draw(SATURATIONS)
            limit = draw(st.sampled_from([None, LIMIT]))
            peak = draw(st.sampled_from([0, 949_999, 950_000, 999_999, LIMIT]))
            network = draw(SATURATIONS)
            if pod:
                rows.append((t, pod, node, cores, cores * saturation, saturation, peak, limit, limit is not None,
                             network * 1e8, 1e8, network))
            else:
                rows.append((t, "", node, 0.0, 0.0, 0.0, 0, None, False, network * 1e8, 1e8, network))
    return rows


def record(kind, subject, **details):
    return SimpleNamespace(kind=kind, subject=subject, details=details)


@settings(max_examples=300)
@given(usage_rows(), st.one_of(st.none(), st.floats(0, 100)), st.booleans())
def test_the_resource_kpis_are_those_of_the_pandas_computation(rows, first_429, killed):
    usage = SimpleNamespace(rows=rows)
    records = [record("ContainerRestart", "ns/a", reason="OOMKilled", exited=12.5)] if killed else []
    assert resource_kpis(records, usage, None, first_429) == pandas_kpis(records, usage, first_429)


def test_a_run_without_out_imports_no_pandas():
    """`twin run` of a traffic scenario (request and resource KPIs, verdicts, the summary) leaves pandas and
    pyarrow unimported: they cost ≈ 0.3 s of every run's start."""
    code = ("import sys; from twin.scenarios.load import load_scenario; from twin.analysis.outcome import evaluate; "
            "from twin.analysis.summary import summary_text; s = load_scenario('zone-failure-pull-storm'); "
            "o = evaluate(s, s.spec.seed, None); summary_text(o.document, o.result.records); "
            "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
