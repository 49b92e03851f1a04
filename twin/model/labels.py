"""Label selectors and node selector terms, with apimachinery matching semantics.

* `LabelSelector` (metav1.LabelSelector): `matchLabels` and `matchExpressions` with the
  operators In, NotIn, Exists, DoesNotExist, all ANDed. An empty selector matches every
  label set; a *null* selector (Python `None` where one is allowed) matches nothing.
* `NodeSelectorTerm` (corev1.NodeSelectorTerm): `matchExpressions` over node labels, with Gt
  and Lt as well, and `matchFields` over `metadata.name`. Terms are ORed; a term with
  neither expressions nor fields matches no node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

IN, NOT_IN, EXISTS, DOES_NOT_EXIST, GT, LT = "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"
LABEL_OPERATORS = (IN, NOT_IN, EXISTS, DOES_NOT_EXIST)
NODE_OPERATORS = (IN, NOT_IN, EXISTS, DOES_NOT_EXIST, GT, LT)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One `key operator values` requirement. `values` is kept in manifest order."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        op = self.operator
        if op == IN:
            return present and labels[self.key] in self.values
        if op == NOT_IN:
            return not present or labels[self.key] not in self.values
        if op == EXISTS:
            return present
        if op == DOES_NOT_EXIST:
            return not present
        return present and _compare_int(labels[self.key], self.values, op)


def _compare_int(label: str, values: tuple[str, ...], op: str) -> bool:
    """Gt/Lt: both sides must parse as integers, otherwise the requirement fails."""
    try:
        left, right = int(label), int(values[0])
    except (ValueError, IndexError):
        return False
    return left > right if op == GT else left < right


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """metav1.LabelSelector. `match_labels` is a sorted tuple of (key, value) pairs."""

    match_labels: tuple[tuple[str, str], ...] = ()
    match_expressions: tuple[Requirement, ...] = ()

    @staticmethod
    def of(labels: Mapping[str, str] | None = None, *expressions: Requirement) -> LabelSelector:
        return LabelSelector(tuple(sorted((labels or {}).items())), tuple(expressions))

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        exact = tuple(Requirement(k, IN, (v,)) for k, v in self.match_labels)
        return exact + self.match_expressions

    def is_empty(self) -> bool:
        return not self.match_labels and not self.match_expressions

    def matches(self, labels: Mapping[str, str]) -> bool:
        for key, wanted in self.match_labels:
            if labels.get(key) != wanted:
                return False
        return all(req.matches(labels) for req in self.match_expressions)

    def and_requirements(self, extra: tuple[Requirement, ...]) -> LabelSelector:
        return LabelSelector(self.match_labels, self.match_expressions + extra)


def selector_matches(selector: LabelSelector | None, labels: Mapping[str, str]) -> bool:
    """A null selector matches nothing (`labels.Nothing()` upstream)."""
    return selector is not None and selector.matches(labels)


@dataclass(frozen=True, slots=True)
class NodeSelectorTerm:
    """corev1.NodeSelectorTerm: expressions over labels AND fields over `metadata.name`."""

    match_expressions: tuple[Requirement, ...] = ()
    match_fields: tuple[Requirement, ...] = field(default=())

    def matches(self, name: str, labels: Mapping[str, str]) -> bool:
        if not self.match_expressions and not self.match_fields:
            return False
        if not all(req.matches(labels) for req in self.match_expressions):
            return False
        fields = {"metadata.name": name}
        return all(req.matches(fields) for req in self.match_fields)


def terms_match(terms: tuple[NodeSelectorTerm, ...], name: str, labels: Mapping[str, str]) -> bool:
    """Required node affinity: the terms are ORed."""
    return any(term.matches(name, labels) for term in terms)
