"""Read Kubernetes manifests from JSON or YAML files as `oc get ... -o json|yaml` prints
them: single objects, `List`/`NodeList`/`PodList`/... with `items`, and multi-document
YAML. Every problem becomes an `InputError` naming the file and the field path."""

from __future__ import annotations

import codecs
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from twin.errors import InputError
from twin.model.kube_io import schema, storage_schema
from twin.model.kube_io.errors import format_validation_error

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available, same results

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


BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
"""Byte-order marks and their encodings (UTF-32 first: its little-endian mark starts with
UTF-16's). Windows PowerShell's `oc get nodes -o json > nodes.json` writes UTF-16 with a
BOM, so UTF-16 and UTF-32 with a BOM are read; anything else must be UTF-8."""


def read_documents(file: str | Path) -> list[Any]:
    """The documents of a JSON or (multi-document) YAML file; empty documents dropped."""
    source = str(file)
    try:
        raw = Path(file).read_bytes()
    except OSError as exc:
        raise InputError(source, "", f"cannot read file: {exc.strerror or exc}") from None
    return parse_documents(decode(raw, source), source)


def decode(raw: bytes, source: str) -> str:
    """The file's text: UTF-8, or UTF-16/UTF-32 with a byte-order mark."""
    encoding = next((name for bom, name in BOMS if raw.startswith(bom)), "utf-8")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(source, f"byte {exc.start}", f"expected UTF-8 text (or UTF-16 with a byte-order mark), "
                         f"found byte 0x{raw[exc.start]:02x}") from None


def parse_documents(text: str, source: str) -> list[Any]:
    """JSON or YAML documents; nesting past Python's recursion limit and integers past its
    digit limit (4,300) are input errors, not crashes."""
    try:
        return _parse(text, source)
    except RecursionError:
        raise InputError(source, "", "expected a document nested less deeply (it is nested past the reader's "
                         "limit)") from None
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise
        raise InputError(source, "", f"expected numbers of at most {sys.get_int_max_str_digits()} digits") from None


def _parse(text: str, source: str) -> list[Any]:
    if text.lstrip().startswith(("{", "[")):
        try:
            return [json.loads(text)]
        except json.JSONDecodeError as exc:
            raise InputError(source, f"line {exc.lineno} column {exc.colno}", f"malformed JSON: {exc.msg}") from None
    try:
        return [doc for doc in yaml.load_all(text, Loader=_YAML_LOADER) if doc is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(source, where, f"malformed YAML: {problem}") from None


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
        raise InputError(located.source, located.where("kind"), f"expected {_or_list(allowed)}, got {kind!r}")
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
