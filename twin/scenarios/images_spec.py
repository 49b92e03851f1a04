"""The scenario schema's image-stream parts: a workload's build and trigger, and the
`push` event (a new version of an image pushed from outside the cluster).

    workloads:
      - name: app
        copies: 200
        replicas: 2
        image: image-registry.openshift-image-registry.svc:5000/apps/app-{i}:latest
        trigger: true                     # follow apps/app-{i}:latest (image.openshift.io/triggers)
        build: {from: openshift/base-0:latest, duration: {median: 3m, p99: 10m}}
    faults:
      - {at: 10m, push: {image: openshift/base-0:latest, changed_layers: 1}}
    namespaces:                           # namespaces beyond the workloads' and the catalogue's
      team-a: {quota: {openshift.io/imagestreams: 5}, image_pullers: [team-b]}

A push whose stream the scenario does not have creates it, if the pusher may
(`model/images/mapping.py`: 403 DENIED otherwise).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from twin.model.images.mapping import IMAGESTREAMS_QUOTA, ImageStreamsInApi
from twin.model.images.streams import stream_tag_of
from twin.model.images.triggers import TRIGGER_ANNOTATION, TriggerError, parse_triggers
from twin.model.kube_io.validation import dns1123_label_problem
from twin.model.registry.catalogue import INTERNAL_SERVICE_HOSTS
from twin.scenarios.fields import Int32, Strict
from twin.scenarios.traffic_spec import LatencySpec

STREAM_TAG = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]+([._-][a-z0-9]+)*:[\w][\w.-]{0,127}$")
"""namespace/stream:tag: a DNS label, an image stream name (one path component of a
repository name, distribution `reference` grammar) and a Docker tag."""


def stream_tag(value: Any) -> Any:
    if isinstance(value, str) and not STREAM_TAG.match(value.replace("{i}", "0")):
        raise ValueError(f"expected an image stream tag in the integrated registry as namespace/stream:tag, "
                         f"such as openshift/base-0:latest, got {value[:80]!r}")
    return value


StreamTag = Annotated[str, AfterValidator(stream_tag)]


def triggers_annotation(annotations: dict[str, str]) -> dict[str, str]:
    """The image.openshift.io/triggers annotation, if any, must be what the trigger
    controller accepts (`model/images/triggers.py`)."""
    text = annotations.get(TRIGGER_ANNOTATION)
    if text is not None:
        try:
            parse_triggers(text.replace("{i}", "0"))
        except TriggerError as exc:
            raise ValueError(f"{TRIGGER_ANNOTATION}: {exc}") from None
    return annotations


class BuildSpec(Strict):
    """A BuildConfig with an ImageChange trigger on `from` (namespace/stream:tag) whose
    output is the workload's image tag: a new image of `from` rebuilds the workload's own
    layers on it and pushes the result, which moves the workload's tag."""

    from_: StreamTag = Field(alias="from")
    duration: LatencySpec = LatencySpec(median=120.0, p99=600.0)


class PushSpec(Strict):
    """A new version of `image` (namespace/stream:tag) pushed by a client outside the
    cluster: its top `changed_layers` layers rebuilt (omit for all of them)."""

    image: StreamTag
    changed_layers: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = 1


def namespace_name(value: Any) -> Any:
    """A namespace's name is a DNS label (apimachinery `IsDNS1123Label`, `kube_io/validation.py`)."""
    if isinstance(value, str) and dns1123_label_problem(value) is not None:
        raise ValueError(f"expected a namespace name (a DNS label: lower-case letters, digits and '-', at most 63 "
                         f"characters), got {value[:80]!r}")
    return value


NamespaceName = Annotated[str, AfterValidator(namespace_name)]


def image_pullers(spec) -> dict[str, frozenset[str]]:
    """Image namespace -> the pod namespaces granted `system:image-puller` in it."""
    return {name: frozenset(ns.image_pullers) for name, ns in spec.namespaces.items() if ns.image_pullers}


class NamespaceSpec(Strict):
    """A namespace of the cluster, with its ResourceQuota's `openshift.io/imagestreams`
    (image streams the namespace may hold) if it has one, and the namespaces whose pods may
    pull its images (`oc policy add-role-to-group system:image-puller
    system:serviceaccounts:<puller> -n <this namespace>`)."""

    quota: dict[Literal["openshift.io/imagestreams"], Annotated[Int32, Field(ge=0)]] = Field(default_factory=dict)
    image_pullers: list[NamespaceName] = Field(default_factory=list)


