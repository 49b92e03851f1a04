"""OpenShift versions and what differs between them (spec/registry-operator.md §7)."""

from __future__ import annotations

import pytest

from twin.model.registry.versions import DEFAULT_VERSION, openshift_version

# version, kubernetes, progressDeadlineSeconds, unavailable inertia, TSC fix, PDB AlwaysAllow
TABLE = [
    ("4.21", "1.34", 60, 60, False, False),
    ("4.22", "1.35", 120, 120, False, False),
    ("4.23", "1.36", 120, 300, True, True),
]


@pytest.mark.parametrize("name, kube, deadline, inertia, tsc_fix, always_allow", TABLE)
def test_each_version_carries_the_values_of_the_spec_table(name, kube, deadline, inertia, tsc_fix, always_allow):
    version = openshift_version(name)
    assert version.name == name
    assert version.kubernetes_version == kube
    assert version.progress_deadline_seconds == deadline
    assert version.unavailable_inertia_seconds == inertia
    assert version.tsc_match_label_keys_and_honor is tsc_fix
    assert version.pdb_always_allow is always_allow


@pytest.mark.parametrize("name", ["4.21", "4.22", "4.23"])
def test_node_monitor_grace_period_is_50_seconds_on_kubernetes_1_32_and_later(name):
    assert openshift_version(name).node_monitor_grace_period_seconds == 50


def test_the_default_version_is_the_newest_4_23():
    assert openshift_version() is DEFAULT_VERSION
    assert DEFAULT_VERSION.name == "4.23"


@pytest.mark.parametrize("text", ["4.9", "4.20", "4.24", "", " 4.23"])
def test_an_unknown_version_is_rejected_naming_the_supported_ones(text):
    with pytest.raises(ValueError) as raised:
        openshift_version(text)
    assert str(raised.value) == f"expected 4.21, 4.22 or 4.23, got {text!r}"


def test_a_version_given_as_a_number_is_rejected():
    with pytest.raises(ValueError, match=r"expected 4.21, 4.22 or 4.23, got 4.22"):
        openshift_version(4.22)


def test_the_unknown_version_message_quotes_the_value_as_the_spec_shows():
    with pytest.raises(ValueError, match=r"^expected 4\.21, 4\.22 or 4\.23, got '4\.9'$"):
        openshift_version("4.9")
