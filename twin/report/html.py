"""The run report as one self-contained HTML page: inline CSS, every plot embedded as a
base64 PNG data URI (the SVG twins are in `plots/`), no script, no external resource."""

from __future__ import annotations

import base64
from html import escape

from twin.report.figures import Plot
from twin.report.sections import RunReport, Section
from twin.report.tables import Table

CSS = """
body { font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 14px; color: #222; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
p.verdict { font-weight: bold; font-size: 1.1em; }
p.verdict.fails { color: #b71c1c; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.FAILS { color: #b71c1c; font-weight: bold; }
td.holds { color: #1b5e20; }
td.evidence { font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; word-break: break-all; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #444; }
figcaption b { color: #222; }
nav a { margin-right: 1em; }
"""


def report_html(report: RunReport) -> str:
    failing = "holds" if report.holds else "fails"
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>{escape(report.title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
             f"<h1>{escape(report.title)}</h1>", _facts(report.facts),
             f'<p class="verdict {failing}">{escape(report.verdict)}</p>', _nav(report.sections)]
    parts += [_section(section) for section in report.sections]
    parts += ["<footer><p>Built by <code>twin report</code> from the run folder's summary.json, events.csv, "
              "cluster.json and Parquet frames only; <code>docs/report.md</code> explains each plot.</p></footer>",
              "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _facts(facts: list[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in facts)
    return f'<dl class="facts">{items}</dl>'


def _nav(sections: list[Section]) -> str:
    return "<nav>" + "".join(f'<a href="#{s.id}">{escape(s.title)}</a>' for s in sections) + "</nav>"


def _section(section: Section) -> str:
    body = "\n".join(_block(block) for block in section.blocks)
    return f'<section id="{section.id}">\n<h2>{escape(section.title)}</h2>\n{body}\n</section>'


def _block(block) -> str:
    if isinstance(block, Plot):
        return _figure(block)
    if isinstance(block, Table):
        return _table(block)
    return f'<p class="note">{escape(block)}</p>'


def _figure(plot: Plot) -> str:
    data = base64.b64encode(plot.png).decode("ascii")
    return (f'<figure id="{plot.id}">\n<img src="data:image/png;base64,{data}" alt="{escape(plot.title)}">\n'
            f"<figcaption><b>{escape(plot.title)}.</b> {escape(plot.caption)} "
            f'(plots/{plot.id}.png, plots/{plot.id}.svg)</figcaption>\n</figure>')


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    rows = "".join("<tr>" + "".join(_cell(table, column, value) for column, value in zip(table.columns, row)) + "</tr>"
                   for row in table.rows)
    return f'<table id="table-{table.id}">\n<thead><tr>{head}</tr></thead>\n<tbody>{rows}</tbody>\n</table>'


def _cell(table: Table, column: str, value: str) -> str:
    css = value if column == "verdict" else "evidence" if column == "evidence" else ""
    return f'<td class="{css}">{escape(value)}</td>' if css else f"<td>{escape(value)}</td>"
