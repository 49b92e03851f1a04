"""Image-change triggers as openshift-controller-manager applies them.

A Deployment asks for its container image to follow an image stream tag with the
annotation `image.openshift.io/triggers`: a JSON list of `ObjectFieldTrigger`s
`{"from": {"kind": "ImageStreamTag", "name": "app:latest", "namespace": ...},
"fieldPath": "spec.template.spec.containers[?(@.name==\"app\")].image", "paused": false}`
(openshift/api and openshift-controller-manager `TriggerAnnotationKey`).

The rules below follow library-go `pkg/image/trigger/annotations.go` as vendored by
openshift-controller-manager (`CalculateAnnotationTriggers`, `parseContainerReference`,
`findContainerBySelector`, `UpdateObjectFromImages`):
- duplicate field paths are refused ("duplicate triggers are not allowed");
- a paused trigger is skipped; a trigger whose fieldPath does not start with the pod
  spec's path (`spec.template.spec.`) is skipped;
- the container is chosen by index (`containers[0]`) or by name
  (`containers[?(@.name=="web")]`, exactly that spelling), in `containers` or
  `initContainers`; the rest of the path must be `image`;
- an empty `from.namespace` means the object's own namespace;
- when the tag's latest image differs from the container's image, the image is set to it
  (the tag's `dockerImageReference`, a digest pull spec) — a new pod template, so the
  Deployment rolls out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Callable

from twin.model.quoting import shown

TRIGGER_ANNOTATION = "image.openshift.io/triggers"
POD_SPEC_PATH = "spec.template.spec."
_BY_NAME = re.compile(r'^\?\(@\.name=="(.*)"\)$')


class TriggerError(ValueError):
    """An annotation the trigger controller would refuse."""


@dataclass(frozen=True)
class ImageTrigger:
    """One `ObjectFieldTrigger` from an ImageStreamTag."""

    name: str  # the ImageStreamTag, "stream:tag"
    namespace: str  # "" means the object's own namespace
    field_path: str
    paused: bool = False

    def stream_tag(self, own_namespace: str) -> str:
        """"namespace/stream:tag" the trigger follows."""
        return f"{self.namespace or own_namespace}/{self.name}"


def parse_triggers(text: str) -> tuple[ImageTrigger, ...]:
    """The annotation's triggers (`CalculateAnnotationTriggers`): a JSON list; only
    ImageStreamTag sources with a name are triggers."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TriggerError(f"expected a JSON list of triggers, got malformed JSON ({exc.msg})") from None
    if not isinstance(raw, list):
        raise TriggerError("expected a JSON list of triggers")
    triggers = tuple(_trigger(item, i) for i, item in enumerate(raw))
    paths = [t.field_path for t in triggers]
    if len(set(paths)) != len(paths):
        raise TriggerError("duplicate triggers are not allowed (two with the same fieldPath)")
    return triggers


def _trigger(item, index: int) -> ImageTrigger:
    if not isinstance(item, dict) or not isinstance(item.get("from"), dict):
        raise TriggerError(f"[{index}].from: expected an object reference")
    source = item["from"]
    if source.get("kind") != "ImageStreamTag":
        raise TriggerError(f"[{index}].from.kind: expected ImageStreamTag, got {shown(source.get('kind'))}")
    name = source.get("name")
    if not isinstance(name, str) or ":" not in name or name.startswith(":") or name.endswith(":"):
        raise TriggerError(f"[{index}].from.name: expected an image stream tag 'stream:tag', got {shown(name)}")
    path = item.get("fieldPath")
    if not isinstance(path, str) or not path:
        raise TriggerError(f"[{index}].fieldPath: expected a field path such as "
                           f"spec.template.spec.containers[0].image")
    return ImageTrigger(name, source.get("namespace") or "", path, bool(item.get("paused", False)))


def container_of(field_path: str, names: tuple[str, ...]) -> int | None:
    """Index of the container a trigger's fieldPath sets, among containers named `names`;
    None when the path is not under the pod spec (skipped upstream). Raises TriggerError
    for a path that is under it but invalid, or names no container (an error upstream)."""
    if not field_path.startswith(POD_SPEC_PATH):
        return None
    rest = field_path[len(POD_SPEC_PATH):]
    if not rest.startswith("containers["):
        raise TriggerError(f"field path is not valid: {field_path} (init containers are not modelled)"
                           if rest.startswith("initContainers[") else f"field path is not valid: {field_path}")
    selector, _, remainder = rest[len("containers["):].partition("]")
    if remainder.lstrip(".") != "image":
        raise TriggerError(f"field path is not valid: {field_path}")
    if selector.isdigit():
        index = int(selector)
        if index < len(names):
            return index
        raise TriggerError(f"no such container: {selector}")
    match = _BY_NAME.match(selector)
    if match is None or match.group(1) not in names:
        raise TriggerError(f"no such container: {selector}")
    return names.index(match.group(1))


def update_images(template, namespace: str, triggers: tuple[ImageTrigger, ...],
                  latest: Callable[[str], str | None]):
    """`UpdateObjectFromImages` on a pod template (a `Pod`): the template with every
    triggered container's image set to its tag's latest reference, or None when nothing
    changes. `latest("ns/stream:tag")` is the tag's current pull spec (None: no image yet)."""
    containers = list(template.containers)
    names = tuple(c.name for c in containers)
    changed = False
    for trigger in triggers:
        if trigger.paused or not trigger.field_path.startswith(POD_SPEC_PATH):
            continue
        reference = latest(trigger.stream_tag(namespace))
        if reference is None:  # upstream: "detected no pending image", before the path is read
            continue
        index = container_of(trigger.field_path, names)
        if containers[index].image == reference:
            continue
        containers[index] = replace(containers[index], image=reference)
        changed = True
    return replace(template, containers=tuple(containers)) if changed else None


def tag_trigger(container: str, stream_tag: str, namespace: str = "") -> str:
    """The annotation text of one trigger on a container by name (what `oc set triggers
    deploy/NAME --from-image=STREAM:TAG -c CONTAINER` writes)."""
    source = {"kind": "ImageStreamTag", "name": stream_tag}
    if namespace:
        source["namespace"] = namespace
    return json.dumps([{"from": source, "fieldPath": f'{POD_SPEC_PATH}containers[?(@.name=="{container}")].image'}])
