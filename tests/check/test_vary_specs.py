"""The `--vary PATH=SPEC` grammar (`twin/check/specs.py`): ranges, choices, fault kinds
with `any`, and the bad specs each named in one line."""

from __future__ import annotations

import pytest

from twin.check import AnyFault, Choices, IntRange, parse_varies, parse_vary
from twin.errors import InputError


@pytest.mark.parametrize("text, parsed", [
    ("cluster.zones=1..4", IntRange("cluster.zones", 1, 4)),
    ("cluster.zones = 2 .. 2", IntRange("cluster.zones", 2, 2)),
    ("seed=-3..3", IntRange("seed", -3, 3)),
    ("registry.logLevel=Normal,Debug", Choices("registry.logLevel", ("Normal", "Debug"))),
    ("registry.disableRedirect=false,true", Choices("registry.disableRedirect", (False, True))),
    ("openshift=4.22,4.23", Choices("openshift", (4.22, 4.23))),
    ("duration=30m", Choices("duration", ("30m",))),
    ("workloads.app.replicas=10,20,40", Choices("workloads.app.replicas", (10, 20, 40))),
    ("faults.zone_outage=any", AnyFault("faults.zone_outage", "zone_outage")),
    ("faults.node_crash=any", AnyFault("faults.node_crash", "node_crash")),
    ("faults.storage_outage=any", AnyFault("faults.storage_outage", "storage_outage")),
], ids=lambda case: case if isinstance(case, str) else "")
def test_a_spec_is_a_range_a_list_of_choices_or_any_fault_of_a_kind(text, parsed):
    assert parse_vary(text) == parsed


@pytest.mark.parametrize("text, message", [
    ("cluster.zones", "expected PATH=SPEC"),
    ("=1..4", "expected PATH=SPEC"),
    ("cluster.zones=", "expected PATH=SPEC"),
    ("nope=1..2", "expected a path starting with one of registry"),
    ("cluster.zones=1..x", "expected a range of integers a..b, got '1..x'"),
    ("cluster.zones=1.5..3", "expected a range of integers a..b"),
    ("cluster.zones=4..1", "expected a..b with a <= b, got '4..1'"),
    ("cluster.zones=1,,2", "got an empty one in '1,,2'"),
    ("cluster.zones=1,1", "expected distinct values"),
    ("cluster.zones=any", "`any` is for fault kinds"),
    ("faults.meteor=any", "got 'meteor' (an unknown fault kind)"),
    ("faults.zone_recovery=any", "got 'zone_recovery' (a fault kind `any` does not draw)"),
    ("faults.zone_outage=1..3", "expected any for a fault kind (faults.zone_outage=any), got '1..3'"),
    ("faults=any", "expected faults.KIND=any"),
    ("faults.zone_outage.zone=any", "expected faults.KIND=any"),
    ("duration.x=1", "expected duration alone"),
])
def test_a_malformed_spec_is_an_input_error_naming_the_flag_and_the_problem(text, message):
    with pytest.raises(InputError) as caught:
        parse_vary(text)
    assert str(caught.value).startswith("--vary")
    assert message in str(caught.value)


def test_the_same_path_twice_is_refused():
    with pytest.raises(InputError, match="cluster.zones: expected each path once"):
        parse_varies(["cluster.zones=1..2", "cluster.zones=3"])


def test_specs_print_as_they_would_be_written():
    assert [str(v) for v in parse_varies(["cluster.zones=1..4", "registry.logLevel=Normal,Debug",
                                          "faults.zone_outage=any"])] == [
        "cluster.zones=1..4", "registry.logLevel=Normal,Debug", "faults.zone_outage=any"]
