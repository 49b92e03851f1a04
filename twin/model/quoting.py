"""Values quoted in error messages: short, escaped, bounded whatever the input.

An error names what was wrong, so it quotes the offending value, but a value from a file
can be a megabyte string, a 4,000-digit integer or an alias-expanded structure; `repr` of
those prints the whole thing (or, for an alias bomb, takes exponential time). `shown`
quotes at most `LIMIT` characters of it, escaped as `repr` escapes them (so a control
character cannot break the one-line message), then `…` and how long the value was:

    >>> shown("x" * 1000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (1000 characters)"
    >>> shown(10**100)
    'an integer of 101 digits'
"""

from __future__ import annotations

import math
import reprlib
from typing import Any

LIMIT = 60
"""Characters of a value an error message quotes."""

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxtuple, _REPR.maxset = 2, 4, 4, 4, 4
_REPR.maxstring, _REPR.maxother, _REPR.maxlong = 24, 24, 24


def shown(value: Any, limit: int = LIMIT) -> str:
    """`repr(value)` for a short value; otherwise an escaped prefix of at most `limit`
    characters, `…`, and the value's length. Never expands a container beyond a few
    items per level and never converts a huge integer to text."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        text = repr(value[:limit])
        return f"{text[:-1]}…{text[-1]} ({len(value)} characters)"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        digits = _digits(value)
        return repr(value) if digits <= limit else f"an integer of {digits} digits"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (bytes, bytearray)):
        text = repr(bytes(value[:limit]))
        return text if len(value) <= limit else f"{text}… ({len(value)} bytes)"
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _digits(value: int) -> int:
    """Decimal digits of |value| without converting it to text (a huge int cannot be)."""
    magnitude = abs(value)
    if magnitude < 10**18:
        return len(str(magnitude))
    estimate = int(magnitude.bit_length() * math.log10(2))  # digits - 1 or digits
    return estimate + 1 if magnitude >= 10**estimate else estimate


def clipped(text: str, limit: int = 2 * LIMIT) -> str:
    """Free text from elsewhere (a parser's message, which may quote a whole line) cut to
    `limit` characters with `…`, control characters escaped."""
    escaped = repr(text[:limit + 1])[1:-1]
    return escaped if len(text) <= limit else escaped[:limit] + "…"
