"""Operator verification problems as command-line errors."""

from __future__ import annotations

from twin.errors import InputError
from twin.model.registry.validate import ConfigProblem


def raise_first_problem(config_file: str, problems: list[ConfigProblem]) -> None:
    """Any problem stops the operator's sync before the Deployment is applied, so the
    first one is reported as an input error: permanent ones make the operator Degraded,
    the others make it retry (Progressing=True)."""
    if not problems:
        return
    problem = problems[0]
    effect = "Degraded, not retried" if problem.permanent else "the operator retries"
    text = problem.message.removeprefix(f"{problem.field_path}: ")
    raise InputError(str(config_file), problem.field_path, f"{text} (operator reason {problem.reason}: {effect})")
