"""`twin check`: search the states, configurations and fault timelines around a scenario
for one that violates an invariant, with Hypothesis, and shrink it to a minimal
counterexample that `twin run` reproduces (docs/check.md).

    from twin.check import search

    result = search("zone-failure-3-replicas", ["cluster.zones=1..4", "faults.zone_outage=any"],
                    invariant="zone_failure_recovery", max_examples=50)
    if result.found:
        print(result.values, [v.detail for v in result.failed])
        Path("counterexample.yaml").write_text(result.text)

Modules: specs (the --vary grammar), faults (what `faults.KIND=any` draws), plan (the
space and its strategy), explore (Hypothesis, budgets, shrinking), counterexample (the
file and its re-run), result (`search` and `CheckResult`).
"""

from twin.check.counterexample import FILE_NAME
from twin.check.faults import KINDS as FAULT_KINDS
from twin.check.result import CheckResult, search
from twin.check.specs import AnyFault, Choices, IntRange, parse_varies, parse_vary

__all__ = ["FAULT_KINDS", "FILE_NAME", "AnyFault", "CheckResult", "Choices", "IntRange", "parse_vary", "parse_varies",
           "search"]
