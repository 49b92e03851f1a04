"""Variations of a scenario: parameter paths such as `registry.replicas` or
`cluster.workers_per_zone` set to new values in the scenario's YAML document, which is then
validated as if the user had written it. Sweeps (`--param`), `twin check` (`--vary`) and
notebooks share these paths.

Paths (what a planner varies most; anything else is the document's own path):

    registry.X            the Config CR's spec.X (registry.replicas,
                          registry.requests.read.maxRunning, registry.disableRedirect ...);
                          a `config_file` is read and inlined first
    cluster.X             cluster.generate.X for zones, workers_per_zone, control_plane,
                          region (a generated cluster only)
    workloads.NAME.X      field X of the workload called NAME
    cluster.machine_pools.NAME.X   field X of the machine pool called NAME
                          (cluster.machine_pools.worker.autoscaling.max, ….instance_type)
    traffic.X, images.X   the document's own fields (traffic.background.pulls.constant)
    duration, openshift, kubernetes, seed   (a duration drops the faults after the new end)
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from twin.errors import InputError
from twin.model.kube_io.files import read_documents
from twin.model.kube_io.reader import parse_text
from twin.model.quoting import shown
from twin.model.registry.config import SpecSchema
from twin.scenarios.load import DEFAULT_CONFIG, read_scenario, scenario_from_body
from twin.scenarios.fields import seconds
from twin.scenarios.scenario import Scenario
from twin.scenarios.spec import ScenarioFile

ROOTS = ("registry", "cluster", "workloads", "traffic", "images", "duration", "openshift", "kubernetes", "seed")
GENERATED = ("zones", "workers_per_zone", "control_plane", "region", "worker")
SCALARS = ("duration", "openshift", "kubernetes", "seed")
DEFAULT_DURATION = ScenarioFile.model_fields["duration"].default


@dataclass(frozen=True)
class ScenarioDocument:
    """A scenario as written: its YAML body, the folder its relative paths start from and
    the name errors give it."""

    body: dict
    base: Path
    source: str

    @classmethod
    def read(cls, ref: str) -> ScenarioDocument:
        body, base, source = read_scenario(ref)
        if not isinstance(body, dict):
            raise InputError(source, "", "expected a mapping of scenario fields")
        return cls(body, base, source)

    def scenario(self) -> Scenario:
        return scenario_from_body(self.body, self.base, self.source)

    def with_values(self, values: Mapping[str, Any], flag: str = "--param") -> ScenarioDocument:
        """A copy with each path set to its value, validated: a path or value the scenario
        does not accept is an `InputError` naming the flag, the path and the reason."""
        body = copy.deepcopy(self.body)
        for path, value in values.items():
            set_value(body, path, value, self, flag)
        if "duration" in values:
            cut_faults(body)
        varied = ScenarioDocument(body, self.base, self.source)
        try:
            varied.scenario()
        except InputError as error:
            shown = ", ".join(f"{p}={v}" for p, v in values.items())
            raise InputError(f"{flag} {shown}", "", f"{error}") from None
        return varied

    def standalone(self) -> dict:
        """The body with the Config inlined and file paths made absolute, so that it can be
        written anywhere and still load."""
        body = copy.deepcopy(self.body)
        _inline_config(body, self.base)
        cluster = body.get("cluster") or {}
        for key in ("nodes", "pods"):
            if isinstance(cluster.get(key), str):
                cluster[key] = str((self.base / cluster[key]).resolve())
        return body


def cut_faults(body: dict) -> None:
    """A variation that sets `duration` cuts the run there: the scenario's faults after the
    new end are left out of the varied document (`zone-failure` with `duration=15m` keeps its
    outage at 10 min and drops the recovery at 40 min), so the document, a sweep's run or a
    written counterexample, says what runs. A file that puts a fault after its own end is
    refused (`checks.py` `check_fault_times`); one exactly at the end is kept (and warned
    about). Times that do not parse are left for the scenario's own validation."""
    faults = body.get("faults")
    try:
        end = seconds(body.get("duration", DEFAULT_DURATION))
    except ValueError:
        return
    if not isinstance(faults, list):
        return
    body["faults"] = [f for f in faults if not _after(f, end)]


def _after(fault: Any, end: float) -> bool:
    try:
        return isinstance(fault, dict) and "at" in fault and seconds(fault["at"]) > end
    except ValueError:
        return False


