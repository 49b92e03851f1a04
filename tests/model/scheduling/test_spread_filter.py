"""PodTopologySpread Filter for DoNotSchedule constraints, case by case from
`spec/scheduling.md` §2."""

from __future__ import annotations

from builders import node, pod, select
from cycle import passing, run_cycle, verdicts

from twin.model.objects import HONOR, HOSTNAME_KEY, IGNORE, SCHEDULE_ANYWAY, WORKER_ROLE_KEY, ZONE_KEY
from twin.model.scheduling import SchedulerConfig

SPREAD = "PodTopologySpread"
SKEW = ("Unschedulable", ("node(s) didn't match pod topology spread constraints",))
MISSING = ("UnschedulableAndUnresolvable", ("node(s) didn't match pod topology spread constraints (missing required label)",))
OK = ("Success", ())


def two_zones():
    return [node("a1").zone("z1"), node("a2").zone("z1"), node("b1").zone("z2"), node("b2").zone("z2")]


def web(name: str, where: str):
    return pod(name).labels(app="web").on(where)


def test_a_pod_with_only_soft_constraints_skips_the_filter():
    incoming = pod("p").labels(app="web").spread(1, ZONE_KEY, SCHEDULE_ANYWAY)
    result = run_cycle(two_zones(), [web("x", "a1"), web("y", "a2")], incoming)
    assert SPREAD not in result.filters
    assert passing(result) == {"a1", "a2", "b1", "b2"}


def test_a_zone_holding_more_pods_than_max_skew_allows_is_rejected_as_unschedulable():
    incoming = pod("p").labels(app="web").spread(1, ZONE_KEY)
    result = run_cycle(two_zones(), [web("x", "a1")], incoming)
    v = verdicts(result, SPREAD)
    assert v["a1"] == SKEW and v["a2"] == SKEW
    assert v["b1"] == OK and v["b2"] == OK


def test_a_node_without_the_topology_key_is_unschedulable_and_unresolvable():
    nodes = two_zones() + [node("bare")]
    result = run_cycle(nodes, [], pod("p").labels(app="web").spread(1, ZONE_KEY))
    assert verdicts(result, SPREAD)["bare"] == MISSING


def test_pods_in_other_namespaces_do_not_count():
    incoming = pod("p").labels(app="web").spread(1, ZONE_KEY)
    result = run_cycle(two_zones(), [web("x", "a1").ns("other"), web("y", "a2").ns("other")], incoming)
    assert passing(result) == {"a1", "a2", "b1", "b2"}


def test_terminating_pods_do_not_count():
    incoming = pod("p").labels(app="web").spread(1, ZONE_KEY)
    result = run_cycle(two_zones(), [web("x", "a1").terminating()], incoming)
    assert passing(result) == {"a1", "a2", "b1", "b2"}


def test_a_null_selector_matches_no_pod_and_not_the_incoming_pod_either():
    incoming = pod("p").labels(app="web").spread(1, ZONE_KEY, selector=None)
    result = run_cycle(two_zones(), [web("x", "a1"), web("y", "a2")], incoming)
    assert passing(result) == {"a1", "a2", "b1", "b2"}


def test_an_empty_selector_counts_every_pod_of_the_namespace():
    incoming = pod("p").labels(app="web").spread(1, ZONE_KEY, selector=select())
    result = run_cycle(two_zones(), [pod("x").labels(tier="db").on("a1")], incoming)
    assert passing(result) == {"b1", "b2"}


def test_the_v1_27_quirk_makes_an_empty_selector_count_nothing():
    incoming = pod("p").labels(app="web").spread(1, ZONE_KEY, selector=select())
    result = run_cycle(two_zones(), [pod("x").labels(tier="db").on("a1")], incoming,
                       config=SchedulerConfig(empty_selector_counts_zero=True))
    assert passing(result) == {"a1", "a2", "b1", "b2"}


def test_a_pod_not_matching_its_own_selector_adds_no_self_match():
    incoming = pod("p").labels(app="other").spread(1, ZONE_KEY, selector=select(app="web"))
    result = run_cycle(two_zones(), [web("x", "a1")], incoming)
    assert passing(result) == {"a1", "a2", "b1", "b2"}  # 1 + 0 - 0 <= 1


def test_the_all_keys_rule_drops_a_node_lacking_any_hard_key_from_every_constraint():
    # The master has a zone but no worker label: its zone "z3" must not become a domain
    # with 0 pods, otherwise the zone constraint would pin the global minimum at 0.
    nodes = [node("w1").zone("z1").worker(), node("w2").zone("z2").worker(), node("m").zone("z3")]
    pods = [web("x", "w1"), web("y", "w2")]
    incoming = pod("p").labels(app="web").spread(1, ZONE_KEY).spread(1, WORKER_ROLE_KEY)
    result = run_cycle(nodes, pods, incoming)
    v = verdicts(result, SPREAD)
    assert v["w1"] == OK and v["w2"] == OK
    assert v["m"] == MISSING


