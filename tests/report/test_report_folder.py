"""`twin report` reads only the run folder: what it refuses (one line, exit code 2, nothing
written), and what it makes of a folder without traffic, Pending pods or cluster.json."""

from __future__ import annotations

import json

import pytest

from twin.cli import main
from twin.errors import InputError
from twin.report.run_folder import read_run_folder
from twin.report.run_report import write_report

SUMMARY = {"scenario": "by-hand", "seed": 3, "openshift": "4.22", "simulated_seconds": 600.0,
           "invariants": [{"name": "registry_availability", "holds": False, "detail": "0 Ready replicas at 5:00",
                           "evidence": {"at": 300.0, "min_ready": 0}}],
           "kpis": {"registry_recovery_seconds": None, "min_ready_replicas": 0}}
EVENTS = """time,seq,kind,subject,details
0.0,0,NodeAdded,a,{}
0.0,1,RegistryDesired,image-registry,"{""replicas"": 1}"
0.0,2,PodCreated,openshift-image-registry/image-registry-x-1,"{""owner"": ""image-registry-x""}"
0.0,3,PodBound,openshift-image-registry/image-registry-x-1,"{""node"": ""a"", ""daemonset"": false}"
20.0,4,PodReady,openshift-image-registry/image-registry-x-1,"{""node"": ""a""}"
300.0,5,PodNotReady,openshift-image-registry/image-registry-x-1,"{""reason"": ""NodeNotReady""}"
"""


def run_folder(path, summary=None, events=EVENTS):
    path.mkdir(exist_ok=True)
    (path / "summary.json").write_text(json.dumps(SUMMARY if summary is None else summary))
    (path / "events.csv").write_text(events)
    return path


def error_of(path) -> str:
    with pytest.raises(InputError) as error:
        read_run_folder(path)
    return str(error.value)


def test_a_missing_folder_is_named_in_the_error(tmp_path):
    assert error_of(tmp_path / "nope") == f"{tmp_path / 'nope'}: expected a run folder written by `twin run --out`; " \
                                          "it does not exist"


def test_a_folder_without_summary_and_events_is_not_a_run_folder(tmp_path):
    assert error_of(tmp_path).endswith("summary.json and events.csv missing")


def test_an_unreadable_summary_names_the_file_and_the_json_error(tmp_path):
    run_folder(tmp_path)
    (tmp_path / "summary.json").write_text("{not json")
    assert error_of(tmp_path).startswith(f"{tmp_path / 'summary.json'}: expected JSON: ")


def test_a_summary_without_a_field_of_the_contract_names_the_field(tmp_path):
    run_folder(tmp_path, {k: v for k, v in SUMMARY.items() if k != "seed"})
    assert error_of(tmp_path).startswith(f"{tmp_path / 'summary.json'}: seed: expected a value")


def test_events_with_another_header_are_refused(tmp_path):
    run_folder(tmp_path, events="when,what\n1,x\n")
    assert "expected the header time,seq,kind,subject,details" in error_of(tmp_path)


def test_an_event_with_broken_details_names_its_line(tmp_path):
    run_folder(tmp_path, events=EVENTS + "301.0,6,PodReady,x,{broken\n")
    assert error_of(tmp_path).startswith(f"{tmp_path / 'events.csv'}: line 8: expected time,seq,kind,subject,details")


def test_twin_report_on_bad_input_prints_one_line_exits_2_and_writes_nothing(capsys, tmp_path):
    run_folder(tmp_path)
    (tmp_path / "summary.json").write_text("[]")
    code = main(["report", str(tmp_path)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"twin: error: {tmp_path / 'summary.json'}: expected a JSON object, got list\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "summary.json"]


@pytest.fixture(scope="module")
def by_hand(tmp_path_factory):
    """The report of a hand-made folder: no traffic, no Pending pod, no cluster.json."""
    folder = run_folder(tmp_path_factory.mktemp("by-hand"))
    write_report(folder)
    return folder, (folder / "report.html").read_text(encoding="utf-8")


def test_a_run_without_traffic_says_so_instead_of_plotting_requests(by_hand):
    folder, html = by_hand
    assert "No request traffic in this run" in html
    assert not (folder / "plots" / "request-latency.png").exists()


def test_a_run_without_pending_pods_says_so(by_hand):
    assert "No pod was Pending" in by_hand[1]


def test_a_folder_without_cluster_json_still_gets_its_pictures_and_a_note_why_zones_are_missing(by_hand):
    folder, html = by_hand
    assert "has no cluster.json" in html
    assert sorted(p.name for p in (folder / "plots").iterdir()) == [
        "pending-pods.png", "pending-pods.svg", "placement-end.png", "placement-end.svg", "ready-replicas.png",
        "ready-replicas.svg"]


def test_the_header_and_a_failing_verdict_come_from_summary_json(by_hand):
    html = by_hand[1]
    assert "<dt>OpenShift</dt><dd>4.22</dd>" in html and "<dt>seed</dt><dd>3</dd>" in html
    assert '1 of 1 invariant(s) FAIL: registry_availability.' in html
    assert '<td class="FAILS">FAILS</td>' in html


def test_plots_an_earlier_report_had_are_removed_when_the_run_no_longer_has_them(tmp_path):
    folder = run_folder(tmp_path)
    (folder / "plots").mkdir()
    (folder / "plots" / "queue-length.png").write_bytes(b"old")
    (folder / "plots" / "mine.png").write_bytes(b"keep")
    write_report(folder)
    assert not (folder / "plots" / "queue-length.png").exists()
    assert (folder / "plots" / "mine.png").read_bytes() == b"keep"
