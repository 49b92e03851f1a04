"""Registry request logs (`twin/observed/accesslog.py`) against real distribution 2.8.2
output (`data/distribution-2.8.2/SOURCE.md`) and hand-made bad input."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from twin.errors import InputError
from twin.observed import godur, read_exposition, routes
from twin.observed.accesslog import read_access_log

REAL = Path(__file__).parent / "data" / "distribution-2.8.2"
JSON_LOG, COMBINED_LOG = REAL / "app-json.log", REAL / "access-combined.log"


def _response_lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if '"msg":"response completed' in line]


def test_every_response_completed_line_of_the_real_json_log_is_one_request():
    frame = read_access_log(JSON_LOG)
    assert len(frame) == len(_response_lines(JSON_LOG)) == 42
    assert frame.attrs["format"] == "json" and frame.attrs["lines"] == 45 and frame.attrs["skipped"] == 3


def test_the_real_json_log_rows_carry_each_lines_method_status_bytes_and_duration():
    frame = read_access_log(JSON_LOG)
    for row, line in zip(frame.itertuples(), _response_lines(JSON_LOG)):
        assert f'"http.request.method":"{row.method}"' in line
        assert f'"http.response.status":{row.status},' in line
        assert f'"http.response.written":{row.bytes_written},' in line
    assert frame["duration_seconds"].iloc[0] == pytest.approx(1.766656e-3)  # "1.766656ms"
    assert frame["duration_seconds"].iloc[2] == pytest.approx(779.965e-6)  # "779.965µs"
    assert frame["time"].iloc[0] == pytest.approx(1796530913.244124448)  # 2026-12-06T04:21:53.244124448Z


def test_json_escaped_ampersands_are_decoded_so_upload_commits_are_recognised():
    frame = read_access_log(JSON_LOG)
    commits = frame[frame["kind"] == "upload_commit"]
    assert len(commits) == 3 and all("&digest=sha256%3A" in uri for uri in commits["uri"])


def test_the_real_combined_log_has_one_row_per_line_and_no_duration():
    frame = read_access_log(COMBINED_LOG)
    assert len(frame) == len(COMBINED_LOG.read_text().splitlines()) == 42
    assert frame["duration_seconds"].isna().all()
    assert frame["user_agent"].iloc[0] == "curl/7.88.1" and frame["time"].iloc[0] == 1796530913.0


def test_the_json_and_the_combined_log_of_the_same_run_agree_request_for_request():
    key = ["method", "path", "status", "bytes_written", "kind", "repository"]
    rows = lambda p: Counter(map(tuple, read_access_log(p)[key].itertuples(index=False, name=None)))
    assert rows(JSON_LOG) == rows(COMBINED_LOG)


@pytest.mark.parametrize("log", [JSON_LOG, COMBINED_LOG], ids=["json", "combined"])
def test_request_counts_per_route_method_and_code_equal_the_registrys_own_counters(log):
    """scrape2.prom was taken after the last request: its registry_http_requests_total
    {handler, method, code} must count exactly the log's requests."""
    scrape = read_exposition(REAL / "scrape2.prom", time=0.0)
    counters = scrape[scrape["metric"] == "registry_http_requests_total"]
    expected = {(routes.handler_kind(d["handler"], d["method"]), d["method"].upper(), int(d["code"])): v
                for d, v in ((dict(l), v) for l, v in zip(counters["labels"], counters["value"]))}
    frame = read_access_log(log)
    assert frame.groupby(["kind", "method", "status"]).size().to_dict() == expected
    assert sum(expected.values()) == 42


def test_kinds_and_repositories_of_the_real_push_and_pulls():
    frame = read_access_log(JSON_LOG)
    assert frame["kind"].value_counts().to_dict() == {
        "blob_get": 15, "ping": 7, "manifest_get": 6, "blob_head": 3, "upload_start": 3, "upload_chunk": 3,
        "upload_commit": 3, "manifest_put": 1, "manifest_head": 1}
    assert set(frame["repository"]) == {"", "apps/one", "apps/missing"}


