"""The scenario schema's remote registries, imported image stream tags and pull-through
(`model/images/remote.py`, `model/images/import_schedule.py`, `sim/imports.py`).

    remotes:
      - host: docker.io
        latency: {median: 150ms, p99: 1s}        # one round trip (ASSUMPTION defaults: 100ms / 500ms)
        bandwidth: 400Mbit/s                      # one transfer from it (ASSUMPTION default: 50MB/s)
        rate_limit: {pulls: 100, per: 1h}         # manifest GETs per window (Docker Hub Personal)
    imports: {interval: 15m, max_per_minute: 60, mirror: true}
    workloads:
      - name: web
        image: image-registry.openshift-image-registry.svc:5000/apps/web-{i}:latest
        trigger: true
        import: {from: "docker.io/acme/web-{i}:1", reference_policy: Local, scheduled: true}
    faults:
      - {at: 10m, remote_push: {image: "docker.io/acme/web-{i}:1", changed_layers: 1}}
      - {at: 12m, import: {image: "apps/web-{i}:latest"}}
      - {at: 30m, remote_outage: {host: docker.io}}
      - {at: 40m, remote_recovery: {host: docker.io}}
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from twin.model.images.import_schedule import MAX_IMPORTS_PER_MINUTE, MINIMUM_INTERVAL_SECONDS
from twin.model.images.remote import RemoteParams
from twin.model.registry.catalogue import is_internal, parse_reference
from twin.scenarios.fields import Bandwidth, Seconds, Strict
from twin.scenarios.traffic_spec import LatencySpec

HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+(:[0-9]{1,5})?$")
REFERENCE = re.compile(r"^[a-z0-9.:-]+/[a-z0-9]+([._/-][a-z0-9]+)*:[\w][\w.-]{0,127}$")


def remote_host(value: Any) -> Any:
    if isinstance(value, str) and not HOST.match(value):
        raise ValueError(f"expected a registry host such as docker.io or quay.io, got {value[:80]!r}")
    return value


def remote_reference(value: Any) -> Any:
    """host/repository:tag of an image on a remote registry (not the integrated one)."""
    if isinstance(value, str):
        text = value.replace("{i}", "0")
        if not REFERENCE.match(text) or not parse_reference(text)[0] or is_internal(text):
            raise ValueError(f"expected an image on a remote registry as host/repository:tag, such as "
                             f"docker.io/library/nginx:1.27, got {value[:80]!r}")
    return value


Host = Annotated[str, AfterValidator(remote_host)]
RemoteReference = Annotated[str, AfterValidator(remote_reference)]


class RateLimitSpec(Strict):
    """At most `pulls` manifest GETs in any `per` seconds from the cluster (one egress address)."""

    pulls: Annotated[int, Field(ge=1, le=2**31 - 1)]
    per: Annotated[Seconds, Field(gt=0)] = 3600.0


class RemoteSpec(Strict):
    host: Host
    latency: LatencySpec = LatencySpec(median=0.1, p99=0.5)
    bandwidth: Bandwidth = 50e6
    rate_limit: RateLimitSpec | None = None
    errcode_body: bool = True
    """Whether its 429 carries an errcode JSON list (Docker Hub's does): the registry then
    answers a pulled-through manifest 404, otherwise 429 (`model/images/remote.py`)."""

    def to_params(self) -> RemoteParams:
        limit = self.rate_limit
        return RemoteParams(self.host, self.latency.median, self.latency.p99, self.bandwidth,
                            limit.pulls if limit else 0, limit.per if limit else 3600.0, self.errcode_body)


class ImportsSpec(Strict):
    """openshift-controller-manager's scheduled imports and the registry's mirroring."""

    interval: Annotated[Seconds, Field(ge=1)] = MINIMUM_INTERVAL_SECONDS
    max_per_minute: Annotated[int, Field(ge=0, le=2**31 - 1)] = MAX_IMPORTS_PER_MINUTE
    mirror: bool = True
    """`mirrorpullthrough` (default true, IR `configuration.go`)."""


class ImportSpec(Strict):
    """The workload's image stream tag is imported from `from` (`spec.tags[].from`):
    `reference_policy` Local: pods pull through the registry; Source: they pull from the
    remote directly. `scheduled`: `importPolicy.scheduled`."""

    from_: RemoteReference = Field(alias="from")
    reference_policy: Literal["Local", "Source"] = "Source"
    scheduled: bool = False


class ImportFault(Strict):
    """`oc import-image`: an ImageStreamImport of the tag now (`{i}`: every copy's)."""

    image: str


class RemotePush(Strict):
    """A new version of an image on a remote registry (`{i}`: every copy's)."""

    image: RemoteReference
    changed_layers: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = 1


class RemoteTarget(Strict):
    host: Host


def check_remotes(spec, source: str) -> None:
    """Imports naming a remote the scenario does not define, and faults naming an unknown
    remote or tag: `InputError` at the first one's field path."""
    from twin.errors import InputError
    from twin.model.images.streams import stream_tag_of
    from twin.scenarios.workloads import copies

    hosts = [r.host for r in spec.remotes]
    for i, remote in enumerate(spec.remotes):
        if remote.host in hosts[:i]:
            raise InputError(source, f"remotes[{i}].host", f"expected each remote once, got {remote.host!r} again")
    known = ", ".join(hosts) or "none"
    imported: set[str] = set()
    for index, w in enumerate(spec.workloads):
        if w.import_ is None:
            continue
        host = parse_reference(w.import_.from_)[0]
        if host not in hosts:
            raise InputError(source, f"workloads[{index}].import.from",
                             f"expected an image on a remote the scenario defines under remotes ({known}), got host {host!r}")
        imported |= {stream_tag_of(c.image) for c in copies(w)}
    for i, fault in enumerate(spec.faults):
        target = fault.target
        if fault.kind in ("remote_outage", "remote_recovery") and target.host not in hosts:
            raise InputError(source, f"faults[{i}].{fault.kind}.host",
                             f"expected a remote the scenario defines ({known}), got {target.host!r}")
        if fault.kind == "remote_push" and parse_reference(target.image)[0] not in hosts:
            raise InputError(source, f"faults[{i}].remote_push.image",
                             f"expected an image on a remote the scenario defines ({known}), got {target.image[:80]!r}")
        if fault.kind == "import" and not any(_matches(target.image, tag) for tag in imported):
            raise InputError(source, f"faults[{i}].import.image",
                             f"expected an imported image stream tag (a workload with import), got {target.image[:80]!r}")


def _matches(pattern: str, value: str) -> bool:
    """`{i}` in `pattern` stands for any copy's number."""
    regex = "^" + re.escape(pattern).replace(re.escape("{i}"), "[0-9]+") + "$"
    return re.match(regex, value) is not None


def matches(pattern: str, value: str) -> bool:
    return _matches(pattern, value)
