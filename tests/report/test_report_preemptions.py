"""The run report names the preemptions: preemptor, node, victims and time
(zone-failure-full-cluster), and says nothing of them in a run without any."""

from __future__ import annotations

from twin.cli import main
from twin.report.preemptions import preemption_table
from twin.report.run_folder import read_run_folder


def test_the_report_of_zone_failure_full_cluster_names_the_victims(tmp_path):
    folder = tmp_path / "run"
    assert main(["run", "zone-failure-full-cluster", "--out", str(folder), "--report", "--quiet"]) == 0
    table = preemption_table(read_run_folder(folder).records)
    [(time, preemptor, node, victims, violations)] = table.rows
    assert preemptor.startswith("openshift-image-registry/image-registry-")
    assert victims.startswith("batch/batch-") and "," not in victims and violations == "0"
    assert node.startswith("worker-") and time == "11:05"  # the instant the replacement of the evicted replica exists
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    assert victims in markdown and preemptor in markdown


def test_a_run_without_preemption_has_no_preemption_table():
    assert preemption_table([]) is None
