"""Kubernetes' own validation of the fields the twin reads, as the API server applies it
when an object is created: the same rules, the same field paths, one message per problem
("expected ..., got ..."), with the upstream reason where it helps. The schemas of
`schema.py`, `storage_schema.py` and `registry/config.py` call these; a rule the API server
would not apply is not here (the twin reads what a cluster could hold).

Upstream sources (Kubernetes 1.34-1.36; function names are stable, line numbers are not):

* k8s.io/apimachinery/pkg/util/validation/validation.go: IsQualifiedName (= IsLabelKey of
  pkg/api/validate/content/kube.go), IsValidLabelValue (= content.IsLabelValue),
  IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label;
* k8s.io/apimachinery/pkg/api/validation/objectmeta.go: ValidateAnnotations (keys are
  qualified names compared in lower case, keys and values together at most 256 KiB),
  ValidateObjectMetaAccessor (name required, then the kind's name function);
  pkg/api/validation/generic.go: NameIsDNSSubdomain, NameIsDNSLabel, NameIsDNS1035Label,
  ValidateNamespaceName;
* k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go: ValidateLabels,
  ValidateLabelName, ValidateLabelSelector, ValidateLabelSelectorRequirement;
* k8s.io/apimachinery/pkg/labels/selector.go: NewRequirement (Gt/Lt take one integer);
* kubernetes pkg/apis/core/validation/validation.go: validateNodeTaints, ValidateTolerations,
  ValidateNodeSelector(Term|Requirement), ValidateNodeFieldSelectorRequirement,
  ValidatePreferredSchedulingTerms, validatePodAffinityTerm, validateWeightedPodAffinityTerms,
  validateTopologySpreadConstraints (ValidateMaxSkew, validateMinDomains, ValidateTopologyKey,
  ValidateSpreadConstraintNotRepeat, validateNodeInclusionPolicy,
  validateMatchLabelKeysInTopologySpread), ValidateResourceQuantityValue,
  ValidateNonnegativeQuantity, ValidateResourceRequirements (request <= limit),
  validateContainers (names are DNS labels, unique), ValidatePodSpec (nodeName, nodeSelector,
  priorityClassName), ValidateNode (capacity and allocatable), ValidateTopologySelectorTerm;
* kubernetes pkg/apis/core/helper/helpers.go: IsIntegerResourceName, IsExtendedResourceName,
  IsNativeResource (which resources must be whole numbers);
* kubernetes pkg/apis/apps/validation/validation.go: ValidateDeploymentSpec,
  ValidateReplicaSetSpec, ValidateStatefulSetSpec (replicas >= 0, ValidateNonnegativeField);
* kubernetes pkg/apis/storage/validation/validation.go: ValidateStorageClass
  (validateProvisioner: a qualified name in lower case), validateAllowedTopologies,
  ValidateCSINode (validateCSIDriverName: a DNS subdomain in lower case, at most 63 bytes;
  driver names unique).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, NoReturn

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from twin.model.quantity import milli_value, parse_quantity
from twin.model.quoting import shown

LABEL_KEY_MAX = 63  # content.labelKeyMaxLength (the name part)
LABEL_VALUE_MAX = 63  # content.LabelValueMaxLength
DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
DNS1035_LABEL_MAX = 63
ANNOTATIONS_MAX = 256 * (1 << 10)  # objectmeta.go TotalAnnotationSizeLimitB
CSI_DRIVER_NAME_MAX = 63  # storage validation csiDriverNameMaxLength

_LABEL_KEY_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_RE = re.compile(_DNS1123_LABEL)
_DNS1123_SUBDOMAIN_RE = re.compile(rf"{_DNS1123_LABEL}(\.{_DNS1123_LABEL})*")
_DNS1035_LABEL_RE = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_INT64 = re.compile(r"[+-]?[0-9]+")  # strconv.ParseInt(s, 10, 64): optional sign, decimal digits

_LABEL_CHARS = "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
_SUBDOMAIN_CHARS = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                    "and must start and end with an alphanumeric character")
_DNS_LABEL_CHARS = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                    "start and end with an alphanumeric character")
_DNS1035_CHARS = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                  "alphabetic character, and end with an alphanumeric character")


def _size(text: str) -> int:
    """Go's len(): bytes of the UTF-8 encoding."""
    return len(text.encode("utf-8", "surrogatepass"))


