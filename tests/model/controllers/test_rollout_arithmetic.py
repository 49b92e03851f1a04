"""Deployment controller arithmetic against the worked examples and upstream table tests
cited in spec/lifecycle.md §a.1, §a.3, §a.5 and §a.8."""

from __future__ import annotations

from dataclasses import replace

import pytest

from twin.model.controllers.proportional import (
    find_active_or_latest,
    go_round,
    is_saturated,
    is_scaling_event,
    proportional_scale,
    replicaset_fraction,
    scaling_order,
)
from twin.model.controllers.rollout import (
    MAX_INT32,
    cleanup_unhealthy_replicas,
    history_to_delete,
    max_scaled_down,
    max_surge,
    max_unavailable,
    min_available,
    new_rs_new_replicas,
    reconcile_new_replicas,
    resolve_fenceposts,
    scale_down_old_for_rolling_update,
)
from twin.model.labels import LabelSelector
from twin.model.objects import Pod
from twin.model.workloads import (
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    RECREATE,
    REVISION_ANNOTATION,
    DeploymentSpec,
    ReplicaSet,
    ReplicaSetStatus,
)

SELECTOR = LabelSelector.of({"app": "foo"})
TEMPLATE = Pod("", labels={"app": "foo"})


def spec(replicas: int, surge=0, unavailable=0, strategy: str = "RollingUpdate") -> DeploymentSpec:
    """Upstream test deployments default both fenceposts to 0 (so unavailable resolves to 1)."""
    return DeploymentSpec(replicas, SELECTOR, TEMPLATE, strategy=strategy, max_surge=surge, max_unavailable=unavailable)


def rs(name: str, replicas: int, created: float = 0.0, available: int = 0, status_replicas: int = 0, **annotations) -> ReplicaSet:
    keys = {"desired": DESIRED_REPLICAS_ANNOTATION, "max": MAX_REPLICAS_ANNOTATION, "revision": REVISION_ANNOTATION}
    notes = tuple((keys[k], v) for k, v in annotations.items())
    status = ReplicaSetStatus(replicas=status_replicas, available_replicas=available, observed_generation=1)
    return ReplicaSet(name, "default", replicas, SELECTOR, TEMPLATE, name, created=created, annotations=notes, status=status)


# ---- §a.1 fenceposts ---------------------------------------------------------------------

FENCEPOSTS = [
    ("0%/0% of 0 resolves to (0, 1) by the fencepost rule", "0%", "0%", 0, (0, 1)),
    ("39%/39% of 10 rounds surge up and unavailable down to (4, 3)", "39%", "39%", 10, (4, 3)),
    ("0%/1% of 10 rounds both to 0, so unavailable becomes 1", "0%", "1%", 10, (0, 1)),
    ("25%/25% of 4 resolves to (1, 1)", "25%", "25%", 4, (1, 1)),
    ("unset fields count as 0, then the fencepost gives (0, 1)", None, None, 5, (0, 1)),
    ("integers are taken as they are", 2, 3, 5, (2, 3)),
    ("percent maths is float: 25% of 6 is 1.5, surge 2 and unavailable 1", "25%", "25%", 6, (2, 1)),
]


@pytest.mark.parametrize("name, surge, unavailable, replicas, expected", FENCEPOSTS, ids=[c[0] for c in FENCEPOSTS])
def test_fenceposts(name, surge, unavailable, replicas, expected):
    assert resolve_fenceposts(surge, unavailable, replicas) == expected


@pytest.mark.parametrize("value", ["3", "25", "abc%", "%"])
def test_a_string_that_is_not_a_percentage_is_an_error(value):
    with pytest.raises(ValueError):
        resolve_fenceposts(value, 1, 10)


MAX_UNAVAILABLE = [
    ("10 of 5 is clamped to replicas: 5", spec(5, unavailable=10), 5),
    ("100% of 5 is 5", spec(5, unavailable="100%"), 5),
    ("replicas 0 gives 0 despite the fencepost", spec(0, unavailable=1), 0),
    ("Recreate gives 0", spec(5, unavailable=2, strategy=RECREATE), 0),
    ("the fencepost 1 counts when both resolve to 0", spec(10, surge="0%", unavailable="1%"), 1),
]


@pytest.mark.parametrize("name, deployment, expected", MAX_UNAVAILABLE, ids=[c[0] for c in MAX_UNAVAILABLE])
def test_max_unavailable(name, deployment, expected):
    assert max_unavailable(deployment) == expected


