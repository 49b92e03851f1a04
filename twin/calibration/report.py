"""The calibration report (`calibration.md` and `plots/`): every estimate with its
interval and method, what was not identified, and the observed arrivals against each
fitted profile (the chosen one drawn solid)."""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from twin.calibration.arrivals import ArrivalFit
from twin.calibration.calibrate import Calibration
from twin.calibration.fragment import estimates


def markdown(c: Calibration, sources: list[str]) -> str:
    lines = ["# Calibration", "", "Inputs: " + ", ".join(f"`{s}`" for s in sources), "",
             f"Window: {c.span[1] - c.span[0]:.0f} s in intervals of {c.interval:g} s; {c.pods} registry pod(s).", "",
             "## Estimates (95 % intervals)", "", "| parameter | estimate | interval | method |", "|---|---|---|---|"]
    for name, e in estimates(c).items():
        interval = "—" if e.low is None else f"[{e.low:.4g}, {e.high:.4g}]"
        lines.append(f"| {name} | {e.value:.4g} | {interval} | {e.method} |")
    for name, fit in (("pulls", c.pulls), ("pushes", c.pushes)):
        if isinstance(fit, ArrivalFit):
            lines += ["", f"**{name}**: {fit.chosen.kind}, chosen by BIC (smallest wins): " +
                      ", ".join(f"{f.kind} {f.bic:.1f}" for f in fit.candidates) +
                      "".join(f"; {k} not tried: {why}" for k, why in fit.skipped.items()) + ".",
                      "", f"![{name}: observed and fitted](plots/{name}.png)"]
    lines += ["", "## Not identified by this data", "", "| parameter | why |", "|---|---|"]
    lines += [f"| {name} | {why} |" for name, why in c.not_identified().items()]
    return "\n".join(lines) + "\n"


def arrival_plots(c: Calibration) -> dict[str, bytes]:
    """{file name: PNG bytes} for the pull and push profiles that were fitted."""
    out = {}
    for name, fit in (("pulls", c.pulls), ("pushes", c.pushes)):
        if isinstance(fit, ArrivalFit) and len(fit.counts):
            out[f"{name}.png"] = _png(_arrivals(name, fit))
    return out


def _arrivals(name: str, fit: ArrivalFit) -> Figure:
    figure = Figure(figsize=(8, 3.2))
    ax = figure.subplots()
    minutes = fit.starts / 60
    ax.plot(minutes, fit.counts / fit.width, ".", color="#555555", markersize=3, label="observed")
    for candidate in fit.candidates:
        chosen = candidate is fit.chosen
        ax.step(minutes, candidate.rates, where="post", linewidth=1.8 if chosen else 0.9,
                linestyle="-" if chosen else "--", label=f"{candidate.kind}{' (chosen)' if chosen else ''}")
    ax.set_xlabel("minutes from the window's start")
    ax.set_ylabel(f"{name} per second")
    ax.legend(fontsize=7)
    figure.tight_layout()
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()
