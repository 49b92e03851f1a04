"""Kubernetes resource quantities (`100m`, `256Mi`, `4`, `16Gi`, `1.5`, `2e3`).

The grammar is apimachinery's `resource.Quantity`: a signed decimal number followed by
an optional suffix, either binary (Ki, Mi, Gi, Ti, Pi, Ei), decimal SI (n, u, m, k, M, G,
T, P, E) or a decimal exponent (e3, E-2). Arithmetic is exact (`fractions.Fraction`).

The scheduler works in integers, as kube-scheduler does: CPU in millicores
(`Quantity.MilliValue()`, rounded up) and everything else in units (`Quantity.Value()`,
rounded up).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": Fraction(1),
    "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9),
    "T": Fraction(10**12), "P": Fraction(10**15), "E": Fraction(10**18),
}
_PATTERN = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")

EXPECTED = "a Kubernetes quantity such as 100m, 256Mi, 4 or 16Gi"


class QuantityError(ValueError):
    """Raised for text that is not a Kubernetes quantity."""


def parse_quantity(text: str | int | float) -> Fraction:
    """Exact value of a quantity. `parse_quantity("100m") == Fraction(1, 10)`."""
    if isinstance(text, bool):
        raise QuantityError(f"expected {EXPECTED}, got {text!r}")
    if isinstance(text, int):
        return Fraction(text)
    if isinstance(text, float):
        return Fraction(str(text))
    match = _PATTERN.match(str(text).strip()) if isinstance(text, str) else None
    if match is None:
        raise QuantityError(f"expected {EXPECTED}, got {text!r}")
    number, suffix = match.group(1), match.group(2) or ""
    return Fraction(number) * _multiplier(suffix)


def _multiplier(suffix: str) -> Fraction:
    if suffix in _BINARY:
        return Fraction(_BINARY[suffix])
    if suffix in _DECIMAL:
        return _DECIMAL[suffix]
    return Fraction(10) ** int(suffix[1:])


def milli_value(text: str | int | float) -> int:
    """Millicores, rounded up like `Quantity.MilliValue()`: `milli_value("0.1") == 100`."""
    return math.ceil(parse_quantity(text) * 1000)


def value(text: str | int | float) -> int:
    """Units, rounded up like `Quantity.Value()`: `value("1Ki") == 1024`."""
    return math.ceil(parse_quantity(text))


def format_cpu(millicores: int) -> str:
    """Canonical CPU text: 2000 -> "2", 1500 -> "1500m"."""
    return str(millicores // 1000) if millicores % 1000 == 0 else f"{millicores}m"


def format_bytes(amount: int) -> str:
    """Canonical memory text using the largest exact binary suffix: 268435456 -> "256Mi"."""
    for suffix, size in reversed(_BINARY.items()):
        if amount and amount % size == 0:
            return f"{amount // size}{suffix}"
    return str(amount)
