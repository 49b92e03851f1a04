"""The counterexample a check writes: the varied scenario as a standalone document (the
Config inlined, file paths absolute) with the seed and OpenShift version written out, under
a comment header saying how it was found; and its re-run, as `twin run` would do it."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import yaml

from twin import __version__
from twin.analysis.outcome import evaluate
from twin.check.explore import DEFAULT_MAX_SHRINKS, Budget
from twin.check.faults import describe
from twin.check.plan import Plan, Variation
from twin.invariants import Verdict
from twin.scenarios.load import scenario_from_body

FILE_NAME = "counterexample.yaml"


def counterexample_body(variation: Variation) -> dict:
    """The document, with `seed` and `openshift` right after the name and description."""
    body = variation.document.standalone()
    fixed = {"seed": variation.scenario.spec.seed, "openshift": variation.scenario.spec.openshift}
    head = {key: body[key] for key in ("name", "description") if key in body}
    rest = {key: value for key, value in body.items() if key not in head and key not in fixed}
    return {**head, **fixed, **rest}


def dump(body: dict) -> str:
    return yaml.safe_dump(body, sort_keys=False, default_flow_style=None, allow_unicode=True, width=100)


def rerun(body: dict) -> list[Verdict]:
    """The verdicts of an ordinary run of the document as it will be written."""
    scenario = scenario_from_body(yaml.safe_load(dump(body)), Path.cwd(), FILE_NAME)
    return evaluate(scenario).verdicts


def value_lines(values: dict[str, Any]) -> list[str]:
    """`path = value` for each `--vary`, a drawn fault described in words."""
    return [f"{path} = {_shown(path, value)}" for path, value in values.items()]


def verdict_lines(verdicts: list[Verdict]) -> list[str]:
    """Each failing verdict's detail, then its evidence on the next line."""
    lines = []
    for verdict in verdicts:
        lines.append(f"{verdict.name}: {verdict.detail}")
        if verdict.evidence:
            lines.append("  evidence: " + ", ".join(f"{k}={_scalar(v)}" for k, v in verdict.evidence.items()))
    return lines


def header(plan: Plan, command: str, values: dict[str, Any], failed: list[Verdict], search: str) -> str:
    """Comment lines: the command that found it, what counted, how the search went, the
    values, the failures and the command that reproduces them."""
    lines = [f"Counterexample found by `twin check` (registry-twin {__version__}):", f"  {command}",
             f"Invariants that count: {', '.join(plan.counted)}",
             f"Search: {search}",
             "Values:", *(f"  {line}" for line in value_lines(values)),
             "Fails:", *(f"  {line}" for line in verdict_lines(failed)),
             f"Reproduce: twin run {FILE_NAME}   (exit code 1)"]
    return "".join(f"# {line}\n" for line in lines)


def command_line(plan: Plan, openshift: str | None, invariant: str | None, budget: Budget, seed: int) -> str:
    """The `twin check` command that runs the same search."""
    words = ["twin", "check", plan.document.source, *(["--openshift", openshift] if openshift else [])]
    words += [word for vary in plan.varies for word in ("--vary", str(vary))]
    words += ["--invariant", invariant] if invariant else []
    words += ["--max-examples", str(budget.max_examples)] if budget.max_examples is not None else []
    words += ["--time", f"{budget.time_budget:g}s"] if budget.time_budget is not None else []
    words += ["--max-shrinks", str(budget.max_shrinks)] if budget.max_shrinks != DEFAULT_MAX_SHRINKS else []
    return shlex.join([*words, "--seed", str(seed)])


def _shown(path: str, value: Any) -> str:
    if path.startswith("faults."):
        return describe(path.split(".", 1)[1], value)
    return value if isinstance(value, str) else json.dumps(value)


def _scalar(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return value if isinstance(value, str) else json.dumps(value, default=str)
