"""The pruner's keep rules, table-driven from openshift/oc
`pkg/cli/admin/prune/imageprune/prune.go` (`pruneImageStreamTag`, `pruneImage`,
`getRepositoryReferenceCounts`, `getGlobalReferenceCounts`), cases after its
`prune_test.go` ("no pods - 1 image", "referenced by pod", "referenced by tag",
"multiple resources pointing to image with same blobs", "image exceeding limits"...)."""

from __future__ import annotations

import math

import pytest

from twin.model.images.pruning import KeepRules, Revision, plan_prune
from twin.model.registry.catalogue import Image

HOST = "image-registry.openshift-image-registry.svc:5000"
HOUR = 3600.0


def image(n: int, layers: tuple[int, ...], stream: str = "apps/a") -> Image:
    return Image(f"{HOST}/{stream}@sha256:{n:064x}", stream, f"sha256:{n:064x}", 1000, 100 + n, 10, layers,
                 tuple(1 for _ in layers))


def history(*revisions: tuple[int, float], layers=None, stream="apps/a") -> list[Revision]:
    return [Revision(image(n, layers or (n * 10, n * 10 + 1), stream), created) for n, created in revisions]


OLD = -math.inf
FIVE = history((5, 5 * HOUR), (4, 4 * HOUR), (3, 3 * HOUR), (2, 2 * HOUR), (1, OLD))

CASES = [
    # (name, tags, now, rules, used_tags, used_images, expected pruned image numbers)
    ("revisions past keepTagRevisions and older than keepYoungerThan are pruned",
     {"apps/a:latest": FIVE}, 10 * HOUR, KeepRules(3, HOUR), (), (), {2, 1}),
    ("a revision younger than keepYoungerThan is kept whatever its number",
     {"apps/a:latest": FIVE}, 10 * HOUR, KeepRules(0, 6.5 * HOUR), (), (), {3, 2, 1}),
    ("keepTagRevisions 0 prunes even the newest revision when nothing uses the tag",
     {"apps/a:latest": FIVE}, 10 * HOUR, KeepRules(0, HOUR), (), (), {5, 4, 3, 2, 1}),
    ("revision 0 of a tag a workload names by tag is kept (usedTags)",
     {"apps/a:latest": FIVE}, 10 * HOUR, KeepRules(0, HOUR), ("apps/a:latest",), (), {4, 3, 2, 1}),
    ("a revision a pod names by digest is kept (usedImages)",
     {"apps/a:latest": FIVE}, 10 * HOUR, KeepRules(3, HOUR), (), (FIVE[4].image.reference,), {2}),
    ("a digest used in another stream does not protect this one's revision",
     {"apps/a:latest": FIVE}, 10 * HOUR, KeepRules(3, HOUR), (), (f"{HOST}/apps/b@{FIVE[4].digest}",), {2, 1}),
]


@pytest.mark.parametrize("name, tags, now, rules, used_tags, used_images, pruned", CASES, ids=[c[0] for c in CASES])
def test_keep_rules(name, tags, now, rules, used_tags, used_images, pruned):
    plan = plan_prune(tags, now, rules, used_tags, used_images)
    assert {int(i.tag.split(":")[1], 16) for v in plan.removed.values() for i in v} == pruned
    assert {int(i.tag.split(":")[1], 16) for i in plan.deleted_images} == pruned


def test_blobs_a_kept_image_still_has_are_never_deleted():
    shared = (7, 8)
    tags = {"apps/a:latest": [Revision(image(n, shared + (n,)), OLD) for n in (4, 3, 2, 1)]}
    plan = plan_prune(tags, 0.0, KeepRules(2, HOUR))
    deleted_blobs = {d.blob for d in plan.deletes if d.what == "blob"}
    assert deleted_blobs == {2, 1, 102, 101, -1}  # own layers, configs, manifests (blob -1: by the image's digest)
    assert not deleted_blobs & set(shared)
    assert {d.blob for d in plan.deletes if d.what == "layer"} == {2, 1, 102, 101}


def test_stage_one_deletes_layer_links_then_manifest_links_stage_two_blobs():
    plan = plan_prune({"apps/a:latest": FIVE}, 10 * HOUR, KeepRules(3, HOUR))
    order = [d.what for d in plan.deletes]
    assert order == ["layer"] * 6 + ["manifest"] * 2 + ["blob"] * 8
    assert {d.repository for d in plan.stage1} == {"apps/a"}


def test_an_image_in_two_streams_is_deleted_only_when_neither_names_it():
    a = history((2, OLD), (1, OLD))
    b = [Revision(a[1].image, OLD)]  # the same content tagged in a second stream's only tag
    plan = plan_prune({"apps/a:latest": a, "apps/b:latest": b}, 0.0, KeepRules(1, HOUR))
    assert [i.tag for v in plan.removed.values() for i in v] == [a[1].image.tag]
    assert plan.deleted_images == ()
    assert [d.what for d in plan.deletes] == ["layer", "layer", "layer", "manifest"]


def test_without_prune_registry_only_api_objects_change():
    plan = plan_prune({"apps/a:latest": FIVE}, 10 * HOUR, KeepRules(3, HOUR, prune_registry=False))
    assert plan.deletes == () and len(plan.deleted_images) == 2


def test_an_orphan_a_failed_run_left_is_deleted_by_the_next():
    orphan = Revision(image(9, (90, 91)), OLD)
    plan = plan_prune({"apps/a:latest": FIVE[:3]}, 10 * HOUR, KeepRules(3, HOUR), orphans=[orphan])
    assert plan.removed == {} and [i.tag for i in plan.deleted_images] == [orphan.image.tag]
    assert {d.blob for d in plan.deletes} == {90, 91, 109, -1}


@pytest.mark.parametrize("rules, message", [
    (dict(keep_tag_revisions=-1), "--keep-tag-revisions must be greater than or equal to 0"),
    (dict(keep_younger_than=-1.0), "--keep-younger-than must be greater than or equal to 0"),
], ids=["negative keep-tag-revisions (images.go Validate)", "negative keep-younger-than (images.go Validate)"])
def test_oc_refuses_negative_keep_settings(rules, message):
    with pytest.raises(ValueError, match=message):
        KeepRules(**rules)
