"""Bad ImagePruner input (issue 11, Bad input): negative counts (oc refuses them:
`images.go` `Validate`), a negative keepYoungerThanDuration, a schedule Kubernetes would
refuse, a prune fault without a pruner: one line naming the file and the field, exit 2,
nothing written."""

from __future__ import annotations

import json

import pytest
from helpers import twin

NEGATIVE = "expected a count that is not negative (oc: must be greater than or equal to 0), got {}"
CASES = [
    ("a negative keepTagRevisions", {"keepTagRevisions": -1}, "registry.pruner.keepTagRevisions", NEGATIVE.format(-1)),
    ("a negative failedJobsHistoryLimit", {"failedJobsHistoryLimit": -3}, "registry.pruner.failedJobsHistoryLimit",
     NEGATIVE.format(-3)),
    ("a negative keepYoungerThanDuration", {"keepYoungerThanDuration": "-60m"}, "registry.pruner.keepYoungerThanDuration",
     "expected a duration that is not negative, got '-60m'"),
    ("a schedule with six fields", {"schedule": "0 0 0 * * *"}, "registry.pruner.schedule",
     "expected a cron schedule of 5 fields (minute hour day-of-month month day-of-week), got 6"),
    ("a schedule with a minute out of range", {"schedule": "61 0 * * *"}, "registry.pruner.schedule",
     "expected a valid cron schedule, got '61 0 * * *'"),
    ("a wall clock that is not HH:MM", {"clock_at_start": "25:00"}, "registry.pruner.clock_at_start",
     "expected a time of day HH:MM (UTC), got '25:00'"),
]


def run(capsys, tmp_path, body: dict):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps({"name": "x", "duration": "5m", **body}))
    code, out, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    return scenario, code, out, err


@pytest.mark.parametrize("name, pruner, path, message", CASES, ids=[c[0] for c in CASES])
def test_bad_pruner_input_is_one_line_naming_the_field(capsys, tmp_path, monkeypatch, name, pruner, path, message):
    monkeypatch.chdir(tmp_path)
    scenario, code, out, err = run(capsys, tmp_path, {"registry": {"pruner": pruner}})
    assert code == 2 and out == ""
    assert err == f"twin: error: {scenario}: {path}: {message}\n"
    assert not (tmp_path / "out").exists()


def test_a_prune_fault_without_a_pruner_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scenario, code, out, err = run(capsys, tmp_path, {"faults": [{"at": "1m", "prune": {}}]})
    assert code == 2 and out == ""
    assert err.startswith(f"twin: error: {scenario}: ") and "faults[0].prune: expected registry.pruner to be set" in err
    assert err.count("\n") == 1
