"""A judged run as JUnit XML, for CI systems that read test reports (`twin run --junit`),
and the texts the pytest plugin shows for the same verdicts.

The elements are the ones pytest's `--junitxml` writes, so every consumer of pytest
reports reads these too:

    <testsuites name="twin">
      <testsuite name="<scenario>" tests=".." failures=".." errors="0" skipped="0" time="<wall s>">
        <properties><property name="seed" value="1"/> <property name="openshift" .../> <kpis>...</properties>
        <testcase classname="<scenario>" name="<invariant>" time="0.000">
          <failure message="<detail>" type="InvariantViolated"><detail and evidence></failure>
        </testcase> ...

One testcase per invariant. The invariants are judged on the run's records after the
simulation, so the run's wall time belongs to the testsuite and each testcase has time 0.
Apart from the `time` attributes, the same summary document gives the same bytes.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from twin.files import write_text

FAILURE_TYPE = "InvariantViolated"
REQUEST_FIGURES = ("issued", "rejected_429_fraction", "peak_429_per_second", "workloads_recovery_seconds")


def property_value(value) -> str:
    """Strings as they are, everything else as JSON (`null`, `true`, `3600.0`)."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def run_properties(document: dict) -> list[tuple[str, str]]:
    """The run's identity and KPIs from a summary document, as (name, value) pairs."""
    pairs = [("scenario", document["scenario"]), ("seed", document["seed"]), ("openshift", document["openshift"]),
             ("simulated_seconds", document["simulated_seconds"])]
    pairs += list(document["kpis"].items())
    requests = document.get("requests") or {}
    if requests.get("issued"):
        pairs += [(f"requests_{key}", requests[key]) for key in REQUEST_FIGURES if key in requests]
    return [(name, property_value(value)) for name, value in pairs]


def evidence_lines(evidence: dict) -> list[str]:
    """`key: value`, one per line, in the invariant's own order."""
    return [f"{key}: {property_value(value)}" for key, value in evidence.items()]


def failure_text(verdict: dict) -> str:
    """A failed invariant for people: its detail, then its evidence."""
    lines = [verdict["detail"]]
    if verdict["evidence"]:
        lines += ["evidence:", *(f"  {line}" for line in evidence_lines(verdict["evidence"]))]
    return "\n".join(lines)


def junit_element(document: dict, seconds: float) -> ET.Element:
    invariants = document["invariants"]
    failures = sum(not v["holds"] for v in invariants)
    root = ET.Element("testsuites", name="twin", tests=str(len(invariants)), failures=str(failures),
                      errors="0", time=_seconds(seconds))
    suite = ET.SubElement(root, "testsuite", name=document["scenario"], tests=str(len(invariants)),
                          failures=str(failures), errors="0", skipped="0", time=_seconds(seconds))
    properties = ET.SubElement(suite, "properties")
    for name, value in run_properties(document):
        ET.SubElement(properties, "property", name=name, value=value)
    for verdict in invariants:
        suite.append(_testcase(document["scenario"], verdict))
    return root


def junit_xml(document: dict, seconds: float) -> str:
    root = junit_element(document, seconds)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(path: Path, document: dict, seconds: float) -> None:
    """Written to a temporary name next to `path` and renamed: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, junit_xml(document, seconds))


def _testcase(scenario: str, verdict: dict) -> ET.Element:
    case = ET.Element("testcase", classname=scenario, name=verdict["name"], time=_seconds(0.0))
    if not verdict["holds"]:
        failure = ET.SubElement(case, "failure", message=verdict["detail"], type=FAILURE_TYPE)
        failure.text = failure_text(verdict)
    return case


def _seconds(value: float) -> str:
    return f"{value:.3f}"
