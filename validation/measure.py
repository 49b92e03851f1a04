"""One measurement of the real registry: start it, push the catalogue's images with
skopeo, pull with skopeo and with the load generator at one or more load levels while
Prometheus-style scrapes are taken, stop it, and leave in `out/`:

* `access.log`, `app.log`: the registry's own logs (combined access log; JSON
  application log with a "response completed" line per request);
* `metrics/registry-0/t<ms>ms.prom`: scrapes of its `/metrics` every `scrape_every`
  seconds, named by milliseconds since the epoch (the access log's clock), in the layout
  `twin run --metrics-every` writes;
* `measurement.json`: when the harness started (`began_epoch`), the levels (rate, start
  and end as seconds since the start, `from` and `to`, and since the epoch, `from_epoch`
  and `to_epoch`), per level
  the generator's session and request figures and the CPU seconds the registry and the
  generator used, and the catalogue parameters and seed.
"""

from __future__ import annotations

import json
import os
import resource
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from validation import images as catalogue_images
from validation import registry as real
from validation.load import run_pulls

MAX_SECONDS_PER_LEVEL = 600.0


def measure(out: Path, levels: list[tuple], seed: int = 1, scrape_every: float = 5.0,
            skopeo_pulls: int = 2) -> dict:
    """`levels`: (sessions per second, seconds[, "checks"]) one after the other; a level
    marked "checks" sends tag checks (ping and manifest) instead of pulls."""
    if any(level[1] > MAX_SECONDS_PER_LEVEL or level[0] <= 0 for level in levels):
        raise ValueError(f"expected levels of a positive rate and at most {MAX_SECONDS_PER_LEVEL:g} s")
    out.mkdir(parents=True, exist_ok=True)
    catalogue = catalogue_images.catalogue(seed)
    registry = real.start()
    began, began_epoch = time.monotonic(), time.time()
    stop_scraping = threading.Event()
    scraper = threading.Thread(target=_scrape_loop, args=(registry, out / "metrics" / "registry-0", scrape_every,
                                                          stop_scraping), daemon=True)
    try:
        with tempfile.TemporaryDirectory(prefix="twin-images-") as tmp:
            for k, image in enumerate(catalogue.images):
                catalogue_images.push(catalogue_images.build(image, Path(tmp) / f"image-{k}", seed), registry.host)
            for k, image in enumerate(catalogue.images[-skopeo_pulls:] if skopeo_pulls else []):
                catalogue_images.pull(image, registry.host, Path(tmp) / f"pulled-{k}")
        scraper.start()
        figures = [_level(registry, list(catalogue.images), level[0], level[1], seed + i, began, began_epoch,
                          checks=len(level) > 2 and level[2] == "checks")
                   for i, level in enumerate(levels)]
    finally:
        stop_scraping.set()
        if scraper.is_alive():
            scraper.join(10)
        if registry.process.poll() is None:  # a last scrape, after the last level
            _scrape_once(registry, out / "metrics" / "registry-0")
        real.stop(registry, keep_logs=out)
    document = {"registry": "docker-registry 2.8 (distribution), filesystem storage, 127.0.0.1", "seed": seed,
                "began_epoch": round(began_epoch, 6), "cpus": os.cpu_count(),
                "catalogue": asdict(catalogue_images.CATALOGUE), "scrape_every": scrape_every, "levels": figures}
    (out / "measurement.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    return document


def _level(registry: real.RealRegistry, images, rate: float, seconds: float, seed: int, began: float,
           began_epoch: float, checks: bool = False) -> dict:
    start, cpu_registry, cpu_self = time.monotonic(), registry.cpu_seconds(), _own_cpu()
    pulls = run_pulls(registry.host, images, rate, seconds, seed, checks=checks)
    end = time.monotonic()
    requests = np.array([r[1] for r in pulls.requests]) if pulls.requests else np.zeros(0)
    sessions = pulls.session_seconds()
    lag = np.array([s[2] for s in pulls.sessions]) if pulls.sessions else np.zeros(0)
    return {"rate": rate, "checks": checks, "from": round(start - began, 3), "to": round(end - began, 3),
            "from_epoch": round(began_epoch + start - began, 3), "to_epoch": round(began_epoch + end - began, 3),
            "sessions": len(pulls.sessions), "failed_sessions": sum(1 for s in pulls.sessions if not s[3]),
            "requests": len(pulls.requests), "session_p50": _q(sessions, 0.5), "session_p99": _q(sessions, 0.99),
            "request_p50": _q(requests, 0.5), "request_p99": _q(requests, 0.99), "lag_p99": _q(lag, 0.99),
            "registry_cpu_seconds": round(registry.cpu_seconds() - cpu_registry, 3),
            "generator_cpu_seconds": round(_own_cpu() - cpu_self, 3)}


def _q(values: np.ndarray, q: float) -> float | None:
    return round(float(np.quantile(values, q)), 6) if len(values) else None


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _scrape_loop(registry: real.RealRegistry, folder: Path, every: float, stop: threading.Event) -> None:
    while not stop.is_set():
        _scrape_once(registry, folder)
        stop.wait(every)


def _scrape_once(registry: real.RealRegistry, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        text = registry.scrape()
    except OSError:
        return
    (folder / f"t{int(time.time() * 1000):015d}ms.prom").write_text(text)

