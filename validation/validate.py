"""The validation (`make validate`): measure the real registry at several load levels,
twice (the measurement's own spread), calibrate the twin on `CALIBRATE` levels of the
first measurement, and predict the others without refitting; per level and figure,
predicted against measured (the two measurements' mean), with the tolerance of
`twin.comparison.compare` widened to the measurement's spread where that is larger.

Writes into `out/`: `measurement-1/`, `measurement-2/` (the harness's folders),
`calibrated/` (`twin calibrate` on the calibration levels), `levels/<rate>/` (each level's
scenario and its `twin validate` folder), and `validation.md` / `validation.json` (the
table). Prints the table.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import yaml

from twin.calibration.calibrate import Observation
from twin.cli import main as twin
from twin.comparison.compare import compare, table
from twin.comparison.figures import observed_figures
from twin.comparison.predict import predict
from twin.observed.accesslog import read_access_log
from twin.observed.exposition import read_scrapes
from twin.scenarios.load import load_scenario
from validation.measure import measure
from validation.scenario import level_scenario

LEVELS = ((5.0, 20.0), (20.0, 20.0), (40.0, 20.0, "checks"), (50.0, 20.0), (80.0, 20.0), (150.0, 20.0))
CALIBRATE = (20.0, 40.0, 50.0)
"""Calibrated on pulls at 20 and 50 per second with tag checks between them (a second mix
of request kinds, so each kind's CPU can be told apart); predicted at 5, 80 and 150."""
REPEATS = 2


def validate(out: Path, levels=LEVELS, calibrate_on=CALIBRATE, repeats: int = REPEATS, seed: int = 1,
             reuse: bool = False) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    measurements = [_measured(out / f"measurement-{r + 1}", list(levels), seed + 100 * r, reuse) for r in range(repeats)]
    observations = [_observation(out / f"measurement-{r + 1}") for r in range(repeats)]
    first = measurements[0]
    chosen = [lv for lv in first["levels"] if lv["rate"] in calibrate_on]
    calibrated = out / "calibrated"
    folder = out / "measurement-1"
    assert twin(["calibrate", "--access-log", str(folder / "app.log"), "--metrics", str(folder / "metrics"),
                 "--from", str(min(lv["from_epoch"] for lv in chosen)), "--to", str(max(lv["to_epoch"] for lv in chosen)),
                 "--interval", "5s", "--out", str(calibrated), "--quiet"]) == 0
    traffic = yaml.safe_load((calibrated / "calibrated.yaml").read_text())["traffic"]
    estimates = json.loads((calibrated / "calibration.json").read_text())["estimates"]
    idle = next((e["value"] for name, e in estimates.items() if name.startswith("registry idle")), 0.0)
    results = []
    for i, level in enumerate(first["levels"]):
        if level["checks"]:
            continue  # calibration input only: the twin's background clients pull
        measured = [observed_figures(obs, m["levels"][i]["from_epoch"], m["levels"][i]["to_epoch"])
                    for obs, m in zip(observations, measurements)]
        observed, spread = _mean(measured)
        rate = observed["kinds"].get("manifest_get", {}).get("requests_per_second", level["rate"])
        scenario = level_scenario(first, {**level, "rate": round(rate, 3)}, service=traffic.get("service"),
                                  memory=traffic.get("memory"), idle_cores=idle)
        level_dir = out / "levels" / f"{level['rate']:g}"
        level_dir.mkdir(parents=True, exist_ok=True)
        (level_dir / "scenario.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False))
        predicted = _predict(level_dir / "scenario.yaml")
        rows = compare(observed, predicted, spread)
        results.append({"rate": level["rate"], "sessions_per_second": rate, "calibration": level["rate"] in calibrate_on,
                        "rows": rows, "observed": observed, "predicted": predicted, "spread": spread})
    _write(out, results, calibrate_on)
    return {"levels": results}


def _measured(folder: Path, levels: list, seed: int, reuse: bool) -> dict:
    """The harness's measurement in `folder`: made now, or with `reuse` the one already there."""
    if not reuse:
        return measure(folder, levels, seed=seed)
    path = folder / "measurement.json"
    if not path.is_file():
        raise SystemExit(f"{path}: no measurement to reuse; run the validation without --reuse first")
    return json.loads(path.read_text())


def _observation(folder: Path) -> Observation:
    return Observation(read_access_log(folder / "app.log"), read_scrapes(folder / "metrics"), [str(folder)])


def _predict(path: Path) -> dict:
    return predict(load_scenario(str(path)))


def _mean(measured: list[dict]) -> tuple[dict, dict]:
    """The measurements' mean per figure, and each figure's relative half-range."""
    mean: dict = {"kinds": {}}
    spread: dict = {}
    kinds = set.intersection(*(set(m["kinds"]) for m in measured))
    for kind in kinds:
        mean["kinds"][kind] = {}
        for figure in ("requests_per_second", "p50", "p99"):
            values = [m["kinds"][kind][figure] for m in measured if m["kinds"][kind][figure] is not None]
            if values:
                mean["kinds"][kind][figure] = float(np.mean(values))
                spread[f"{kind} {figure}"] = float((max(values) - min(values)) / 2 / np.mean(values)) if np.mean(values) else 0.0
    for figure in ("rejected_429", "unavailable_503", "in_flight"):
        values = [m[figure] for m in measured if figure in m]
        if values:
            mean[figure] = float(np.mean(values))
            if figure == "in_flight" and np.mean(values):
                spread[figure] = float((max(values) - min(values)) / 2 / np.mean(values))
    return mean, spread


def _write(out: Path, results: list[dict], calibrate_on) -> None:
    lines = ["# Validation against the real registry", ""]
    for r in results:
        role = "calibration level" if r["calibration"] else "prediction"
        judged = [row for row in r["rows"] if row.within is not None]
        lines += [f"## {r['rate']:g} pull sessions/s requested ({r['sessions_per_second']:.1f}/s delivered; {role})", "",
                  *table(r["rows"]), "", f"{sum(row.within for row in judged)} of {len(judged)} within tolerance.", ""]
    (out / "validation.md").write_text("\n".join(lines))
    document = [{**{k: v for k, v in r.items() if k != "rows"}, "rows": [row.__dict__ for row in r["rows"]]}
                for r in results]
    (out / "validation.json").write_text(json.dumps(document, indent=1, sort_keys=True, default=str) + "\n")
    print("\n".join(lines))

