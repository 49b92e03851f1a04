"""Field types shared by the scenario schema's sections: durations and the strict,
frozen base model (unknown fields rejected)."""

from __future__ import annotations

import math
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


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
