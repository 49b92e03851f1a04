"""Label selectors and node selector terms (apimachinery semantics)."""

from __future__ import annotations

import pytest

from twin.model.labels import LabelSelector, NodeSelectorTerm, Requirement, selector_matches, terms_match

LABELS = {"app": "web", "tier": "front", "size": "10"}


@pytest.mark.parametrize("requirement, expected", [
    (Requirement("app", "In", ("web", "db")), True),
    (Requirement("app", "NotIn", ("web",)), False),
    (Requirement("missing", "NotIn", ("x",)), True),  # NotIn matches an absent key
    (Requirement("app", "Exists"), True),
    (Requirement("app", "DoesNotExist"), False),
    (Requirement("size", "Gt", ("9",)), True),
    (Requirement("size", "Lt", ("9",)), False),
    (Requirement("tier", "Gt", ("1",)), False),  # not an integer: no match
    (Requirement("missing", "Gt", ("1",)), False),
])
def test_requirements_match_like_apimachinery(requirement, expected):
    assert requirement.matches(LABELS) is expected


def test_an_empty_selector_matches_everything_and_a_null_one_nothing():
    assert selector_matches(LabelSelector(), LABELS)
    assert not selector_matches(None, LABELS)


def test_match_labels_and_expressions_are_anded():
    selector = LabelSelector.of({"app": "web"}, Requirement("tier", "In", ("back",)))
    assert not selector.matches(LABELS)


def test_node_selector_terms_are_ored_and_an_empty_term_matches_nothing():
    term_a = NodeSelectorTerm((Requirement("app", "In", ("db",)),))
    term_b = NodeSelectorTerm(match_fields=(Requirement("metadata.name", "In", ("n1",)),))
    assert terms_match((term_a, term_b), "n1", LABELS)
    assert not terms_match((term_a,), "n1", LABELS)
    assert not terms_match((NodeSelectorTerm(),), "n1", LABELS)
