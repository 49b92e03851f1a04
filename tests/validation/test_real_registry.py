"""The real-registry harness (`validation/`): Debian's docker-registry started and stopped
by the harness on 127.0.0.1, images pushed and pulled by skopeo, a short load level from
the generator. Seconds, so it runs in `make test`; the full validation is `make validate`.

Without the two Debian packages the test skips, unless `TWIN_REQUIRE_REGISTRY=1` (set by
`.ci/run`, which installs them): then their absence fails it."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from validation import registry as real
from validation.measure import measure

MISSING = [tool for tool in (real.BINARY, "skopeo") if shutil.which(tool) is None]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    if MISSING:
        if os.environ.get("TWIN_REQUIRE_REGISTRY") == "1":
            pytest.fail(f"TWIN_REQUIRE_REGISTRY=1 but {', '.join(MISSING)} not installed")
        pytest.skip(f"{', '.join(MISSING)} not installed (Debian packages docker-registry, skopeo; .ci/run installs them)")
    out = tmp_path_factory.mktemp("smoke")
    before = {p.name for p in Path(os.environ.get("TMPDIR", "/tmp")).glob("twin-registry-*")}
    document = measure(out, [(5.0, 4.0)], seed=3, scrape_every=1.0)
    return out, document, before


def test_every_pull_session_of_the_level_succeeds(smoke):
    _, document, _ = smoke
    level = document["levels"][0]
    assert level["sessions"] > 0 and level["failed_sessions"] == 0
    assert level["requests"] >= 4 * level["sessions"]  # ping, manifest, config, at least one layer


def test_the_json_log_has_a_response_completed_line_for_every_access_log_line(smoke):
    """distribution `registry/handlers/app.go`: "response completed", or "response completed
    with error" when the handler set errors (a 404 to a push's blob HEAD)."""
    out, _, _ = smoke
    access = [line for line in (out / "access.log").read_text().splitlines() if line.strip()]
    completed = [json.loads(line) for line in (out / "app.log").read_text().splitlines()
                 if '"msg":"response completed' in line]
    assert len(access) == len(completed) > 0
    assert {entry["msg"] for entry in completed} == {"response completed", "response completed with error"}
    assert {entry["http.request.method"] for entry in completed} >= {"GET", "HEAD", "POST", "PATCH", "PUT"}


def test_the_last_scrape_counts_every_request_the_logs_record(smoke):
    """Every route but the `/v2/` ping, exactly: the harness's own readiness polls of
    `/v2/` while the registry starts can be logged and not yet counted."""
    out, _, _ = smoke
    last = sorted((out / "metrics" / "registry-0").glob("t*ms.prom"))[-1].read_text()
    series = re.findall(r'^registry_http_requests_total\{([^}]*)\} (\S+)$', last, re.M)
    counted = sum(float(value) for labels, value in series if 'handler="base"' not in labels)
    access = [line for line in (out / "access.log").read_text().splitlines() if line.strip() and '"GET /v2/ ' not in line]
    assert counted == len(access) > 0


def test_the_registry_is_stopped_and_its_folder_removed(smoke):
    _, _, before = smoke
    after = {p.name for p in Path(os.environ.get("TMPDIR", "/tmp")).glob("twin-registry-*")}
    assert after <= before
    assert not [line for line in os.popen("pgrep -a docker-registry").read().splitlines() if "twin-registry-" in line]


def test_calibrate_then_run_on_the_real_registrys_own_logs_and_scrapes(smoke, tmp_path, capsys):
    """`twin calibrate` → `twin run` end to end on what the real registry wrote: the pull
    rate's interval covers the sessions the generator started, the storage and CPU
    figures are there, and the calibrated scenario runs."""
    from twin.cli import main

    out, document, _ = smoke
    level = document["levels"][0]
    calibrated = tmp_path / "calibrated"
    assert main(["calibrate", "--access-log", str(out / "app.log"), "--metrics", str(out / "metrics"),
                 "--from", str(level["from_epoch"]), "--to", str(level["to_epoch"]), "--interval", "1s",
                 "--out", str(calibrated), "--quiet"]) == 0
    result = json.loads((calibrated / "calibration.json").read_text())
    estimates = result["estimates"]
    rate = next(e for name, e in estimates.items() if name.startswith("traffic.background.pulls"))
    seconds = level["to_epoch"] - level["from_epoch"]
    low, high = rate["ci95"]
    assert low <= level["sessions"] / seconds <= high
    assert "traffic.service.tls_handshake" in result["not_identified"]
    assert main(["run", str(calibrated / "calibrated.yaml"), "--quiet"]) in (0, 1)
    whole = tmp_path / "whole"  # the pushes and skopeo pulls too: enough storage calls to fit
    assert main(["calibrate", "--access-log", str(out / "app.log"), "--metrics", str(out / "metrics"), "--interval", "1s",
                 "--out", str(whole), "--quiet"]) == 0
    estimates = json.loads((whole / "calibration.json").read_text())["estimates"]
    median = estimates["traffic.service.storage_latency.GetContent.median (s)"]
    assert 0 < median["value"] < 0.005  # a local filesystem, not S3's tens of milliseconds


def test_a_level_scenario_serves_the_images_the_harness_pushed():
    """`traffic.catalogue.seed`: the twin draws its catalogue from the harness's seed, so
    the twin's registry serves the same images, layer for layer."""
    from twin.run import build_world
    from twin.scenarios.load import scenario_from_body
    from validation.images import catalogue
    from validation.scenario import level_scenario

    measurement = {"seed": 7, "cpus": 2}
    level = {"rate": 5.0, "from": 0.0, "to": 10.0, "generator_cpu_seconds": 0.1}
    scenario = scenario_from_body(level_scenario(measurement, level), Path("."), "level")
    _, _, traffic = build_world(scenario, 1, "4.23", None)
    twin_images = [(i.repository, i.tag, i.layer_bytes) for i in traffic.engine.catalogue.images]
    assert twin_images == [(i.repository, i.tag, i.layer_bytes) for i in catalogue(7).images]


def test_validate_compares_the_twin_with_the_real_registrys_level(smoke, tmp_path):
    """`twin validate` on the smoke level: both sides of the manifest and blob figures,
    the table, the plot; exit 0 or 1 (a verdict), never 2."""
    import yaml

    from twin.cli import main
    from validation.scenario import level_scenario

    out, document, _ = smoke
    level = document["levels"][0]
    scenario = tmp_path / "level.yaml"
    scenario.write_text(yaml.safe_dump(level_scenario(document, level)))
    folder = tmp_path / "validation"
    code = main(["validate", str(scenario), "--access-log", str(out / "app.log"), "--metrics", str(out / "metrics"),
                 "--from", str(level["from_epoch"]), "--to", str(level["to_epoch"]), "--out", str(folder), "--quiet"])
    assert code in (0, 1)
    rows = {r["figure"]: r for r in json.loads((folder / "validation.json").read_text())["rows"]}
    for figure in ("manifest_get p50", "blob_get p99", "blob_get requests_per_second"):
        assert rows[figure]["observed"] is not None and rows[figure]["predicted"] is not None
    assert (folder / "validation.md").is_file() and (folder / "plots" / "validation.png").stat().st_size > 0


def test_validate_refuses_a_missing_log_without_writing(smoke, tmp_path, capsys):
    from twin.cli import main

    folder = tmp_path / "validation"
    code = main(["validate", "zone-failure", "--access-log", str(tmp_path / "none.log"), "--out", str(folder)])
    assert code == 2 and "none.log: expected an existing file or folder" in capsys.readouterr().err
    assert not folder.exists()