def test_without_the_worker_key_the_masters_zone_pins_the_global_minimum_to_zero():
    nodes = [node("w1").zone("z1").worker(), node("w2").zone("z2").worker(), node("m").zone("z3")]
    pods = [web("x", "w1"), web("y", "w2")]
    result = run_cycle(nodes, pods, pod("p").labels(app="web").spread(1, ZONE_KEY))
    v = verdicts(result, SPREAD)
    assert v["w1"] == SKEW and v["w2"] == SKEW and v["m"] == OK


def test_a_single_empty_eligible_domain_pins_the_global_minimum_to_zero():
    nodes = two_zones() + [node("c1").zone("z3")]
    pods = [web("x", "a1"), web("y", "b1")]
    result = run_cycle(nodes, pods, pod("p").labels(app="web").spread(1, ZONE_KEY))
    assert passing(result) == {"c1"}


def test_min_domains_above_the_domain_count_forces_a_global_minimum_of_zero():
    pods = [web("x", "a1"), web("y", "b1")]
    incoming = pod("p").labels(app="web").spread(1, ZONE_KEY, min_domains=3)
    result = run_cycle(two_zones(), pods, incoming)
    assert passing(result) == set()  # each zone: 1 + 1 - 0 = 2 > 1
    relaxed = run_cycle(two_zones(), pods, pod("p").labels(app="web").spread(1, ZONE_KEY, min_domains=2))
    assert passing(relaxed) == {"a1", "a2", "b1", "b2"}


def test_node_affinity_policy_honor_keeps_nodes_the_pod_cannot_use_out_of_the_domains():
    nodes = [node("a").zone("z1").label("pool", "x"), node("b").zone("z2").label("pool", "x"), node("c").zone("z3")]
    pods = [web("x", "a"), web("y", "b")]
    incoming = pod("p").labels(app="web").node_selecting(pool="x").spread(1, ZONE_KEY)
    result = run_cycle(nodes, pods, incoming)
    assert verdicts(result, SPREAD)["a"] == OK  # z3 is not a domain: min is 1
    ignoring = pod("p").labels(app="web").node_selecting(pool="x").spread(1, ZONE_KEY, node_affinity_policy=IGNORE)
    assert verdicts(run_cycle(nodes, pods, ignoring), SPREAD)["a"] == SKEW


def test_node_taints_policy_ignore_counts_tainted_nodes_as_domains_by_default():
    nodes = [node("a").zone("z1"), node("b").zone("z2"), node("c").zone("z3").taint("node.kubernetes.io/unreachable")]
    pods = [web("x", "a"), web("y", "b")]
    result = run_cycle(nodes, pods, pod("p").labels(app="web").spread(1, ZONE_KEY))
    assert verdicts(result, SPREAD)["a"] == SKEW  # the tainted zone z3 holds 0
    assert passing(result) == set()  # c passes spread but fails TaintToleration


def test_node_taints_policy_honor_drops_nodes_with_untolerated_taints_from_the_domains():
    nodes = [node("a").zone("z1"), node("b").zone("z2"), node("c").zone("z3").taint("node.kubernetes.io/unreachable")]
    pods = [web("x", "a"), web("y", "b")]
    incoming = pod("p").labels(app="web").spread(1, ZONE_KEY, node_taints_policy=HONOR)
    assert passing(run_cycle(nodes, pods, incoming)) == {"a", "b"}


def test_a_node_excluded_by_policy_still_passes_the_spread_filter_itself():
    nodes = [node("a").zone("z1"), node("b").zone("z2"), node("c").zone("z1").taint("t")]
    pods = [web("x", "a")]
    incoming = pod("p").labels(app="web").spread(1, ZONE_KEY, node_taints_policy=HONOR)
    v = verdicts(run_cycle(nodes, pods, incoming), SPREAD)
    assert v["b"] == OK and v["a"] == SKEW and v["c"] == SKEW  # c reads z1's count


def test_match_label_keys_count_only_pods_with_the_same_value():
    pods = [pod("old").labels(app="web", hash="v1").on("a1")]
    incoming = pod("p").labels(app="web", hash="v2").spread(1, ZONE_KEY, selector=select(app="web"),
                                                              match_label_keys=("hash",))
    assert passing(run_cycle(two_zones(), pods, incoming)) == {"a1", "a2", "b1", "b2"}
    without = pod("p").labels(app="web", hash="v2").spread(1, ZONE_KEY, selector=select(app="web"))
    assert passing(run_cycle(two_zones(), pods, without)) == {"b1", "b2"}


def test_constraints_apply_one_after_another_and_the_first_failure_is_reported():
    nodes = [node("a1").zone("z1"), node("a2").zone("z1"), node("b1").zone("z2")]
    pods = [web("x", "a1"), web("y", "b1")]
    incoming = pod("p").labels(app="web").spread(1, HOSTNAME_KEY).spread(1, ZONE_KEY)
    result = run_cycle(nodes, pods, incoming)
    assert passing(result) == {"a2"}