def require_internal_tag(image: str, field: str) -> None:
    """`trigger` and `build` need a workload image that is a tag in the integrated registry."""
    if stream_tag_of(image.replace("{i}", "0")) is None:
        raise ValueError(f"{field}: expected the workload's image to be a tag in the integrated registry, such as "
                         f"{INTERNAL_SERVICE_HOSTS[0]}/apps/app:latest, got {image[:80]!r}")


def check_image_streams(spec, source: str) -> None:
    """Triggers the controller could not apply and tags the scenario never has are bad
    input: `InputError` at the first one's field path."""
    from twin.errors import InputError

    for path, message in trigger_problems(spec):
        raise InputError(source, path, message)
    for path, tag in unknown_stream_tags(spec):
        raise InputError(source, path, f"expected an image stream tag the scenario has (a workload's image, a "
                                       f"catalogue image or a pushed tag), got {tag[:80]!r}")


def trigger_problems(spec) -> list[tuple[str, str]]:
    """(field path, message) of every trigger whose fieldPath names no container of its
    workload (`container_of` raises where the controller would fail)."""
    from twin.model.images.triggers import container_of
    from twin.scenarios.workloads import copies

    found = []
    for index, w in enumerate(spec.workloads):
        for copy in copies(w):
            text = copy.annotations.get(TRIGGER_ANNOTATION)
            if text is None:
                continue
            for trigger in parse_triggers(text):
                try:
                    container_of(trigger.field_path, (copy.name,))
                except TriggerError as exc:
                    found.append((f"workloads[{index}].annotations.{TRIGGER_ANNOTATION}",
                                  f"{exc} (the workload's container is named {copy.name!r})"))
    return found


def unknown_stream_tags(spec) -> list[tuple[str, str]]:
    """(field path, stream tag) of every trigger, build `from` and push naming an image
    stream tag the scenario never has: none of its workloads' images, the catalogue's
    images (openshift/base-<j>:latest, apps/app-<i>:1) or the tags its pushes create."""
    from twin.scenarios.workloads import copies, triggered_deployments

    catalogue = spec.traffic.catalogue
    known = {f"openshift/base-{j}:latest" for j in range(catalogue.base_images)}
    known |= {f"apps/app-{i}:1" for i in range(catalogue.images)}
    expanded = [(index, copy) for index, w in enumerate(spec.workloads) for copy in copies(w)]
    known |= {stream_tag_of(copy.image) for _, copy in expanded} - {None}
    pushes = [(f"faults[{i}].push.image", f.push.image) for i, f in enumerate(spec.faults) if f.push is not None]
    known |= {tag for _, tag in pushes}
    wanted = []
    for index, copy in expanded:
        for follower in triggered_deployments([copy]):
            for trigger in follower.triggers:
                field = "trigger" if copy.trigger and TRIGGER_ANNOTATION not in copy.annotations else \
                    f"annotations.{TRIGGER_ANNOTATION}"
                wanted.append((f"workloads[{index}].{field}", trigger.stream_tag(copy.namespace)))
        if copy.build is not None:
            wanted.append((f"workloads[{index}].build.from", copy.build.from_))
    return [(path, tag) for path, tag in wanted if tag not in known]


def image_streams_in_api(spec) -> ImageStreamsInApi:
    """The namespaces and image streams the API server holds as the run starts: the
    catalogue's (openshift/base-<j>, apps/app-<i>), every workload's image stream, the
    workloads' namespaces and `namespaces`, with its quotas. A pushed tag of another
    stream is a new stream."""
    from twin.scenarios.workloads import copies

    catalogue = spec.traffic.catalogue
    streams = {f"openshift/base-{j}" for j in range(catalogue.base_images)}
    streams |= {f"apps/app-{i}" for i in range(catalogue.images)}
    workloads = [copy for w in spec.workloads for copy in copies(w)]
    streams |= {tag.rsplit(":", 1)[0] for tag in (stream_tag_of(w.image) for w in workloads) if tag is not None}
    namespaces = {w.namespace for w in workloads} | set(spec.namespaces) | {"openshift"}
    quotas = {name: ns.quota[IMAGESTREAMS_QUOTA] for name, ns in spec.namespaces.items() if ns.quota}
    return ImageStreamsInApi(namespaces, streams, quotas)
