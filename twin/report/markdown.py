"""The run report's short Markdown summary: the header, the verdicts, the key figures,
and every plot as a link to its PNG in `plots/` (the full tables are in report.html)."""

from __future__ import annotations

from twin.report.figures import Plot
from twin.report.sections import RunReport
from twin.report.tables import Table


def report_markdown(report: RunReport) -> str:
    lines = [f"# {report.title}", ""]
    lines += [f"- **{label}**: {_inline(value)}" for label, value in report.facts]
    lines += ["", f"**{report.verdict}**", "", "## Invariants", ""]
    lines += _table(report.tables("verdicts")[0], drop=("evidence",))
    lines += ["", "## Key figures", ""]
    lines += [f"- {key}: {value}" for key, value, _ in report.tables("kpis")[0].rows]
    for section in (s for s in report.sections if s.id not in ("verdicts", "kpis")):
        lines += ["", f"## {section.title}", ""]
        lines += [line for block in section.blocks for line in _block(block)]
    lines += ["", "The full tables and the embedded plots are in report.html; docs/report.md explains each plot."]
    return "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1])) + "\n"


def _block(block) -> list[str]:
    if isinstance(block, Plot):
        return [f"![{block.title}](plots/{block.id}.png)", "", f"*{block.title}* ([SVG](plots/{block.id}.svg)).", ""]
    if isinstance(block, Table):
        return [*_table(block), ""]
    return [_inline(block), ""]


def _table(table: Table, drop: tuple[str, ...] = ()) -> list[str]:
    keep = [i for i, column in enumerate(table.columns) if column not in drop]
    lines = ["| " + " | ".join(table.columns[i] for i in keep) + " |", "|" + "---|" * len(keep)]
    lines += ["| " + " | ".join(_cell(row[i]) for i in keep) + " |" for row in table.rows]
    return lines


def _cell(text: str) -> str:
    return _inline(text).replace("|", "\\|")


def _inline(text: str) -> str:
    return " ".join(text.split())
