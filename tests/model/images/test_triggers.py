"""Image-change triggers: the cases of library-go `pkg/image/trigger/annotations_test.go`
(`TestAnnotationsReactor`, as vendored by openshift-controller-manager) on a Deployment's
pod template, plus the annotation's parsing rules (`CalculateAnnotationTriggers`)."""

from __future__ import annotations

import json

import pytest

from twin.model.images.triggers import TriggerError, parse_triggers, tag_trigger, update_images
from twin.model.objects import Container, Pod


def template(**images: str) -> Pod:
    return Pod("t", "default", {}, containers=tuple(Container(name, {}, image) for name, image in sorted(images.items())))


def trigger(name: str, path: str, namespace: str = "other", paused: bool = False) -> dict:
    item = {"from": {"kind": "ImageStreamTag", "name": name, "namespace": namespace},
            "fieldPath": path}
    return {**item, "paused": True} if paused else item


def by_name(container: str) -> str:
    return f'spec.template.spec.containers[?(@.name=="{container}")].image'


def tags(**refs: str):
    """A tag retriever: "namespace/stream:tag" -> reference."""
    return lambda stream_tag: refs.get(stream_tag.replace("/", "__").replace(":", "_").replace("-", "_"))


STREAM_1 = {"other__stream_1_1": "image-lookup-1"}


def test_no_ref_means_no_change_even_without_the_container():
    """Upstream reads the tag before the path: with no image on the tag nothing is
    checked ("no ref, no change")."""
    triggers = parse_triggers(json.dumps([trigger("stream-1:1", by_name("test"))]))
    assert update_images(template(other=""), "default", triggers, tags()) is None


def test_a_missing_container_is_an_error_once_the_tag_resolves():
    triggers = parse_triggers(json.dumps([trigger("stream-1:1", by_name("test"))]))
    with pytest.raises(TriggerError, match="no such container"):
        update_images(template(other=""), "default", triggers, tags(**STREAM_1))


@pytest.mark.parametrize("path", [
    'spec.template.spec.containers[?(@.name=="test")]',  # no .image
    'spec.template.spec.containers[?(@.name=="test").image',  # no closing bracket
    "spec.template.spec.containers[@.name=test].image",  # not the selector spelling
])
def test_a_wrong_path_under_the_pod_spec_is_an_error(path):
    triggers = parse_triggers(json.dumps([trigger("stream-1:1", path)]))
    with pytest.raises(TriggerError):
        update_images(template(test=""), "default", triggers, tags(**STREAM_1))


def test_resolved_from_another_namespace_sets_the_image():
    triggers = parse_triggers(json.dumps([trigger("stream-1:1", by_name("test"))]))
    updated = update_images(template(test=""), "default", triggers, tags(**STREAM_1))
    assert [c.image for c in updated.containers] == ["image-lookup-1"]


def test_a_paused_trigger_does_not_resolve():
    triggers = parse_triggers(json.dumps([trigger("stream-1:1", by_name("test"), paused=True)]))
    assert update_images(template(test=""), "default", triggers, tags(**STREAM_1)) is None


def test_one_trigger_resolving_is_enough_to_fire():
    triggers = parse_triggers(json.dumps([trigger("stream-1:1", by_name("test")), trigger("stream-2:1", by_name("test2"))]))
    updated = update_images(template(test="", test2=""), "default", triggers, tags(**STREAM_1))
    assert [c.image for c in updated.containers] == ["image-lookup-1", ""]


def test_a_trigger_resolved_before_stays_and_the_other_fires():
    triggers = parse_triggers(json.dumps([trigger("stream-1:1", by_name("test")), trigger("stream-2:1", by_name("test2"))]))
    updated = update_images(template(test="", test2="old-image"), "default", triggers, tags(**STREAM_1))
    assert [c.image for c in updated.containers] == ["image-lookup-1", "old-image"]


def test_two_containers_on_one_tag_both_resolve():
    triggers = parse_triggers(json.dumps([trigger("stream-1:1", by_name("test")), trigger("stream-1:1", by_name("test2"))]))
    updated = update_images(template(test="", test2=""), "default", triggers, tags(**STREAM_1))
    assert [c.image for c in updated.containers] == ["image-lookup-1", "image-lookup-1"]


def test_an_image_already_current_changes_nothing():
    triggers = parse_triggers(json.dumps([trigger("stream-1:1", by_name("test"))]))
    assert update_images(template(test="image-lookup-1"), "default", triggers, tags(**STREAM_1)) is None


def test_a_container_by_index_and_the_own_namespace_when_none_is_given():
    triggers = parse_triggers(json.dumps([trigger("stream-1:1", "spec.template.spec.containers[0].image", namespace="")]))
    updated = update_images(template(web=""), "other", triggers, tags(**STREAM_1))
    assert [c.image for c in updated.containers] == ["image-lookup-1"]


def test_a_path_outside_the_pod_spec_is_skipped_not_refused():
    triggers = parse_triggers(json.dumps([trigger("stream-1:1", "spec.containers[0].image")]))
    assert update_images(template(test=""), "default", triggers, tags(**STREAM_1)) is None


def test_duplicate_field_paths_are_not_allowed():
    with pytest.raises(TriggerError, match="duplicate triggers"):
        parse_triggers(json.dumps([trigger("a:1", by_name("x")), trigger("b:1", by_name("x"))]))


@pytest.mark.parametrize("text, message", [
    ("{", "malformed JSON"),
    ('{"from": {}}', "JSON list"),
    (json.dumps([{"from": {"kind": "DockerImage", "name": "x:1"}, "fieldPath": "p"}]), "ImageStreamTag"),
    (json.dumps([{"from": {"kind": "ImageStreamTag", "name": "x"}, "fieldPath": "p"}]), "stream:tag"),
    (json.dumps([{"from": {"kind": "ImageStreamTag", "name": "x:1"}}]), "fieldPath"),
])
def test_annotations_the_controller_cannot_read_are_refused(text, message):
    with pytest.raises(TriggerError, match=message):
        parse_triggers(text)


def test_the_shortcut_writes_what_oc_set_triggers_writes():
    """`oc set triggers deploy/web --from-image=web:latest -c web`."""
    (only,) = json.loads(tag_trigger("web", "web:latest"))
    assert only == {"from": {"kind": "ImageStreamTag", "name": "web:latest"},
                    "fieldPath": 'spec.template.spec.containers[?(@.name=="web")].image'}
