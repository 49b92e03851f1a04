"""The 36 upstream `TestPreFilterState` cases: which hard constraints a pod gets and the
per-domain counts PreFilter computes (`spec/scheduling.md` §2.1–§2.2)."""

from __future__ import annotations

import pytest
from cases import existing_pod, incoming_pod, load_cases, node, scheduler_config, services

from twin.model.cluster import ClusterView
from twin.model.scheduling.context import CycleContext
from twin.model.scheduling.plugins.pod_topology_spread import prefilter

CASES = load_cases()


def test_all_36_upstream_cases_are_present():
    assert len(CASES) == 36


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_prefilter_counts_match_upstream(case):
    view = ClusterView(
        [node(n) for n in case["nodes"]],
        [existing_pod(p) for p in case["existing_pods"]],
        services=services(case),
    )
    ctx = CycleContext(view, incoming_pod(case["pod"]), scheduler_config(case))
    state = prefilter(ctx)
    if case["expected_skip"]:
        assert state is None
        return
    assert state is not None
    got = [{"topology_key": c.topology_key, "max_skew": c.max_skew} for c in state.constraints]
    assert got == case["expected_constraints"]
    assert state.domain_counts(ctx) == case["expected_domain_counts"]