MIN_AVAILABLE = [
    ("10 replicas with 60% unavailable keep 4 available", spec(10, unavailable="60%"), 4),
    ("10 replicas with 100% unavailable keep 0", spec(10, unavailable="100%"), 0),
    ("5 replicas with 10 unavailable keep 0", spec(5, unavailable=10), 0),
    ("Recreate has no minimum", spec(10, unavailable=1, strategy=RECREATE), 0),
]


@pytest.mark.parametrize("name, deployment, expected", MIN_AVAILABLE, ids=[c[0] for c in MIN_AVAILABLE])
def test_min_available(name, deployment, expected):
    assert min_available(deployment) == expected


def test_max_surge_is_zero_for_recreate_and_rounds_up_for_rolling_updates():
    assert max_surge(spec(3, surge="25%", strategy=RECREATE)) == 0
    assert [max_surge(spec(n, surge="25%")) for n in (1, 3, 4, 6)] == [1, 1, 1, 2]


# The image registry's strategies, spec/registry-operator.md §2.2: (replicas, maxUnavailable, maxSurge) -> resolved.
REGISTRY = [
    ("replicas 1 with 0/25% resolves to surge 1, unavailable 0", 1, 0, "25%", 1, 0),
    ("replicas 2 with 1/1 resolves to surge 1, unavailable 1", 2, 1, 1, 1, 1),
    ("replicas 3 with 2/25% resolves to surge 1, unavailable 2", 3, 2, "25%", 1, 2),
    ("replicas 6 with 5/25% resolves to surge 2, unavailable 5", 6, 5, "25%", 2, 5),
]


@pytest.mark.parametrize("name, replicas, unavailable, surge, want_surge, want_unavail", REGISTRY, ids=[c[0] for c in REGISTRY])
def test_image_registry_strategies(name, replicas, unavailable, surge, want_surge, want_unavail):
    deployment = spec(replicas, surge=surge, unavailable=unavailable)
    assert (max_surge(deployment), max_unavailable(deployment)) == (want_surge, want_unavail)


# ---- §a.3 one rolling sync ------------------------------------------------------------------

NEW_RS_REPLICAS = [
    ("a new RS is born surged: replicas 3, surge 1, old 3 -> 1", spec(3, surge=1), 3, 0, 1),
    ("at replicas + maxSurge the new RS keeps its size", spec(3, surge=1), 4, 1, 1),
    ("growth is capped by replicas - newRS.spec", spec(3, surge=3), 2, 1, 3),
    ("growth is capped by maxTotal - current", spec(10, surge=3), 12, 4, 5),
    ("Recreate goes straight to replicas", spec(3, strategy=RECREATE), 3, 0, 3),
]


@pytest.mark.parametrize("name, deployment, total, new_spec, expected", NEW_RS_REPLICAS, ids=[c[0] for c in NEW_RS_REPLICAS])
def test_new_rs_new_replicas(name, deployment, total, new_spec, expected):
    assert new_rs_new_replicas(deployment, total, new_spec) == expected


def test_reconcile_new_replicas_scales_an_oversized_new_rs_down_to_replicas_and_leaves_a_full_one_alone():
    assert reconcile_new_replicas(spec(3, surge=1), 5, 5) == 3
    assert reconcile_new_replicas(spec(3, surge=1), 3, 3) == 3
    assert reconcile_new_replicas(spec(3, surge=1), 3, 1) == 2


def test_derived_case_10_replicas_new_rs_5_unavailable_old_rs_8_with_1_failed_scales_nothing_down():
    # 10 replicas, maxUnavailable 2, maxSurge 3: 13 - 8 - 5 = 0 (spec/lifecycle.md §a.3).
    deployment = spec(10, surge=3, unavailable=2)
    budget = max_scaled_down(13, 10 - max_unavailable(deployment), 5, 0)
    assert budget == 0
    assert new_rs_new_replicas(deployment, 13, 5) == 5  # and no scale-up either


def test_after_a_rollback_to_a_good_rs_the_budget_is_4():
    # Upstream's comment, case 1 continued: newRS unavailable drops to 1, 13 - 8 - 1 = 4.
    assert max_scaled_down(13, 8, 5, 4) == 4