# --- the string formats (k8s.io/apimachinery/pkg/util/validation, api/validate/content) ---


def qualified_name_problem(value: str) -> str | None:
    """content.IsLabelKey (IsQualifiedName): an optional DNS-subdomain prefix and '/', then a
    name of at most 63 bytes of [A-Za-z0-9-_.], alphanumeric at both ends. None when valid,
    otherwise upstream's first reason."""
    parts = value.split("/")
    if len(parts) > 2:
        return "a qualified name has at most one '/' (an optional DNS subdomain prefix, then the name)"
    if len(parts) == 2:
        prefix, name = parts
        if not prefix:
            return "prefix part must be non-empty"
        problem = dns1123_subdomain_problem(prefix)
        if problem:
            return f"prefix part {problem}"
    else:
        name = parts[0]
    if not name:
        return "name part must be non-empty"
    if _size(name) > LABEL_KEY_MAX:
        return f"name part must be no more than {LABEL_KEY_MAX} bytes"
    if not _LABEL_KEY_NAME.fullmatch(name):
        return f"name part must consist of {_LABEL_CHARS}"
    return None


def label_value_problem(value: str) -> str | None:
    """content.IsLabelValue: empty, or at most 63 bytes of [A-Za-z0-9-_.], alphanumeric at
    both ends."""
    if _size(value) > LABEL_VALUE_MAX:
        return f"must be no more than {LABEL_VALUE_MAX} bytes"
    if value and not _LABEL_KEY_NAME.fullmatch(value):
        return f"a valid label must be an empty string or consist of {_LABEL_CHARS}"
    return None


def dns1123_subdomain_problem(value: str) -> str | None:
    """IsDNS1123Subdomain: at most 253 bytes, lower-case DNS labels joined by '.'."""
    if _size(value) > DNS1123_SUBDOMAIN_MAX:
        return f"must be no more than {DNS1123_SUBDOMAIN_MAX} bytes"
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        return _SUBDOMAIN_CHARS
    return None


def dns1123_label_problem(value: str) -> str | None:
    """IsDNS1123Label: at most 63 bytes of [a-z0-9-], alphanumeric at both ends."""
    if _size(value) > DNS1123_LABEL_MAX:
        return f"must be no more than {DNS1123_LABEL_MAX} bytes"
    if not _DNS1123_LABEL_RE.fullmatch(value):
        return "must not contain dots" if _DNS1123_SUBDOMAIN_RE.fullmatch(value) else _DNS_LABEL_CHARS
    return None


def dns1035_label_problem(value: str) -> str | None:
    """IsDNS1035Label: a DNS-1123 label that starts with a letter."""
    if _size(value) > DNS1035_LABEL_MAX:
        return f"must be no more than {DNS1035_LABEL_MAX} bytes"
    if not _DNS1035_LABEL_RE.fullmatch(value):
        return _DNS1035_CHARS
    return None


def is_int64(value: str) -> bool:
    """strconv.ParseInt(value, 10, 64) succeeds."""
    return _INT64.fullmatch(value) is not None and -(1 << 63) <= int(value) < (1 << 63)


# --- "expected ..." messages ---


