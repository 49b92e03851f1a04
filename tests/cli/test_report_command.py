"""`twin run --report` and `twin report`: the files they write, byte-for-byte rebuilds from
the run folder, the traffic plots of a traffic scenario, and the HTML as a browser shows
it (headless Chromium: every image decoded, no console error)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from helpers import twin

from twin.cli import main

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TRAFFIC_PLOTS = ("request-latency", "rejection-rates", "queue-length", "resources")


def run_with_report(folder: Path, scenario: str) -> Path:
    assert main(["run", scenario, "--out", str(folder), "--report", "--quiet"]) == 0
    return folder


@pytest.fixture(scope="module")
def zone_failure(tmp_path_factory):
    return run_with_report(tmp_path_factory.mktemp("report") / "zone-failure", "zone-failure")


@pytest.fixture(scope="module")
def pull_storm(tmp_path_factory):
    return run_with_report(tmp_path_factory.mktemp("report") / "pull-storm", "zone-failure-pull-storm")


def report_files(folder: Path) -> dict[str, bytes]:
    files = [folder / "report.html", folder / "report.md", *sorted((folder / "plots").iterdir())]
    return {str(f.relative_to(folder)): f.read_bytes() for f in files}


def figure_ids(folder: Path) -> set[str]:
    return set(re.findall(r'<figure id="([^"]+)"', (folder / "report.html").read_text(encoding="utf-8")))


# twin run --report


def test_run_with_report_writes_the_html_the_markdown_and_every_plot_as_png_and_svg(zone_failure):
    plots = sorted(p.name for p in (zone_failure / "plots").iterdir())
    assert plots == ["pending-pods.png", "pending-pods.svg", "placement-before-fault.png", "placement-before-fault.svg",
                     "placement-end.png", "placement-end.svg", "ready-replicas.png", "ready-replicas.svg"]
    markdown = (zone_failure / "report.md").read_text(encoding="utf-8")
    assert all(f"(plots/{name})" in markdown for name in plots if name.endswith(".png"))
    assert (zone_failure / "cluster.json").is_file() and (zone_failure / "latency.parquet").is_file()


def test_twin_report_on_the_same_folder_rewrites_an_identical_report(capsys, zone_failure, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(zone_failure, copy)
    for name in ("report.html", "report.md"):
        (copy / name).unlink()
    shutil.rmtree(copy / "plots")
    code, out, err = twin(capsys, "report", str(copy))
    assert (code, err) == (0, "")
    assert out == f"report: {copy / 'report.html'} (report.md, 8 plot files in plots/)\n"
    assert report_files(copy) == report_files(zone_failure)


def test_the_html_is_self_contained_every_image_a_data_uri_and_no_script(zone_failure):
    html = (zone_failure / "report.html").read_text(encoding="utf-8")
    sources = re.findall(r'<img src="([^"]*)"', html)
    assert len(sources) == 4 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<script" not in html and "http://" not in html and "https://" not in html and "<link" not in html


def test_a_run_without_traffic_has_no_traffic_plots_but_says_why(zone_failure):
    assert not figure_ids(zone_failure) & set(TRAFFIC_PLOTS)
    assert "No request traffic in this run" in (zone_failure / "report.html").read_text(encoding="utf-8")


def test_the_pull_storm_report_has_the_latency_rejection_and_queue_plots(pull_storm):
    assert figure_ids(pull_storm) == {"ready-replicas", "placement-before-fault", "placement-end", "pending-pods",
                                      *TRAFFIC_PLOTS}
    html = (pull_storm / "report.html").read_text(encoding="utf-8")
    assert "Request latency by kind (p50, p99)" in html and "429, 405 and 503 answers per second" in html
    assert all((pull_storm / "plots" / f"{plot}.{suffix}").is_file() for plot in TRAFFIC_PLOTS for suffix in ("png", "svg"))


def test_the_resource_plot_is_drawn_from_resources_parquet_and_left_out_with_a_note_without_it(capsys, pull_storm,
                                                                                                tmp_path):
    html = (pull_storm / "report.html").read_text(encoding="utf-8")
    assert "CPU, network and memory per registry pod" in html and "(resources.parquet)" in html
    copy = tmp_path / "copy"
    shutil.copytree(pull_storm, copy)
    (copy / "resources.parquet").unlink()
    code, _, err = twin(capsys, "report", str(copy))
    assert (code, err) == (0, "")
    assert figure_ids(copy) == figure_ids(pull_storm) - {"resources"}
    assert not (copy / "plots" / "resources.png").exists() and not (copy / "plots" / "resources.svg").exists()
    assert "No resource plot: this run folder has no resources.parquet" in (copy / "report.html").read_text("utf-8")


def markdown_rows(folder: Path, heading: str) -> dict[str, str]:
    """The two-column table under `## heading` of report.md, as {first cell: second cell}."""
    section = (folder / "report.md").read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    cells = [line.strip("|").split(" | ") for line in section.splitlines() if line.startswith("| ")]
    return {row[0].strip(): row[1].strip() for row in cells[1:]}


def test_the_resources_section_says_what_saturated_first_and_each_pods_peaks_from_the_summary(pull_storm):
    summary = json.loads((pull_storm / "summary.json").read_text(encoding="utf-8"))
    resources, rows = summary["resources"], markdown_rows(pull_storm, "Resources")
    first = resources["first_saturated"]
    assert first["first"] == "limiter"  # the pull storm's read queue fills before any resource does
    assert rows["saturated first"].startswith(f"limiter at {first['limiter'] / 60:.1f} min")
    for pod, figures in resources["pods"].items():
        assert rows[pod.split("/")[-1]].startswith(f"CPU peak {figures['cpu_saturation']:.0%} of {figures['cpu_cores']:g} cores")
    node, peak = max(resources["network_saturation"].items(), key=lambda item: item[1])
    assert rows["busiest node link"] == f"{node} at {peak:.0%}"
    requests = markdown_rows(pull_storm, "Requests")
    assert requests["answered other 4xx (401 to the /v2/ ping, 404 to a push's HEAD)"] == \
        f"{summary['requests']['outcomes']['client_error']:,}"
    assert requests["kubelet pulls (one image each, as the client saw it)"].startswith(
        f"{summary['requests']['sessions']['kubelet']['ok']:,} ok")


def test_the_latency_windows_add_up_to_the_answered_requests_of_the_summary(pull_storm):
    latency = pd.read_parquet(pull_storm / "latency.parquet")
    summary = json.loads((pull_storm / "summary.json").read_text(encoding="utf-8"))
    assert set(latency["time"] % 60) == {0.0}
    assert (latency["p50"] <= latency["p99"]).all()
    assert latency.groupby("kind")["requests"].sum().to_dict() == {
        kind: q["requests"] for kind, q in summary["requests"]["latency_seconds"].items()}


def test_without_out_the_run_and_its_report_go_to_reports_under_the_scenario_name(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("tiny.yaml").write_text(textwrap.dedent("""\
        name: tiny
        description: One worker, two minutes.
        duration: 2m
        cluster: {generate: {zones: 1, workers_per_zone: 1, control_plane: 0}}
        registry: {config: {spec: {replicas: 1, storage: {s3: {}}}}}
        """))
    code, out, err = twin(capsys, "run", "tiny.yaml", "--report")
    assert (code, err) == (0, "")
    assert out.endswith(f"\nreport: {Path('reports/tiny/report.html')} (report.md, 6 plot files in plots/)\n")
    assert {"summary.json", "events.csv", "report.html", "report.md"} <= {p.name for p in Path("reports/tiny").iterdir()}


# the report in a browser


def chromium_or_skip() -> None:
    """Skip without Debian's chromium, unless TWIN_REQUIRE_BROWSER is set (CI sets it)."""
    reason = "Debian's chromium is not installed (.ci/run installs it)"
    if not CHROMIUM.exists():
        if os.environ.get("TWIN_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)


def open_in_chromium(html: Path) -> tuple[list[dict], list[str]]:
    """The page's images (complete, naturalWidth) and its console errors and page errors."""
    from playwright.sync_api import sync_playwright  # a dev dependency

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(html.resolve().as_uri(), wait_until="load")
        images = page.evaluate("Array.from(document.images, i => ({complete: i.complete, width: i.naturalWidth}))")
        browser.close()
    return images, errors


def test_without_chromium_the_browser_test_skips_unless_ci_requires_the_browser(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("TWIN_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Debian's chromium is not installed"):
        chromium_or_skip()
    monkeypatch.setenv("TWIN_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match=r"\(.ci/run installs it\)"):
        chromium_or_skip()


@pytest.mark.parametrize("scenario", ["zone_failure", "pull_storm"])
def test_in_chromium_every_image_of_the_report_is_decoded_and_the_console_has_no_error(scenario, request):
    chromium_or_skip()
    folder = request.getfixturevalue(scenario)
    images, errors = open_in_chromium(folder / "report.html")
    assert len(images) == len(figure_ids(folder))
    assert all(image["complete"] and image["width"] > 0 for image in images), images
    assert errors == []
