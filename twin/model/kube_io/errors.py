"""Turn a pydantic ValidationError into (field path, "expected ..., got ..."). Values and
odd keys are quoted with `twin.model.quoting.shown`: short, escaped, never a whole megabyte."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from twin.model.quoting import shown

_TYPE_WORDS = {
    "int_type": "an integer", "int_parsing": "an integer", "int_from_float": "an integer",
    "string_type": "a string", "bool_type": "true or false", "bool_parsing": "true or false",
    "dict_type": "a mapping", "list_type": "a list", "model_type": "a mapping",
    "model_attributes_type": "a mapping", "float_type": "a number",
}


_BOUNDS = {
    "greater_than_equal": (">=", "ge"), "greater_than": (">", "gt"), "less_than_equal": ("<=", "le"),
    "less_than": ("<", "lt"),
}


def field_path(loc: tuple[Any, ...]) -> str:
    """("spec", "taints", 0, "effect") -> "spec.taints[0].effect"."""
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic marks an invalid mapping key so; the key is already in the path
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif _is_plain_name(str(part)):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{shown(str(part))}]"
    return out


def _is_plain_name(part: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part) is not None


def describe(error: dict[str, Any]) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "").replace("''", '""')
        return f"expected {expected.replace(chr(39), '')}, got {shown(value)}"
    if kind in ("value_error", "assertion_error"):
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, got {shown(value)}"
    if kind in _BOUNDS:
        word, key = _BOUNDS[kind]
        bound = error.get("ctx", {}).get(key)
        return f"expected a number {word} {bound:g}, got {shown(value)}" if isinstance(bound, (int, float)) else \
            f"expected a number {word} {bound}, got {shown(value)}"
    return f"{error['msg']}, got {shown(value)}"


def format_validation_error(exc: ValidationError) -> tuple[str, str]:
    """The first error's field path and message (one line per problem is enough to fix it)."""
    first = exc.errors(include_url=False)[0]
    return field_path(first["loc"]), describe(first)
