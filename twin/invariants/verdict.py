"""The answer of an invariant.

An invariant that had nothing to check (no registry binding for `max_skew`, no zone outage
for `zone_failure_recovery`, no image pulled for `pull_latency`, ...) does not hold: its
verdict is *vacuous*, `holds=False` and `vacuous=True`, with a detail that starts
"nothing to check:" and says what was missing. Everything that judges a run reads
`holds`, so a vacuous verdict fails the run like a violated one (exit code 1 of `twin
run`, a `<failure>` in JUnit, a failed pytest item, a False in a sweep's `holds.<name>`):
a check that checked nothing is no evidence, and a pipeline must not turn green on it
(docs/scenarios.md, "Invariants that had nothing to check"). `vacuous` tells the two
apart for whoever reads the verdicts; `summary.json` has `"vacuous": true` on those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NOTHING_TO_CHECK = "nothing to check: "


@dataclass(frozen=True)
class Verdict:
    name: str
    holds: bool
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)
    vacuous: bool = False

    @classmethod
    def nothing_to_check(cls, name: str, why: str, evidence: dict[str, Any] | None = None) -> Verdict:
        """A vacuous verdict: `why` says what the run lacked (e.g. "no registry pod was bound")."""
        return cls(name, False, NOTHING_TO_CHECK + why, dict(evidence or {}), vacuous=True)

    def as_dict(self) -> dict[str, Any]:
        """`vacuous: true` is added only to a vacuous verdict, so the documents of runs whose
        invariants all had something to check keep their shape."""
        document = {"name": self.name, "holds": self.holds, "detail": self.detail, "evidence": self.evidence}
        return {**document, "vacuous": True} if self.vacuous else document
