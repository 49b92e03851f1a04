"""An estimate with its 95 % confidence interval, or a parameter the data could not
identify (then `value` is None and `why` says what was missing)."""

from __future__ import annotations

from dataclasses import dataclass

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    value: float | None
    low: float | None = None
    high: float | None = None
    method: str = ""
    why: str = ""  # set when not identified

    @property
    def identified(self) -> bool:
        return self.value is not None

    @classmethod
    def unidentified(cls, why: str) -> Estimate:
        return cls(None, why=why)

    def document(self) -> dict:
        if not self.identified:
            return {"identified": False, "why": self.why}
        return {"identified": True, "value": self.value, "ci95": [self.low, self.high], "method": self.method}