def test_cleanup_walks_oldest_first_and_skips_empty_and_healthy_rss():
    older, empty, healthy, newer = rs("a", 4, 0, 2), rs("b", 0, 1), rs("c", 3, 2, 3), rs("d", 3, 3, 1)
    result = cleanup_unhealthy_replicas([newer, healthy, empty, older], budget=3)
    assert [(s.rs.name, s.replicas) for s in result.steps] == [("a", 2), ("d", 2)]
    assert result.scaled == 3 and not result.failed


def test_cleanup_stops_when_the_budget_is_used():
    result = cleanup_unhealthy_replicas([rs("a", 4, 0, 0), rs("b", 3, 1, 0)], budget=2)
    assert [(s.rs.name, s.replicas) for s in result.steps] == [("a", 2)]


def test_a_stale_status_with_more_available_than_spec_makes_cleanup_fail():
    # Old RS just scaled 3 -> 1 but its status still says 3 available (§a.3 subtlety).
    result = cleanup_unhealthy_replicas([rs("a", 1, 0, available=3)], budget=1)
    assert result.failed and result.steps == ()


def test_cleanup_keeps_the_steps_it_took_for_older_rss_before_the_stale_one():
    # Upstream has already written the older RS's scale-down when it reaches the stale RS.
    result = cleanup_unhealthy_replicas([rs("old", 3, 0, available=1), rs("stale", 1, 1, available=3)], budget=5)
    assert result.failed
    assert [(s.rs.name, s.replicas) for s in result.steps] == [("old", 1)]


def test_scale_down_removes_available_minus_min_available_oldest_first():
    steps = scale_down_old_for_rolling_update(4, 1, [rs("b", 3, 1), rs("a", 2, 0), rs("z", 0, 2)])
    assert [(s.rs.name, s.replicas) for s in steps] == [("a", 0), ("b", 2)]


def test_scale_down_does_nothing_at_or_below_min_available():
    assert scale_down_old_for_rolling_update(2, 2, [rs("a", 2)]) == ()


# ---- §a.8 revision history (upstream TestDeploymentController_cleanupDeployment) ------------------


def with_status(name: str, spec_replicas: int, status_replicas: int, revision: int, deleting: bool = False) -> ReplicaSet:
    base = rs(name, spec_replicas, revision * 10.0, status_replicas=status_replicas, revision=str(revision))
    return replace(base, deleting=deleting)


HISTORY = [
    ("limit 1 with three empty RSs deletes the two oldest", [(0, 0), (0, 0), (0, 0)], 1, ["r1", "r2"]),
    ("limit 0 deletes only the RS with spec and status 0", [(0, 0), (0, 1), (1, 0), (1, 1)], 0, ["r1"]),
    ("limit 0 with two empty RSs deletes both", [(0, 0), (0, 0)], 0, ["r1", "r2"]),
    ("limit 0 with two non-empty RSs deletes none", [(1, 1), (1, 1)], 0, []),
    ("unlimited (MaxInt32) deletes none", [(0, 0), (0, 0), (0, 0)], MAX_INT32, []),
    ("None is unlimited too", [(0, 0), (0, 0)], None, []),
]


@pytest.mark.parametrize("name, sizes, limit, expected", HISTORY, ids=[c[0] for c in HISTORY])
def test_history_cleanup(name, sizes, limit, expected):
    old = [with_status(f"r{i + 1}", s, st, i + 1) for i, (s, st) in enumerate(sizes)]
    assert [r.name for r in history_to_delete(old, limit)] == expected


def test_history_cleanup_skips_an_rs_already_being_deleted():
    assert history_to_delete([with_status("r1", 0, 0, 1, deleting=True)], 0) == []


def test_history_cleanup_walks_by_revision_and_does_not_replace_skipped_rss():
    # Revision 1 is not empty: it is skipped and revision 3 is not deleted in its place.
    old = [with_status("r3", 0, 0, 3), with_status("r1", 1, 1, 1), with_status("r2", 0, 0, 2)]
    assert [r.name for r in history_to_delete(old, 1)] == ["r2"]


def test_history_cleanup_skips_an_rs_whose_status_is_not_yet_observed():
    unobserved = replace(with_status("r1", 0, 0, 1), generation=2)
    assert [r.name for r in history_to_delete([unobserved, with_status("r2", 0, 0, 2)], 0)] == ["r2"]


# ---- §a.5 proportional scaling ----------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [(2.5, 3), (-2.5, -3), (0.5, 1), (1.5, 2), (1.49999, 1), (-0.4, 0), (4.0, 4)])
def test_go_round_rounds_half_away_from_zero(value, expected):
    assert go_round(value) == expected


