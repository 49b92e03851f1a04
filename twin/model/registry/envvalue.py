"""Storage-driver env vars as the operator writes them: CIRO `pkg/envvar/envvar.go`.

A driver's `ConfigEnv` lists (name, value, secret) triples; `List.EnvVars` turns a
secret one into a `secretKeyRef` on `image-registry-private-configuration` (key = the
env name) and any other into the `gopkg.in/yaml.v2` dump of its value with the trailing
newline cut (`EnvVar.EnvValue`). So a bool becomes "true", an int64 "10485760", a plain
string stays as it is, and a string YAML would read as something else ("", "true",
"123") comes out double-quoted, quotes included.
"""

from __future__ import annotations

import json
import re
from typing import Any

PRIVATE_CONFIGURATION = "image-registry-private-configuration"
"""`defaults.ImageRegistryPrivateConfiguration`, the Secret that holds secret values."""

_NON_STRINGS = re.compile(
    r"""~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE
    |on|On|ON|off|Off|OFF|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)
    |[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|[0-9][0-9_]*)
    |[-+]?([0-9][0-9_]*)?(\.[0-9_]*)?([eE][-+]?[0-9]+)?""",
    re.VERBOSE,
)
_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")


def env_value(value: Any) -> str:
    """`EnvVar.EnvValue`: yaml.v2's dump of a bool, int or string (`str` is not
    re-checked for every libyaml style rule: a string needing quotes for a reason other
    than reading as null, bool or number, or than an indicator, is rare in these values).

    >>> env_value(True), env_value(10485760), env_value("us-east-1"), env_value("")
    ('true', '10485760', 'us-east-1', '""')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _yaml_string(value)
    raise TypeError(f"env_value: no yaml.v2 scalar form for {value!r}")


def _yaml_string(text: str) -> str:
    """Plain unless it would resolve to another YAML type (yaml.v2 then picks double
    quotes) or libyaml may not write it plain (single quotes)."""
    if text == "" or (any(c.isdigit() for c in text) or text[:1] in "~yYnNtTfFoO.+-") and _NON_STRINGS.fullmatch(text):
        return json.dumps(text)
    if not _plain_allowed(text):
        return "'" + text.replace("'", "''") + "'"
    return text


def _plain_allowed(text: str) -> bool:
    starts_with_indicator = text[0] in _INDICATORS and not (text[0] in "-?:" and len(text) > 1 and text[1] != " ")
    awkward = text[0] == " " or text[-1] in " :" or ": " in text or " #" in text or "\n" in text
    return not (starts_with_indicator or awkward)


def plain_env(name: str, value: Any) -> dict[str, Any]:
    """A `corev1.EnvVar` with `value` (`List.EnvVars`, a non-secret entry)."""
    return {"name": name, "value": env_value(value)}


def secret_env(name: str) -> dict[str, Any]:
    """A `corev1.EnvVar` read from the private-configuration Secret (`List.EnvVars`,
    a secret entry: the value itself is stored in the Secret, not in the Deployment)."""
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": PRIVATE_CONFIGURATION, "key": name}}}
