"""query_range exports (`twin/observed/queryrange.py`). `query_range.json` is synthetic,
converted from the twin scrapes next to it (`data/twin-imageregistry/SOURCE.md`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twin.errors import InputError
from twin.observed import read_query_range, read_scrapes

TWIN = Path(__file__).parent / "data" / "twin-imageregistry"
EXPORT = TWIN / "query_range.json"
EPOCH = 1796515200.0


def test_the_export_gives_the_same_samples_as_the_scrapes_it_was_made_from():
    exported = read_query_range(EXPORT)
    scraped = read_scrapes(TWIN)
    scraped = scraped[scraped["metric"].isin(set(exported["metric"]))]
    key = lambda f: sorted(zip(f["pod"], f["metric"], f["labels"], f["time"].round(3), f["value"]))
    ours = exported[~exported["metric"].str.startswith("container_")].assign(time=lambda f: f["time"] - EPOCH)
    assert key(ours) == key(scraped) and len(ours) > 200


def test_target_labels_are_dropped_and_pod_becomes_the_pod_column():
    frame = read_query_range(EXPORT)
    keys = {k for labels in frame["labels"] for k, _ in labels}
    assert not keys & {"namespace", "instance", "job", "service", "endpoint", "pod", "container"}
    assert set(frame["pod"]) == {"image-registry-7db5df549c-5gq94", "image-registry-7db5df549c-vd2kr"}


def test_several_files_are_one_frame(tmp_path):
    responses = json.loads(EXPORT.read_text())
    for i, response in enumerate(responses):
        (tmp_path / f"q{i}.json").write_text(json.dumps(response))
    registry = [p for p in sorted(tmp_path.iterdir()) if "imageregistry" in p.read_text()]
    assert len(read_query_range(registry)) == len(read_query_range(EXPORT)[lambda f: ~f["metric"].str.startswith("container_")])


def _error(tmp_path, document) -> str:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    with pytest.raises(InputError) as info:
        read_query_range(path)
    assert info.value.source == str(path)
    return str(info.value)


def test_a_failed_query_is_refused_with_prometheus_error(tmp_path):
    message = _error(tmp_path, {"status": "error", "errorType": "bad_data", "error": "invalid parameter \"query\""})
    assert 'export.json: status: expected "success", got \'error\' (bad_data: invalid parameter "query")' in message


def test_an_export_without_registry_series_is_refused(tmp_path):
    other = {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {"__name__": "node_load1", "instance": "n1"}, "values": [[1.0, "0.5"], [31.0, "0.6"]]}]}}
    assert "this export has no registry series" in _error(tmp_path, other)


def test_an_instant_query_answer_is_refused(tmp_path):
    vector = {"status": "success", "data": {"resultType": "vector", "result": []}}
    assert 'data.resultType: expected "matrix"' in _error(tmp_path, [vector])


def test_a_series_aggregated_without_its_name_is_refused(tmp_path):
    summed = {"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {}, "values": [[1, "2"]]}]}}
    assert "data.result[0].metric: expected a series with __name__" in _error(tmp_path, summed)


def test_invalid_json_is_refused(tmp_path):
    assert "invalid JSON" in _error(tmp_path, '{"status": "success", ')
