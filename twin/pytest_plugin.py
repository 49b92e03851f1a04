"""pytest plugin (entry point `pytest11: twin`): every `*.twin.yaml` scenario file pytest
collects becomes test items, one per (OpenShift version, seed); an item runs the scenario
through `analysis.outcome.evaluate` and fails when an invariant fails, reporting each failed
invariant's name, detail and evidence (no traceback). A file that does not load becomes one
item failing with the one-line input error. Usage and options: `docs/ci.md`.

Seeds: by default the scenario's own `seed`. `--twin-seeds N` runs N consecutive seeds
starting there (seed, seed+1, …, seed+N-1), so the file's seed is always among them and
every item is reproducible with `twin run FILE --seed S`; `--twin-seed S` moves the start
to S (alone: just S). The ini option `twin_seeds` sets the default N for a repository.

Loaded by every pytest run in an environment where registry-twin is installed, so this
module imports nothing heavy at import time and only ever claims `*.twin.yaml` files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from twin.errors import InputError

SUFFIX = ".twin.yaml"
MARKER = "twin: a registry-twin scenario collected from a *.twin.yaml file"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("twin", "registry-twin scenarios (*.twin.yaml)")
    group.addoption("--twin-seeds", type=int, metavar="N",
                    help="run each scenario with N consecutive seeds, from its own seed (or --twin-seed) on")
    group.addoption("--twin-seed", type=int, metavar="S", help="start at seed S instead of the scenario's own seed")
    group.addoption("--twin-openshift", action="append", metavar="VERSION",
                    help="run each scenario on this OpenShift version instead of its own (repeatable)")
    parser.addini("twin_seeds", "default for --twin-seeds", default="1")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    seeds, start = _seed_count(config), config.getoption("twin_seed")
    if seeds < 1:
        raise pytest.UsageError(f"--twin-seeds: expected a positive integer, got {seeds}")
    if start is not None and start < 0:
        raise pytest.UsageError(f"--twin-seed: expected a non-negative integer, got {start}")
    for version in config.getoption("twin_openshift") or ():
        _check_version(version)


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.name.endswith(SUFFIX):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    """A `*.twin.yaml` file: one item per (OpenShift version, seed)."""

    def collect(self):
        from twin.scenarios.load import load_scenario

        try:
            scenario = load_scenario(_display(self.path))
        except InputError as error:
            yield ScenarioItem.from_parent(self, name=self.path.name.removesuffix(SUFFIX), error=error)
            return
        versions = list(dict.fromkeys(self.config.getoption("twin_openshift") or [None]))
        for openshift in versions:
            for seed in seeds_for(scenario.spec.seed, self.config.getoption("twin_seed"), _seed_count(self.config)):
                yield ScenarioItem.from_parent(self, name=item_name(scenario.spec.name, seed, openshift),
                                               scenario=scenario, seed=seed, openshift=openshift)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario=None, seed: int | None = None, openshift: str | None = None,
                 error: InputError | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scenario, self.seed, self.openshift, self.error = scenario, seed, openshift, error
        self.add_marker("twin")

    def runtest(self) -> None:
        from twin.analysis.outcome import evaluate
        from twin.report.junit import run_properties

        if self.error is not None:
            raise ScenarioFailed(str(self.error), str(self.error))
        try:
            outcome = evaluate(self.scenario, self.seed, self.openshift)
        except InputError as error:
            raise ScenarioFailed(str(error), str(error)) from None
        self.user_properties += run_properties(outcome.document)
        self.user_properties += [(f"invariant_{v.name}", "holds" if v.holds else "FAILS") for v in outcome.verdicts]
        if not outcome.holds:
            raise ScenarioFailed(failure_headline(outcome.document), failure_report(outcome.document))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            return FailureRepr(excinfo.value.report, _Crash(str(self.path), 0, excinfo.value.headline))
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, self.name


def seeds_for(own: int, start: int | None, count: int) -> list[int]:
    """`count` consecutive seeds from `start`, or from the scenario's own seed."""
    first = own if start is None else start
    return list(range(first, first + count))


def item_name(scenario: str, seed: int, openshift: str | None) -> str:
    """`zone-failure[seed=1]`, or `zone-failure[openshift=4.22,seed=1]` with an override."""
    version = f"openshift={openshift}," if openshift else ""
    return f"{scenario}[{version}seed={seed}]"


def failure_headline(document: dict) -> str:
    return "; ".join(f"{v['name']}: {v['detail']}" for v in document["invariants"] if not v["holds"])


def failure_report(document: dict) -> str:
    """The failed invariants with their evidence first, then the ones that held."""
    from twin.report.junit import failure_text

    invariants = document["invariants"]
    failed = [v for v in invariants if not v["holds"]]
    lines = [f"scenario {document['scenario']} (OpenShift {document['openshift']}, seed {document['seed']}): "
             f"{len(failed)} of {len(invariants)} invariant(s) failed", ""]
    for verdict in failed:
        name, *rest = failure_text(verdict).splitlines()
        lines += [f"FAILS  {verdict['name']}: {name}", *(f"       {line}" for line in rest)]
    lines += [f"holds  {v['name']}: {v['detail']}" for v in invariants if v["holds"]]
    return "\n".join(lines)


class ScenarioFailed(Exception):
    def __init__(self, headline: str, report: str) -> None:
        super().__init__(headline)
        self.headline, self.report = headline, report


@dataclass(frozen=True)
class _Crash:
    """What pytest reads from a failure's `reprcrash`: the short summary and the JUnit
    failure message use `message`."""

    path: str
    lineno: int
    message: str


class FailureRepr:
    """A failure report made of plain lines (pytest calls `toterminal`; xdist and the
    JUnit XML body use `str`)."""

    def __init__(self, text: str, crash: _Crash) -> None:
        self.text, self.reprcrash = text, crash

    def toterminal(self, tw) -> None:
        for line in self.text.splitlines():
            tw.line(line)

    def __str__(self) -> str:
        return self.text


def _seed_count(config: pytest.Config) -> int:
    count = config.getoption("twin_seeds")
    if count is not None:
        return count
    try:
        return int(config.getini("twin_seeds"))
    except ValueError:
        raise pytest.UsageError(f"twin_seeds: expected an integer, got {config.getini('twin_seeds')!r}") from None


def _check_version(version: str) -> None:
    from twin.model.registry import openshift_version

    try:
        openshift_version(version)
    except ValueError as exc:
        raise pytest.UsageError(f"--twin-openshift: {exc}") from None


def _display(path: Path) -> str:
    """The file as the user would name it: relative to the working directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