def check_path(path: str, flag: str = "--param") -> tuple[str, ...]:
    """The path's parts; an `InputError` when its first part is not a scenario field."""
    parts = tuple(path.split("."))
    if not path or any(not p for p in parts):
        raise InputError(flag, path, "expected a dotted path such as registry.replicas")
    if parts[0] not in ROOTS:
        raise InputError(flag, path, f"expected a path starting with one of {', '.join(ROOTS)}")
    if parts[0] in SCALARS and len(parts) > 1:
        raise InputError(flag, path, f"expected {parts[0]} alone: it has no fields")
    if parts[0] in ("registry", "cluster", "traffic", "images") and len(parts) < 2:
        raise InputError(flag, path, f"expected a field of {parts[0]}, e.g. {_example(parts[0])}")
    if parts[0] == "workloads" and len(parts) < 3:
        raise InputError(flag, path, "expected workloads.NAME.FIELD, e.g. workloads.app.replicas")
    return parts


def parse_value(text: str, flag: str = "--param") -> Any:
    """A value as YAML reads it: 2 → int, true → bool, 1s → text, 4.22 → float; read by
    the bounded reader (`twin.model.kube_io.reader`), so an alias bomb or a 5,000-digit
    number is an `InputError` naming the flag; text that is not YAML stays text."""
    return parse_text(text, flag) if text.strip() else text


def set_value(body: dict, path: str, value: Any, document: ScenarioDocument, flag: str = "--param") -> None:
    parts = check_path(path, flag)
    root, rest = parts[0], parts[1:]
    if root == "registry" and rest[0] not in ("config", "config_file"):
        _check_config_path(rest, path, flag)
        _inline_config(body, document.base)
        _set(body["registry"]["config"].setdefault("spec", {}), rest, value)
    elif root == "cluster" and rest[0] in GENERATED:
        cluster = body.setdefault("cluster", {"generate": {}})
        if "generate" not in cluster:
            raise InputError(flag, path, "expected a generated cluster (cluster.generate); this scenario reads nodes "
                                         "from a file")
        _set(cluster["generate"], rest, value)
    elif root == "workloads":
        _set(_workload(body, rest[0], path, flag), rest[1:], value)
    elif root == "cluster" and rest[0] == "machine_pools":
        if len(rest) < 3:
            raise InputError(flag, path, "expected cluster.machine_pools.NAME.FIELD, e.g. "
                                         "cluster.machine_pools.worker.autoscaling.max")
        _set(_named((body.get("cluster") or {}).get("machine_pools"), rest[1], "machine pool", path, flag), rest[2:],
             value)
    else:
        _set(body, parts, value)


def _check_config_path(parts: tuple[str, ...], path: str, flag: str) -> None:
    """The Config CR ignores unknown fields as the API server prunes them; a sweep over a
    misspelt field would silently vary nothing, so the path is checked against the
    schema (down to the first field that is a free-form map or list)."""
    model = SpecSchema
    for part in parts:
        fields = {info.alias or name: info for name, info in model.model_fields.items()}
        if part not in fields:
            known = ", ".join(sorted(fields))
            raise InputError(flag, path, f"expected a field of the registry Config ({known}), got {shown(part)}")
        model = _model_of(fields[part].annotation)
        if model is None:
            return


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _set(target: dict, parts: tuple[str, ...], value: Any) -> None:
    for part in parts[:-1]:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    target[parts[-1]] = value


def _workload(body: dict, name: str, path: str, flag: str) -> dict:
    return _named(body.get("workloads"), name, "workload", path, flag)


def _named(items: Any, name: str, what: str, path: str, flag: str) -> dict:
    """The element of a scenario list (workloads, machine pools) called `name`."""
    items = items if isinstance(items, list) else []
    for item in items:
        if isinstance(item, dict) and item.get("name") == name:
            return item
    names = [i.get("name") for i in items if isinstance(i, dict)]
    raise InputError(flag, path, f"expected the name of a {what} of the scenario ({', '.join(map(str, names)) or 'none'})")


def _inline_config(body: dict, base: Path) -> None:
    registry = body.setdefault("registry", {})
    if registry.get("config") is not None:
        return
    file = base / registry["config_file"] if registry.get("config_file") else DEFAULT_CONFIG
    documents = read_documents(file)
    config = documents[0] if len(documents) == 1 and isinstance(documents[0], dict) else {}
    registry.pop("config_file", None)
    registry["config"] = {key: value for key, value in config.items() if key in ("spec",)}


def _example(root: str) -> str:
    return {"registry": "registry.replicas", "cluster": "cluster.zones", "traffic": "traffic.background.pulls.constant",
            "images": "images.default_pull_seconds"}[root]
