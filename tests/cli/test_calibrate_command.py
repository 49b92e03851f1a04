"""`twin calibrate` as a user runs it: from a twin run's own scrapes (the OpenShift
registry's metric families) to a calibrated scenario that `twin run` runs, with the
storage latencies it was given recovered; and bad input: one line, exit 2, nothing
written. (The real registry's logs and scrapes: tests/validation/.)"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml
from helpers import twin

SCENARIO = textwrap.dedent("""\
    name: known-storage
    seed: 4
    duration: 20m
    cluster: {generate: {zones: 3, workers_per_zone: 1, control_plane: 0}}
    traffic:
      warm_up: 1m
      background: {pulls: {constant: 15}}
      service:
        storage_latency:
          GetContent: {median: 12ms, p99: 90ms}
          Stat: {median: 8ms, p99: 40ms}
    invariants: [{name: request_conservation}]
    """)


@pytest.fixture(scope="module")
def scraped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calibrate")
    (folder / "scenario.yaml").write_text(SCENARIO)
    from twin.cli import main
    assert main(["run", str(folder / "scenario.yaml"), "--out", str(folder / "run"), "--metrics-every", "30s",
                 "--quiet"]) == 0
    return folder


def test_storage_latencies_come_back_within_their_intervals_and_the_scenario_runs(capsys, scraped, tmp_path):
    out = tmp_path / "calibrated"
    code, stdout, err = twin(capsys, "calibrate", "--metrics", str(scraped / "run"), "--interval", "30s",
                             "--out", str(out))
    assert (code, err) == (0, ""), err
    assert "not identified" in stdout
    estimates = json.loads((out / "calibration.json").read_text())["estimates"]
    for op, median in (("GetContent", 0.012), ("Stat", 0.008)):
        e = estimates[f"traffic.service.storage_latency.{op}.median (s)"]
        low, high = e["ci95"]
        assert low <= median * 1.1 and high >= median * 0.9, (op, e)  # summaries' own quantiles: within 10 %
    not_identified = json.loads((out / "calibration.json").read_text())["not_identified"]
    assert "route" in not_identified["traffic.background.pulls"]  # OpenShift counters carry only the method
    report = (out / "calibration.md").read_text()
    assert "| traffic.service.storage_latency.GetContent.median (s) |" in report and "## Not identified" in report
    document = yaml.safe_load((out / "calibrated.yaml").read_text())
    assert document["traffic"]["service"]["storage_latency"]["GetContent"]["median"] == pytest.approx(0.012, rel=0.1)
    code, _, err = twin(capsys, "run", str(out / "calibrated.yaml"), "--quiet")
    assert code in (0, 1), err
    code, _, err = twin(capsys, "validate", str(out / "calibrated.yaml"), "--metrics", str(scraped / "run"),
                        "--out", str(tmp_path / "validation"), "--quiet")
    assert code in (0, 1), err  # 1: a figure out of tolerance (the imported cluster is not the scraped one)
    rows = json.loads((tmp_path / "validation" / "validation.json").read_text())["rows"]
    assert any(row["figure"] == "in_flight" and row["predicted"] is not None for row in rows)


@pytest.mark.parametrize("args, expected", [
    ((), "expected at least one --access-log, --metrics or --query-range"),
    (("--access-log", "missing.log"), "missing.log: expected an existing file or folder"),
    (("--metrics", "{run}", "--interval", "0s"), "--interval: expected a positive duration"),
    (("--metrics", "{run}", "--interval", "1x"), "--interval: expected a duration"),
    (("--metrics", "{run}", "--from", "1e12"), "--from/--to: expected a window holding observations"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(capsys, scraped, tmp_path, args, expected):
    out = tmp_path / "out"
    args = [a.replace("{run}", str(scraped / "run")) for a in args]
    code, stdout, err = twin(capsys, "calibrate", *args, "--out", str(out))
    assert code == 2 and expected in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_a_log_of_another_program_is_refused_naming_the_file(capsys, tmp_path):
    log = tmp_path / "other.log"
    log.write_text("Dec 06 04:00:00 host sshd[1]: Accepted publickey\n")
    code, _, err = twin(capsys, "calibrate", "--access-log", str(log), "--out", str(tmp_path / "out"))
    assert code == 2 and str(log) in err
    assert not (tmp_path / "out").exists()


def test_an_existing_calibration_is_kept_when_the_new_input_is_bad(capsys, scraped, tmp_path):
    out = tmp_path / "out"
    assert twin(capsys, "calibrate", "--metrics", str(scraped / "run"), "--interval", "30s", "--out", str(out))[0] == 0
    before = {str(p): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    code, _, _ = twin(capsys, "calibrate", "--access-log", str(tmp_path / "nope.log"), "--out", str(out))
    assert code == 2 and {str(p): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_an_imported_cluster_calibrated_from_scrapes_runs_and_validates(capsys, scraped, tmp_path):
    """import → calibrate --base → run → validate: the must-gather's nodes and Config with
    the scrapes' storage latencies, compared with the scrapes it was calibrated on."""
    data = Path(__file__).parent.parent / "importing" / "data" / "aws"
    must_gather = next(p for p in data.iterdir() if p.is_dir())
    cluster = tmp_path / "cluster"
    assert twin(capsys, "import", "must-gather", str(must_gather), "--out", str(cluster), "--quiet")[0] == 0
    out = tmp_path / "calibrated"
    code, _, err = twin(capsys, "calibrate", "--metrics", str(scraped / "run"), "--interval", "30s",
                        "--base", str(cluster / "scenario.yaml"), "--out", str(out), "--quiet")
    assert (code, err) == (0, "")
    document = yaml.safe_load((out / "calibrated.yaml").read_text())
    assert document["cluster"]["nodes"] == "../cluster/nodes.yaml"  # the base's files, from the new folder
    assert "GetContent" in document["traffic"]["service"]["storage_latency"]
    code, _, err = twin(capsys, "run", str(out / "calibrated.yaml"), "--quiet")
    assert code in (0, 1), err
    code, _, err = twin(capsys, "validate", str(out / "calibrated.yaml"), "--metrics", str(scraped / "run"),
                        "--out", str(tmp_path / "validation"), "--quiet")
    assert code in (0, 1), err  # 1: a figure out of tolerance (the imported cluster is not the scraped one)
    rows = json.loads((tmp_path / "validation" / "validation.json").read_text())["rows"]
    assert any(row["figure"] == "in_flight" and row["predicted"] is not None for row in rows)


@pytest.mark.parametrize("name, text, expected", [
    ("truncated.log", 'time="1970-01-01T00:00:01.000000000Z" level=info msg=response http.request.method=GET '
                      'http.request.uri="/v2/" http.response.duration=1ms http.response.status=200 '
                      'http.response.written=2\ntime="1970-01-01T00:00:02.0', "truncated"),
    ("export.json", '{"status": "success", "data": {"resultType": "matrix", "result": [{"metric": '
                    '{"__name__": "node_load1"}, "values": [[1, "0.5"]]}]}}', "registry"),
])
def test_a_truncated_log_or_an_export_without_registry_series_is_refused(capsys, tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text)
    option = "--query-range" if name.endswith(".json") else "--access-log"
    code, _, err = twin(capsys, "calibrate", option, str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and str(path) in err and expected in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "out").exists()