def test_python_round_would_be_wrong_for_the_4_to_5_case():
    assert round(2.5) == 2 and go_round(2 * 5 / 4) == 3


# Upstream TestGetReplicaSetFraction: (replicas, status.replicas, maxSurge, rs spec, max-replicas annotation, fraction).
FRACTIONS = [
    ("an empty deployment always scales to 0", 0, 0, 0, 10, None, -10),
    ("a missing annotation with status.replicas 0 does not scale", 10, 0, 0, 5, None, 0),
    ("an annotation of 0 with status.replicas 0 does not scale", 10, 0, 0, 5, "0", 0),
    ("a missing annotation falls back to status.replicas: 100 -> 120 adds 1/5", 120, 100, 0, 50, None, 10),
    ("an annotation of 0 falls back to status.replicas too", 120, 100, 0, 50, "0", 10),
    ("an invalid annotation falls back to status.replicas too", 120, 100, 0, 50, "x", 10),
    ("scale up by 1/5 adds 1/5", 120, 0, 0, 50, "100", 10),
    ("scale up with maxSurge adds about 1/5", 120, 0, 10, 50, "110", 9),
    ("scale down by 1/6 removes 1/6", 10, 0, 0, 6, "12", -1),
    ("scale down with maxSurge removes about 1/6", 100, 0, 10, 50, "130", -8),
]


@pytest.mark.parametrize("name, replicas, stored, surge, size, annotation, expected", FRACTIONS, ids=[c[0] for c in FRACTIONS])
def test_replicaset_fraction(name, replicas, stored, surge, size, annotation, expected):
    target = rs("foo", size, **({"max": annotation} if annotation is not None else {}))
    assert replicaset_fraction(target, spec(replicas, surge=surge, unavailable=1), stored) == expected


NEW, OLD, OLDER = 2.0, 1.0, 0.0

# Upstream TestScale: name, (replicas, surge), (previous replicas, previous surge), new RS size or None,
# old RSs [(name, size, created)], expected new size, expected old sizes.
SCALE = [
    ("normal scaling event: 10 -> 12", (12, 0), (10, 0), 10, [], 12, []),
    ("normal scaling event: 10 -> 5", (5, 0), (10, 0), 10, [], 5, []),
    ("proportional scaling: 5 -> 10", (10, 0), (5, 0), 2, [("v1", 3, OLD)], 4, [6]),
    ("proportional scaling: 5 -> 3", (3, 0), (5, 0), 2, [("v1", 3, OLD)], 1, [2]),
    ("proportional scaling: 9 -> 4", (4, 0), (9, 0), 8, [("v1", 1, OLD)], 4, [0]),
    ("proportional scaling: 7 -> 10 with 2/3/2 gives 3/4/3", (10, 0), (7, 0), 2, [("v2", 3, OLD), ("v1", 2, OLDER)], 3, [4, 3]),
    ("proportional scaling: 13 -> 8 with 2/8/3 gives 1/5/2", (8, 0), (13, 0), 2, [("v2", 8, OLD), ("v1", 3, OLDER)], 1, [5, 2]),
    ("leftover distribution: 3 -> 4 goes to the newest", (4, 0), (3, 0), 1, [("v2", 1, OLD), ("v1", 1, OLDER)], 2, [1, 1]),
    ("leftover distribution: 3 -> 2 comes from the oldest", (2, 0), (3, 0), 1, [("v2", 1, OLD), ("v1", 1, OLDER)], 1, [1, 0]),
    ("no new RS: 4 -> 5 scales the latest first", (5, 0), (4, 0), None, [("v2", 2, OLD), ("v1", 2, OLDER)], None, [3, 2]),
    ("proportional scaling: 6 -> 0", (0, 0), (6, 0), 3, [("v2", 2, OLD), ("v1", 1, OLDER)], 0, [0, 0]),
    ("proportional scaling: 0 -> 6 scales only the new RS", (6, 0), (6, 0), 0, [("v2", 0, OLD), ("v1", 0, OLDER)], 6, [0, 0]),
    ("deployment with surge 2: 10 -> 20 with 6/6 gives 11/11", (20, 2), (10, 2), 6, [("v1", 6, OLD)], 11, [11]),
    ("change both surge and size", (50, 6), (10, 3), 5, [("v1", 8, OLD)], 22, [34]),
    ("change both size and template (no new RS yet)", (14, 0), (10, 0), None, [("v2", 7, NEW), ("v1", 3, OLD)], None, [10, 4]),
]