@pytest.mark.parametrize("path, route, name", [
    ("/v2/", "base", ""),
    ("/v2/apps/one/blobs/sha256:" + "a" * 64, "blob", "apps/one"),
    ("/v2/apps/one/blobs/uploads/", "blob_upload", "apps/one"),
    ("/v2/a/b/c/blobs/uploads/0c9b-4e_x.=", "blob_upload_chunk", "a/b/c"),
    ("/v2/quay.io:443/ns/app/manifests/v1.2", "manifest", "quay.io:443/ns/app"),
    ("/v2/ns/app/manifests/sha256:" + "b" * 64, "manifest", "ns/app"),
    ("/v2/a/blobs/uploads/blobs/sha256:" + "c" * 64, "blob", "a/blobs/uploads"),
    ("/v2/ns/app/tags/list", "tags", "ns/app"),
    ("/v2/_catalog", "catalog", ""),
    ("/v2/Upper/manifests/v1", "", ""),
    ("/v2/a//b/manifests/v1", "", ""),
    ("/openshift/token", "token", ""),
    ("/extensions/v2/metrics", "metrics", ""),
    ("/healthz", "", ""),
])
def test_paths_route_as_distributions_router_does(path, route, name):
    assert routes.route_of(path) == (route, name)
    whole = routes.ROUTE.fullmatch(path)
    if route in ("blob", "manifest", "tags", "blob_upload", "blob_upload_chunk"):
        assert whole is not None and whole["name"] == name  # the one-regex form of descriptors.go agrees


@pytest.mark.parametrize("route, method, digest, kind", [
    ("base", "GET", False, "ping"), ("manifest", "HEAD", False, "manifest_head"),
    ("blob_upload_chunk", "PUT", True, "upload_commit"), ("blob_upload_chunk", "PUT", False, "other"),
    ("blob_upload_chunk", "GET", False, "other"), ("manifest", "DELETE", False, "other"),
    ("token", "GET", False, "token_get"), ("", "GET", False, "other"),
])
def test_kinds_follow_route_method_and_the_digest_query(route, method, digest, kind):
    assert routes.kind_of(route, method, digest) == kind


@pytest.mark.parametrize("text, seconds", [
    ("1ns", 1e-9), ("779.965µs", 779.965e-6), ("12us", 12e-6), ("12\u03bcs", 12e-6), ("1.766656ms", 1.766656e-3),
    ("2.5s", 2.5), ("1m", 60.0), ("1m2.5s", 62.5), ("1h0m0s", 3600.0), ("1h2m3.004005006s", 3723.004005006),
    ("0", 0.0), ("0s", 0.0),
])
def test_go_durations(text, seconds):
    assert godur.go_seconds(text) == pytest.approx(seconds, rel=1e-12)


@pytest.mark.parametrize("text", ["1.5", "ms", "1 ms", "1.2.3ms", "-"])
def test_what_is_not_a_go_duration_is_refused(text):
    with pytest.raises(ValueError):
        godur.go_seconds(text)


TEXT_LINES = (
    'time="2026-12-06T04:21:53.244124448Z" level=info msg=response go.version="go1.22.5 X:strictfipsruntime" '
    'http.request.host=image-registry.openshift-image-registry.svc:5000 http.request.id=4a1d '
    'http.request.method=GET http.request.remoteaddr="10.128.2.1:40542" http.request.uri=/v2/ '
    'http.request.useragent="cri-o/1.31.5 go/go1.22.5 os/linux arch/amd64" http.response.duration="912.3µs" '
    'http.response.status=401 http.response.written=87 openshift.logger=registry\n'
    'time="2026-12-06T04:21:53.25Z" level=info msg="response completed" go.version="go1.22.5" '
    'http.request.method=GET http.request.uri=/v2/ http.response.duration=1ms http.response.status=200 '
    'http.response.written=2\n'
    'time="2026-12-06T04:21:53.3Z" level=info msg=response http.request.id=4a1e http.request.method=GET '
    'http.request.uri="/v2/openshift/cli/manifests/latest" http.response.duration=12.5ms '
    'http.response.status=429 http.response.written=43 openshift.logger=registry\n'
)