def _got(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def expected_qualified_name(value: str, what: str = "a qualified name") -> str | None:
    """The message for a string that must be a qualified name (label key, taint key,
    topology key, ...), None when it is one."""
    problem = qualified_name_problem(value)
    if problem is None:
        return None
    return f"expected {what} such as app or example.com/app ({problem}), got {_got(value)}"


def expected_label_value(value: str) -> str | None:
    problem = label_value_problem(value)
    return None if problem is None else f"expected a label value ({problem}), got {_got(value)}"


NAME_RULES: dict[str, tuple[str, Callable[[str], str | None]]] = {
    "subdomain": ("a DNS subdomain name such as my-name or example.com", dns1123_subdomain_problem),
    "label": ("a DNS label name such as my-name", dns1123_label_problem),
    "dns1035": ("a DNS-1035 label name such as my-name (starting with a letter)", dns1035_label_problem),
}
"""The name functions of pkg/api/validation/generic.go: NameIsDNSSubdomain (most kinds),
NameIsDNSLabel (ValidateNamespaceName), NameIsDNS1035Label (ValidateServiceName)."""


def expected_name(value: str, rule: str) -> str | None:
    """The message for an object name (or a reference to one) that breaks `rule`."""
    what, check = NAME_RULES[rule]
    if not value:
        return f"expected {what}, got ''"
    problem = check(value)
    return None if problem is None else f"expected {what} ({problem}), got {_got(value)}"


# --- raising errors at a field path, from inside a pydantic validator ---


def refuse(loc: tuple[str | int, ...], message: str, value: Any = None) -> NoReturn:
    """Raise a validation error at `loc` (relative to the model or field being validated):
    pydantic prefixes the location of the model, so the error names the full field path."""
    error = PydanticCustomError("value_error", "{message}", {"message": message})
    raise ValidationError.from_exception_data("Kubernetes validation", [InitErrorDetails(type=error, loc=loc,
                                                                                          input=value)])


def check_labels(labels: Mapping[str, str] | None) -> None:
    """metav1 ValidateLabels: every key a qualified name, every value a label value; the
    error is at the label (`labels['bad key']`)."""
    for key, value in (labels or {}).items():
        message = expected_qualified_name(key, "a label key") or expected_label_value(value)
        if message:
            refuse((key,), message, key)


def label_key(value: str) -> str:
    """An `AfterValidator`: a label key (metav1 ValidateLabelName)."""
    message = expected_qualified_name(value, "a label key")
    if message:
        raise ValueError(message)
    return value


def qualified_name(value: str) -> str:
    """An `AfterValidator`: a qualified name (taint keys, topology keys: ValidateLabelName)."""
    message = expected_qualified_name(value)
    if message:
        raise ValueError(message)
    return value


def label_value(value: str) -> str:
    message = expected_label_value(value)
    if message:
        raise ValueError(message)
    return value


def annotation_key(value: str) -> str:
    """ValidateAnnotations: a qualified name once lower-cased."""
    message = expected_qualified_name(value.lower(), "an annotation key")
    if message:
        raise ValueError(message.rsplit(", got ", 1)[0] + f", got {_got(value)}")
    return value


def annotations_size(annotations: Mapping[str, str] | None) -> Mapping[str, str] | None:
    """ValidateAnnotationsSize: keys and values together at most 256 KiB."""
    total = sum(_size(k) + _size(v) for k, v in (annotations or {}).items())
    if total > ANNOTATIONS_MAX:
        raise ValueError(f"expected annotations of at most {ANNOTATIONS_MAX} bytes in all (256 KiB, keys and values), "
                         f"got {total} bytes")
    return annotations


def namespace_name(value: str) -> str:
    """ValidateNamespaceName (a DNS label); "" is the default namespace's absence."""
    message = expected_name(value, "label") if value else None
    if message:
        raise ValueError(message)
    return value


def dns_label_name(value: str) -> str:
    """A name that must be a DNS label (container names, validateContainers)."""
    message = expected_name(value, "label")
    if message:
        raise ValueError(message)
    return value


def optional_subdomain(value: str | None) -> str | None:
    """A reference by name that may be empty (nodeName, priorityClassName,
    storageClassName, volumeName): a DNS subdomain when given."""
    message = expected_name(value, "subdomain") if value else None
    if message:
        raise ValueError(message)
    return value


def not_negative(value: int) -> int:
    """ValidateNonnegativeField."""
    if value < 0:
        raise ValueError(f"expected a number >= 0, got {shown(value)} (Kubernetes refuses a negative count)")
    return value


def weight(value: int) -> int:
    """ValidatePreferredSchedulingTerms, validateWeightedPodAffinityTerms: 1..100."""
    if not 1 <= value <= 100:
        raise ValueError(f"expected a weight from 1 to 100, got {shown(value)}")
    return value


# --- selectors ---


def check_requirement(key: str, operator: str, values: list[str] | None, node: bool) -> None:
    """metav1 ValidateLabelSelectorRequirement (`node=False`) and core
    ValidateNodeSelectorRequirement (`node=True`, with Gt and Lt): In/NotIn need values,
    Exists/DoesNotExist take none, Gt/Lt exactly one that parses as a 64-bit integer
    (apiserver: one value; labels.NewRequirement, the parser kube-scheduler uses: an
    integer, otherwise the term never matches a node); the key is a label key and every
    value a label value."""
    values = values or []
    if operator in ("In", "NotIn") and not values:
        refuse(("values",), f"expected at least one value when operator is {operator}, got none", values)
    if operator in ("Exists", "DoesNotExist") and values:
        refuse(("values",), f"expected no values when operator is {operator}, got {_got(values)}", values)
    if operator in ("Gt", "Lt"):
        if len(values) != 1:
            refuse(("values",), f"expected exactly one value when operator is {operator}, got {_got(values)}", values)
        if not is_int64(values[0]):
            refuse(("values", 0), f"expected a whole number (a 64-bit integer) when operator is {operator}, "
                                  f"got {_got(values[0])}", values[0])
    message = expected_qualified_name(key, "a label key")
    if message:
        refuse(("key",), message, key)
    for i, value in enumerate(values):
        message = expected_label_value(value)
        if message:
            refuse(("values", i), message, value)


def check_field_requirement(key: str, operator: str, values: list[str] | None) -> None:
    """ValidateNodeFieldSelectorRequirement: matchFields takes In or NotIn with exactly one
    value, on `metadata.name`, the value a node name."""
    values = values or []
    if operator not in ("In", "NotIn"):
        refuse(("operator",), f"expected In or NotIn in matchFields, got {_got(operator)}", operator)
    if len(values) != 1:
        refuse(("values",), f"expected exactly one value in matchFields, got {_got(values)}", values)
    if key != "metadata.name":
        refuse(("key",), f"expected metadata.name (the only node field selector), got {_got(key)}", key)
    message = expected_name(values[0], "subdomain")
    if message:
        refuse(("values", 0), message, values[0])


# --- resources ---

INTEGER_RESOURCES = frozenset({
    "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
    "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
})
"""core helper integerResources (quota and node resources counted in units)."""


def is_integer_resource(name: str) -> bool:
    """helper.IsIntegerResourceName: the counted resources and every extended resource
    (a name with a domain that is not kubernetes.io, such as nvidia.com/gpu)."""
    if name in INTEGER_RESOURCES:
        return True
    native = "/" not in name or "kubernetes.io/" in name
    return not native and not name.startswith("requests.") and qualified_name_problem("requests." + name) is None


def check_resource_list(raw: Any) -> Any:
    """ValidateResourceQuantityValue, the whole-number half (a `BeforeValidator` on the raw
    mapping: the sign half is on each quantity, `schema.nonnegative_quantity`)."""
    if not isinstance(raw, dict):
        return raw
    for name, amount in raw.items():
        if not isinstance(name, str) or not is_integer_resource(name):
            continue
        try:
            parsed = parse_quantity(amount)
        except (ValueError, TypeError):
            continue  # the quantity's own validation names the problem
        if isinstance(parsed, Fraction) and parsed.denominator != 1:
            refuse((name,), f"expected a whole number of {name} (Kubernetes counts {name} in units), "
                            f"got {_got(amount)}", amount)
    if "cpu" in raw:  # the scheduler counts CPU in millicores, which must fit int64 (MilliValue())
        try:
            parse_quantity(raw["cpu"])
        except (ValueError, TypeError):
            return raw  # the quantity's own validation names the problem
        try:
            milli_value(raw["cpu"])
        except ValueError as exc:
            refuse(("cpu",), str(exc), raw["cpu"])
    return raw


__all__ = [
    "annotation_key", "annotations_size", "check_field_requirement", "check_labels", "check_requirement",
    "check_resource_list", "dns1035_label_problem", "dns_label_name", "dns1123_label_problem", "dns1123_subdomain_problem",
    "expected_label_value", "expected_name", "expected_qualified_name", "is_int64", "is_integer_resource",
    "label_key", "label_value", "label_value_problem", "namespace_name", "not_negative", "optional_subdomain",
    "qualified_name", "qualified_name_problem", "refuse", "weight",
]
