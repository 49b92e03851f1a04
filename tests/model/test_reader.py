"""The one reader (`twin.model.kube_io.reader`): what it accepts as Kubernetes' own
decoders do, and the bounds it adds (docs/limits.md)."""

from __future__ import annotations

import time

import pytest

from twin.errors import InputError
from twin.model.kube_io.reader import MAX_DEPTH, allowed_alias_ratio, parse_documents, parse_text


def refusal(text: str) -> str:
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        parse_documents(text, "f.yaml")
    assert time.perf_counter() - started < 2
    return str(caught.value)


def test_merge_keys_may_be_overridden_and_are_not_duplicates():
    text = "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  x: 3\n"
    assert parse_documents(text, "f.yaml") == [{"base": {"x": 1, "y": 2}, "d": {"x": 3, "y": 2}}]


def test_ordinary_aliasing_is_read():
    text = "r: &r {cpu: 100m, memory: 256Mi}\nw: [" + ", ".join(["{requests: *r}"] * 500) + "]\n"
    assert len(parse_documents(text, "f.yaml")[0]["w"]) == 500


def test_the_alias_ratio_is_yaml_v3s():
    """gopkg.in/yaml.v3 decode.go allowedAliasRatio: 99 % up to 400,000 decodes, 10 % from
    4,000,000, linear in between."""
    assert allowed_alias_ratio(1000) == allowed_alias_ratio(400_000) == 0.99
    assert allowed_alias_ratio(4_000_000) == allowed_alias_ratio(10**9) == 0.10
    assert allowed_alias_ratio(2_200_000) == pytest.approx(0.545)


@pytest.mark.parametrize("levels, refused", [(MAX_DEPTH, False), (MAX_DEPTH + 1, True), (999, True), (5000, True)])
def test_nesting_is_bounded_in_yaml_and_json(levels, refused):
    for text in ("[" * levels + "]" * levels, "x: " + "[" * (levels - 1) + "]" * (levels - 1)):
        if refused:
            assert "nested less deeply" in refusal(text)
        else:
            parse_documents(text, "f.yaml")


@pytest.mark.parametrize("text, expected", [
    ("a: 1\nb: 2\na: 3\n", "line 3: expected each mapping key once, found 'a' again (first at line 1)"),
    ("a: {b: 1, c: 2, b: 3}\n", "line 1: expected each mapping key once, found 'b' again"),
    ('{"a": 1,\n "a": 2}', "line 2: expected each key once in an object, found 'a' again"),
    ("a: &a [*a]\n", "expected no alias inside its own anchor"),
    ("a: " + "1" * 4301 + "\n", "line 1: expected an integer of at most 4300 digits"),
    ('{"a": ' + "1" * 4301 + "}", "line 1: expected an integer of at most 4300 digits"),
    ("a: " + "x" * (3 * 2**20 + 1) + "\n", "line 1: expected a string of at most 3 MiB"),
    ("s: &s " + "x" * 2**20 + "\nl: [" + ",".join(["*s"] * 4) + "]\n", "line 2: expected a document whose aliases add"),
])
def test_each_refusal_names_its_line(text, expected):
    assert expected in refusal(text)


def test_command_line_values_read_as_yaml_scalars_within_the_bounds():
    assert parse_text("2", "--param") == 2 and parse_text("~", "--param") is None
    assert parse_text("a: [", "--param") == "a: [" and parse_text("1s", "--param") == "1s"
    with pytest.raises(InputError, match="--param: .*nested less deeply"):
        parse_text("[" * 200 + "]" * 200, "--param")