def test_logrus_text_lines_of_the_openshift_registry_use_its_own_access_log_lines(tmp_path):
    log = tmp_path / "registry.log"
    log.write_text(TEXT_LINES)
    frame = read_access_log(log)
    assert frame.attrs["format"] == "text" and list(frame["status"]) == [401, 429]  # "response completed" skipped
    assert list(frame["kind"]) == ["ping", "manifest_get"] and frame["repository"].iloc[1] == "openshift/cli"
    assert frame["duration_seconds"].tolist() == pytest.approx([912.3e-6, 12.5e-3])
    assert frame["user_agent"].iloc[0].startswith("cri-o/1.31.5") and frame["user_agent"].iloc[1] is None


def test_oc_logs_prefix_gives_the_pod(tmp_path):
    lines = JSON_LOG.read_text().splitlines()[:3]
    log = tmp_path / "prefixed.log"
    log.write_text("".join(f"[pod/image-registry-{i}/registry] {line}\n" for i, line in enumerate(lines)))
    frame = read_access_log(log)
    assert list(frame["pod"]) == ["image-registry-0", "image-registry-1", "image-registry-2"]


def test_repeated_error_lines_of_one_request_count_once(tmp_path):
    line = JSON_LOG.read_text().splitlines()[2]
    assert '"msg":"response completed with error"' in line
    log = tmp_path / "two-errors.log"
    log.write_text(line + "\n" + line.replace("blob unknown", "other error") + "\n")
    assert len(read_access_log(log)) == 1


def _error(tmp_path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_access_log(path)
    assert info.value.source == str(path)
    return str(info.value)


def test_mixed_formats_name_the_file_the_line_and_the_expected_format(tmp_path):
    content = JSON_LOG.read_bytes().splitlines(keepends=True)[:4] + COMBINED_LOG.read_bytes().splitlines(keepends=True)[:1]
    message = _error(tmp_path, "mixed.log", b"".join(content))
    assert "mixed.log: line 5: expected a logrus JSON line" in message and "like line 1" in message
    assert "Apache combined-log line" in message


def test_a_truncated_last_line_is_called_truncated(tmp_path):
    text = JSON_LOG.read_bytes()
    message = _error(tmp_path, "cut.log", text[: text.index(b"\n", 2000) - 40])
    assert ": line 4: truncated last line (no newline at the end of the file)" in message


def test_a_truncated_combined_line_is_called_truncated(tmp_path):
    text = COMBINED_LOG.read_bytes()
    message = _error(tmp_path, "cut.log", text[:-20])
    assert "line 42: truncated last line" in message and "Apache combined" in message


def test_a_line_of_no_format_is_refused_with_what_was_expected(tmp_path):
    text = COMBINED_LOG.read_bytes().splitlines(keepends=True)
    message = _error(tmp_path, "odd.log", b"".join(text[:2] + [b"GET /v2/ 200\n"] + text[2:]))
    assert "odd.log: line 3: expected an Apache combined-log line" in message


def test_a_binary_file_is_refused(tmp_path):
    assert "binary file" in _error(tmp_path, "blob.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xfe")


def test_an_empty_file_is_refused(tmp_path):
    assert "got an empty file" in _error(tmp_path, "empty.log", b"")


def test_a_request_line_without_a_status_is_refused(tmp_path):
    line = JSON_LOG.read_text().splitlines()[0].replace('"http.response.status":200,', "")
    assert "line 1: expected a request line with http.response.status" in _error(tmp_path, "x.log", (line + "\n").encode())


def test_a_bad_duration_is_refused_with_its_line(tmp_path):
    line = JSON_LOG.read_text().splitlines()[0].replace('"1.766656ms"', '"fast"')
    assert "line 1: expected a Go duration" in _error(tmp_path, "x.log", (line + "\n").encode())


def test_the_combined_format_has_no_duration_but_the_json_one_has_one_per_request():
    assert read_access_log(JSON_LOG)["duration_seconds"].map(math.isfinite).all()
