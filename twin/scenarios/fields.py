"""Field types shared by the scenario schema's sections: durations, bandwidths and the
strict, frozen base model (unknown fields rejected)."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from twin.model.registry.duration import parse_go_duration


def seconds(value: Any) -> float:
    """A duration: a number of seconds, or Go-style text such as 90s, 10m, 1h30m."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 90s, 10m or 1h30m, got {value!r}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number of seconds, got {value!r}")
        if value < 0:
            raise ValueError(f"expected a duration that is not negative, got {value!r}")
        return float(value)
    try:
        nanos = parse_go_duration(value)
    except ValueError:
        raise ValueError(f"expected a duration such as 90s, 10m or 1h30m, got {value!r}") from None
    if nanos < 0:
        raise ValueError(f"expected a duration that is not negative, got {value!r}")
    return nanos / 1e9


Seconds = Annotated[float, BeforeValidator(seconds)]


def bandwidth(value: Any) -> float:
    """Bytes per second from a bandwidth with its unit: 1.25Gbit/s, 10Gbps, 500Mbit/s,
    156MB/s, 1.2GB/s. A bare number is refused: EC2 publishes bits, S3 guidance bytes."""
    match = _BANDWIDTH.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"expected a bandwidth with its unit (k, M or G and bit/s, bps, b/s or B/s), such as "
                         f"1.25Gbit/s or 156MB/s, got {value!r}")
    amount, prefix, unit = float(match.group(1)), match.group(2), match.group(3)
    scale = {"G": 1e9, "M": 1e6, "k": 1e3}[prefix] / (1 if unit == "B/s" else 8)
    if not amount > 0:
        raise ValueError(f"expected a bandwidth > 0, got {value!r}")
    return amount * scale


_BANDWIDTH = re.compile(r"([+-]?[0-9]+(?:\.[0-9]+)?)\s*(G|M|k)(bit/s|bps|b/s|B/s)")
Bandwidth = Annotated[float, BeforeValidator(bandwidth)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
