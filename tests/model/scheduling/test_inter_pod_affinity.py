"""InterPodAffinity Filter and Score (upstream `filtering.go`, `scoring.go`)."""

from __future__ import annotations

from builders import node, pod, select
from cycle import passing, run_cycle, scores, verdicts

from twin.model.objects import HOSTNAME_KEY, ZONE_KEY

PLUGIN = "InterPodAffinity"


def nodes():
    return [node("a").zone("z1"), node("b").zone("z1"), node("c").zone("z2")]


def test_required_anti_affinity_keeps_the_pod_off_nodes_with_a_matching_pod():
    incoming = pod("p").labels(app="reg").anti_affinity(HOSTNAME_KEY, select(app="reg"))
    v = verdicts(run_cycle(nodes(), [pod("x").labels(app="reg").on("a")], incoming), PLUGIN)
    assert v["a"] == ("Unschedulable", ("node(s) didn't match pod anti-affinity rules",))
    assert v["b"] == ("Success", ())


def test_anti_affinity_by_zone_rejects_every_node_of_the_zone():
    incoming = pod("p").labels(app="reg").anti_affinity(ZONE_KEY, select(app="reg"))
    result = run_cycle(nodes(), [pod("x").labels(app="reg").on("a")], incoming)
    assert passing(result) == {"c"}


def test_terminating_pods_still_count_for_anti_affinity():
    incoming = pod("p").labels(app="reg").anti_affinity(HOSTNAME_KEY, select(app="reg"))
    result = run_cycle(nodes(), [pod("x").labels(app="reg").on("a").terminating()], incoming)
    assert "a" not in passing(result)


def test_an_existing_pods_anti_affinity_keeps_matching_newcomers_away():
    existing = pod("x").labels(app="db").on("a").anti_affinity(HOSTNAME_KEY, select(app="web"))
    v = verdicts(run_cycle(nodes(), [existing], pod("p").labels(app="web")), PLUGIN)
    assert v["a"] == ("Unschedulable", ("node(s) didn't satisfy existing pods anti-affinity rules",))
    assert v["b"] == ("Success", ())


def test_required_affinity_needs_a_matching_pod_in_the_domain():
    incoming = pod("p").labels(app="web").affinity_to(ZONE_KEY, select(app="db"))
    v = verdicts(run_cycle(nodes(), [pod("x").labels(app="db").on("a")], incoming), PLUGIN)
    assert v["a"] == v["b"] == ("Success", ())
    assert v["c"] == ("UnschedulableAndUnresolvable", ("node(s) didn't match pod affinity rules",))


def test_the_first_pod_of_a_self_affine_group_may_go_anywhere():
    incoming = pod("p").labels(app="web").affinity_to(ZONE_KEY, select(app="web"))
    assert passing(run_cycle(nodes(), [], incoming)) == {"a", "b", "c"}


def test_a_pod_with_no_terms_and_no_anti_affine_neighbours_skips_the_filter():
    result = run_cycle(nodes(), [pod("x").labels(app="db").on("a")], pod("p"))
    assert PLUGIN not in result.filters


def test_preferred_affinity_scores_domains_holding_matching_pods_higher():
    incoming = pod("p").labels(app="web").affinity_to(ZONE_KEY, select(app="db"), weight=10)
    result = run_cycle(nodes(), [pod("x").labels(app="db").on("a")], incoming)
    assert scores(result, PLUGIN) == {"a": 100, "b": 100, "c": 0}


def test_preferred_anti_affinity_scores_domains_holding_matching_pods_lower():
    incoming = pod("p").labels(app="web").anti_affinity(HOSTNAME_KEY, select(app="web"), weight=5)
    result = run_cycle(nodes(), [pod("x").labels(app="web").on("a")], incoming)
    assert scores(result, PLUGIN) == {"a": 0, "b": 100, "c": 100}


def test_an_existing_pods_required_affinity_attracts_matching_newcomers():
    existing = pod("x").labels(app="db").on("c").affinity_to(HOSTNAME_KEY, select(app="web"))
    result = run_cycle(nodes(), [existing], pod("p").labels(app="web"))
    assert scores(result, PLUGIN) == {"a": 0, "b": 0, "c": 100}
