"""Read Kubernetes manifests from JSON or YAML files as `oc get ... -o json|yaml` prints
them: single objects, `List`/`NodeList`/`PodList`/... with `items`, and multi-document
YAML. Every problem becomes an `InputError` naming the file and the field path.

The files are read by `reader.py`, the reader of every file the twin opens (encoding,
size, nesting, aliases, duplicate keys: docs/limits.md)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from twin.errors import InputError
from twin.model.kube_io import schema, storage_schema
from twin.model.kube_io.errors import format_validation_error
from twin.model.kube_io.reader import BOMS, decode, parse_documents, read_documents  # noqa: F401 (the reader's API)
from twin.model.quoting import shown

SCHEMAS = {
    "Node": schema.NodeSchema,
    "Pod": schema.PodSchema,
    "Service": schema.ServiceSchema,
    "ReplicaSet": schema.WorkloadSchema,
    "StatefulSet": schema.WorkloadSchema,
    "Deployment": schema.WorkloadSchema,
    "ReplicationController": schema.ReplicationControllerSchema,
    "Namespace": schema.NamespaceSchema,
    "PersistentVolumeClaim": schema.ClaimSchema,
    "PersistentVolume": storage_schema.PersistentVolumeSchema,
    "StorageClass": storage_schema.StorageClassSchema,
    "CSINode": storage_schema.CSINodeSchema,
}


@dataclass(frozen=True)
class Located:
    """A raw manifest and where it came from, for error messages."""

    source: str
    path: str
    body: dict
    document: int | None = None  # 1-based, only for multi-document files

    def where(self, field_path: str = "") -> str:
        path = _join(self.path, field_path)
        if self.document is None:
            return path
        return f"document {self.document}: {path}" if path else f"document {self.document}"


def iter_manifests(file: str | Path) -> Iterator[Located]:
    """Every object in the file, with `List` kinds expanded into their items."""
    source = str(file)
    documents = read_documents(file)
    for index, doc in enumerate(documents):
        number = index + 1 if len(documents) > 1 else None
        yield from _expand(doc, Located(source, "", {}, number))


def _expand(doc: Any, at: Located) -> Iterator[Located]:
    if not isinstance(doc, dict):
        raise InputError(at.source, at.where(), f"expected a Kubernetes object (a mapping), got {_kind_of(doc)}")
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and "items" in doc:
        expected = "v1" if kind == "List" else schema.API_VERSIONS.get(kind.removesuffix("List"))
        version = doc.get("apiVersion")
        if version is not None and expected is not None and version != expected:  # as for each item (schema.py)
            raise InputError(at.source, at.where("apiVersion"), f"expected {expected} for a {kind}, got {shown(version)}")
        items = doc["items"]
        if not isinstance(items, list):
            raise InputError(at.source, at.where("items"), f"expected a list, got {_kind_of(items)}")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InputError(at.source, at.where(f"items[{i}]"), f"expected a Kubernetes object, got {_kind_of(item)}")
            yield Located(at.source, f"items[{i}]", item, at.document)
    else:
        yield Located(at.source, "", doc, at.document)


def _kind_of(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def to_domain(located: Located, expected_kinds: tuple[str, ...] | None = None):
    """Validate one manifest and convert it to its domain object."""
    body = located.body
    kind = body.get("kind")
    if kind is None and expected_kinds and len(expected_kinds) == 1:
        kind = expected_kinds[0]  # bare objects without `kind` are accepted where it is implied
    allowed = expected_kinds or tuple(SCHEMAS)
    if kind not in allowed:
        raise InputError(located.source, located.where("kind"), f"expected {_or_list(allowed)}, got {shown(kind)}")
    model = SCHEMAS[kind]
    try:
        parsed = model.model_validate(body)
    except ValidationError as exc:
        path, message = format_validation_error(exc)
        raise InputError(located.source, located.where(path), message) from None
    return parsed.to_domain()


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


def _or_list(words: tuple[str, ...]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
