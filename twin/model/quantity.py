"""Kubernetes resource quantities (`100m`, `256Mi`, `4`, `16Gi`, `1.5`, `2e3`).

The grammar is apimachinery's `resource.Quantity`: a signed decimal number followed by
an optional suffix, either binary (Ki, Mi, Gi, Ti, Pi, Ei), decimal SI (n, u, m, k, M, G,
T, P, E) or a decimal exponent (e3, E-2). Arithmetic is exact (`fractions.Fraction`).

Range and precision (k8s.io/apimachinery `pkg/api/resource/quantity.go`, the `Quantity`
doc comment): "No matter which of the three exponent forms is used, no quantity may
represent a number greater than 2^63-1 in magnitude, nor may it have more than 3 decimal
places. Numbers larger or more precise will be capped or rounded up." `ParseQuantity`
itself rounds every non-zero value up (away from zero) to a whole nanounit (`Nano`: "if
you want some resources, you should get some resources") and caps binary-suffixed
values at 2^63-1; decimal ones beyond it it keeps, but `Value()` and `MilliValue()` then
overflow int64 ("this could overflow an int64"), which kube-scheduler uses. So here:

* a magnitude above 2^63-1 (`MAX`) is refused, not capped: a node with "1e999999999"
  CPUs or "9Ei" of memory is a typo, and the scheduler's int64 arithmetic cannot hold it;
  the bound is checked on the number's digits and exponent before any arithmetic, so
  `1e999999999` is refused at once instead of computing 10**999999999;
* `milli_value` refuses a value whose millivalue passes int64 (CPU in millicores);
* values are rounded up to a whole nanounit as `ParseQuantity` does (a tiny exponent,
  `1e-999999999`, is 1n without computing it);
* the text is at most `MAX_TEXT` characters (a quantity needs about 25: "9223372036854775807000m").

The scheduler works in integers, as kube-scheduler does: CPU in millicores
(`Quantity.MilliValue()`, rounded up) and everything else in units (`Quantity.Value()`,
rounded up).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from twin.model.quoting import shown

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL_EXPONENT = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_PATTERN = re.compile(r"^([+-]?)([0-9]*)(?:\.([0-9]*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$")

MAX = 2**63 - 1
"""apimachinery: no quantity may represent a number greater than 2^63-1 in magnitude."""
MAX_TEXT = 100
NANO = Fraction(1, 10**9)

EXPECTED = "a Kubernetes quantity such as 100m, 256Mi, 4 or 16Gi"


class QuantityError(ValueError):
    """Raised for text that is not a Kubernetes quantity, or one out of range."""


def parse_quantity(text: str | int | float) -> Fraction:
    """Exact value of a quantity, rounded up to a whole nanounit as apimachinery's
    `ParseQuantity` does: `parse_quantity("100m") == Fraction(1, 10)`."""
    if isinstance(text, bool):
        raise QuantityError(f"expected {EXPECTED}, got {shown(text)}")
    if isinstance(text, int):
        return _in_range(Fraction(text), text)
    if isinstance(text, float):
        if not math.isfinite(text):
            raise QuantityError(f"expected {EXPECTED}, got {shown(text)}")
        if abs(text) > 2.0**64:
            raise _too_big(text)
        return _in_range(_nano(Fraction(str(text))), text)
    if not isinstance(text, str):
        raise QuantityError(f"expected {EXPECTED}, got {shown(text)}")
    stripped = text.strip()
    if len(stripped) > MAX_TEXT:
        raise QuantityError(f"expected {EXPECTED} (at most {MAX_TEXT} characters), got {shown(text)}")
    match = _PATTERN.match(stripped)
    if match is None or not (match.group(2) or match.group(3)):
        raise QuantityError(f"expected {EXPECTED}, got {shown(text)}")
    sign, whole, fraction, suffix = match.group(1), match.group(2), match.group(3) or "", match.group(4) or ""
    digits = (whole + fraction).lstrip("0")
    if not digits:
        return Fraction(0)
    if suffix in _BINARY:
        amount = Fraction(int(whole + fraction), 10 ** len(fraction)) * _BINARY[suffix]
    else:
        exponent = _DECIMAL_EXPONENT[suffix] if suffix in _DECIMAL_EXPONENT else int(suffix[1:])
        # the value is in [10**(top - 1), 10**top) with top the place of its first digit
        top = (len(whole.lstrip("0")) if whole.lstrip("0") else -(len(fraction) - len(fraction.lstrip("0")))) + exponent
        if top > 19:  # >= 10**19 > 2**63 - 1
            raise _too_big(text)
        if top < -9:  # < 1e-10: rounds up to 1n
            return -NANO if sign == "-" else NANO
        amount = Fraction(int(whole + fraction)) * Fraction(10) ** (exponent - len(fraction))
    amount = _nano(-amount if sign == "-" else amount)
    return _in_range(amount, text)


def _nano(amount: Fraction) -> Fraction:
    """Rounded up, away from zero, to a whole nanounit (inf.RoundUp at scale 9)."""
    if (amount * 10**9).denominator == 1:
        return amount
    units = math.ceil(abs(amount) * 10**9)
    return Fraction(units if amount > 0 else -units, 10**9)


def _in_range(amount: Fraction, text) -> Fraction:
    if abs(amount) > MAX:
        raise _too_big(text)
    return amount


def _too_big(text) -> QuantityError:
    return QuantityError(f"expected a quantity of at most 2^63-1 ({MAX}) in magnitude (the limit of Kubernetes' "
                         f"resource.Quantity), got {shown(text)}")


def milli_value(text: str | int | float) -> int:
    """Millicores, rounded up like `Quantity.MilliValue()`: `milli_value("0.1") == 100`;
    a millivalue past int64 (over 9.2e15 cores) is refused rather than overflowing as
    Go's would."""
    millis = math.ceil(parse_quantity(text) * 1000)
    if abs(millis) > MAX:
        raise QuantityError(f"expected a CPU quantity of at most {MAX // 1000} cores (its millicores must fit "
                            f"int64, as MilliValue() returns them), got {shown(text)}")
    return millis


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