@pytest.mark.parametrize("name, now, before, new_size, olds, want_new, want_olds", SCALE, ids=[c[0] for c in SCALE])
def test_proportional_scale(name, now, before, new_size, olds, want_new, want_olds):
    desired, maximum = str(before[0]), str(before[0] + before[1])
    new_rs = None if new_size is None else rs("v3", new_size, NEW, desired=desired, max=maximum)
    old_rss = [rs(n, size, created, desired=desired, max=maximum) for n, size, created in olds]
    sizes = _sizes(proportional_scale(spec(now[0], surge=now[1]), new_rs, old_rss, 0), new_rs, old_rss)
    assert (sizes.get("v3"), [sizes[n] for n, _, _ in olds]) == (want_new, want_olds)


def _sizes(steps, new_rs, old_rss) -> dict:
    sizes = {r.name: r.replicas for r in [*old_rss, *([new_rs] if new_rs else [])]}
    sizes.update({s.rs.name: s.replicas for s in steps})
    return sizes


def test_failed_rs_update_case_scales_the_rs_annotated_for_3_by_one():
    # Upstream "failed rs update": replicas 5, v2 annotated desired 3 (max 3), others 5.
    new_rs = rs("v3", 2, NEW, desired="5", max="5")
    old_rss = [rs("v2", 1, OLD, desired="3", max="3"), rs("v1", 1, OLDER, desired="5", max="5")]
    sizes = _sizes(proportional_scale(spec(5), new_rs, old_rss, 0), new_rs, old_rss)
    assert (sizes["v3"], sizes["v2"], sizes["v1"]) == (2, 2, 1)


def test_saturated_but_broken_new_rs_does_not_affect_old_pods():
    new_rs = rs("v2", 2, NEW, available=0, desired="2", max="3")
    old_rss = [rs("v1", 1, OLD, desired="2", max="3")]
    steps = proportional_scale(spec(2, surge=1, unavailable=1), new_rs, old_rss, 0)
    assert _sizes(steps, new_rs, old_rss) == {"v2": 2, "v1": 1}


def test_a_saturated_new_rs_scales_every_active_old_rs_to_zero():
    new_rs = rs("v3", 2, NEW, available=2, desired="2", max="3")
    old_rss = [rs("v2", 1, OLD, desired="2"), rs("v1", 0, OLDER, desired="2")]
    steps = proportional_scale(spec(2, surge=1, unavailable=1), new_rs, old_rss, 0)
    assert [(s.rs.name, s.replicas) for s in steps] == [("v2", 0)]


def test_is_saturated_needs_spec_annotation_and_availability_all_equal_to_replicas():
    assert is_saturated(2, rs("a", 2, available=2, desired="2"))
    assert not is_saturated(2, rs("a", 2, available=1, desired="2"))
    assert not is_saturated(2, rs("a", 2, available=2, desired="3"))
    assert not is_saturated(2, rs("a", 2, available=2))
    assert not is_saturated(2, None)


def test_a_scaling_event_is_an_active_rs_annotated_with_other_desired_replicas():
    assert is_scaling_event(spec(5), [rs("a", 3, desired="3"), rs("b", 2, desired="5")])
    assert not is_scaling_event(spec(5), [rs("a", 3, desired="5"), rs("b", 2)])
    assert not is_scaling_event(spec(5), [rs("a", 0, desired="3")])  # inactive RSs do not count


def test_scaling_order_breaks_ties_newer_first_up_and_older_first_down():
    oldest, middle, newest = rs("oldest", 2, 0), rs("middle", 3, 1), rs("newest", 2, 2)
    assert [r.name for r in scaling_order([oldest, middle, newest], 1)] == ["middle", "newest", "oldest"]
    assert [r.name for r in scaling_order([oldest, middle, newest], -1)] == ["middle", "oldest", "newest"]


def test_find_active_or_latest_picks_the_newest_old_rs_when_none_is_active():
    assert find_active_or_latest(None, [rs("a", 0, 0), rs("b", 0, 1)]).name == "b"
    assert find_active_or_latest(rs("n", 0, 5), [rs("a", 0, 0)]).name == "n"
    assert find_active_or_latest(rs("n", 1, 5), [rs("a", 1, 0)]) is None
