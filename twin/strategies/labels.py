"""Strategies for labels, selectors, node selector terms, taints and tolerations."""

from __future__ import annotations

from twin.model.labels import (
    DOES_NOT_EXIST,
    EXISTS,
    GT,
    IN,
    LABEL_OPERATORS,
    LT,
    NODE_OPERATORS,
    NOT_IN,
    LabelSelector,
    NodeSelectorTerm,
    Requirement,
)
from twin.model.objects import HOSTNAME_KEY, NO_EXECUTE, TAINT_EFFECTS, Taint, Toleration
from twin.strategies.base import (
    LABEL_KEYS,
    LABEL_VALUES,
    NODE_LABEL_VALUES,
    TAINT_KEYS,
    TOLERATION_KEYS,
    _chance,
    _int,
    _pick,
    _some,
    _strategy,
    _unique,
)

# --- labels and selectors ---------------------------------------------------------


def _draw_label_maps(draw, keys=LABEL_KEYS, values=LABEL_VALUES, max_size: int = 2) -> dict[str, str]:
    """Label maps such as `{"app": "a"}` over the shared alphabet (possibly empty)."""
    return dict(_some(draw, lambda d: (_pick(d, keys), _pick(d, values)), max_size))


def _draw_requirements(draw, keys=LABEL_KEYS, values=LABEL_VALUES, operators=LABEL_OPERATORS) -> Requirement:
    """One valid requirement: In/NotIn with 1-2 distinct values, Exists/DoesNotExist with
    none, Gt/Lt (when among `operators`) with one integer."""
    key, op = _pick(draw, keys), _pick(draw, operators)
    if op in (EXISTS, DOES_NOT_EXIST):
        return Requirement(key, op)
    if op in (GT, LT):
        return Requirement(key, op, (str(_int(draw, 0, 9)),))
    return Requirement(key, op, tuple(_unique(_some(draw, lambda d: _pick(d, values), 2, 1))))


def _draw_label_selectors(draw, keys=LABEL_KEYS, values=LABEL_VALUES, max_labels: int = 2,
                          max_expressions: int = 2) -> LabelSelector:
    """metav1.LabelSelector: matchLabels plus In/NotIn/Exists/DoesNotExist expressions
    over `keys`/`values`. May be empty (then it matches every label set)."""
    labels = _draw_label_maps(draw, keys, values, max_labels)
    expressions = _some(draw, lambda d: _draw_requirements(d, keys, values), max_expressions)
    return LabelSelector.of(labels, *expressions)


def _draw_node_selector_terms(draw, label_values=NODE_LABEL_VALUES) -> NodeSelectorTerm:
    """A NodeSelectorTerm: 1-2 expressions over node labels (hostname, zone, region,
    worker role; Gt/Lt included, which never match these labels), sometimes a
    `metadata.name` In/NotIn field."""
    def expression(d):
        key = _pick(d, sorted(label_values))
        return _draw_requirements(d, (key,), label_values[key], NODE_OPERATORS)
    fields = ()
    if _chance(draw, 4):
        name = _pick(draw, label_values[HOSTNAME_KEY])
        fields = (Requirement("metadata.name", _pick(draw, (IN, NOT_IN)), (name,)),)
    return NodeSelectorTerm(tuple(_some(draw, expression, 2, 1)), fields)


label_maps = _strategy(_draw_label_maps)
requirements = _strategy(_draw_requirements)
label_selectors = _strategy(_draw_label_selectors)
node_selector_terms = _strategy(_draw_node_selector_terms)


# --- taints and tolerations -------------------------------------------------------


def _draw_taints(draw, keys=TAINT_KEYS, effects=TAINT_EFFECTS) -> Taint:
    """A taint: key from a small alphabet, value "", "a" or "b", any effect."""
    return Taint(_pick(draw, keys), _pick(draw, ("", "a", "b")), _pick(draw, effects))


def _draw_tolerations(draw, keys=TOLERATION_KEYS) -> Toleration:
    """A valid toleration: Exists (rarely with an empty key, which tolerates every taint)
    or Equal with a value; effect sometimes empty; tolerationSeconds only for NoExecute."""
    effect = _pick(draw, ("",) + TAINT_EFFECTS)
    seconds = _int(draw, 0, 300) if effect == NO_EXECUTE and _chance(draw, 3) else None
    if _chance(draw, 8):
        return Toleration("", "Exists", "", effect, seconds)
    key = _pick(draw, keys)
    if _chance(draw, 2):
        return Toleration(key, "Exists", "", effect, seconds)
    return Toleration(key, "Equal", _pick(draw, ("", "a", "b")), effect, seconds)


taints = _strategy(_draw_taints)
tolerations = _strategy(_draw_tolerations)


