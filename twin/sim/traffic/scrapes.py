"""Prometheus scraping the registry pods (`spec/registry-operator.md` §5), modelled when
the run keeps metrics (`twin run --metrics-every`; otherwise its one GET per pod every
30 s is left out of the load as negligible): every
`interval` (the ServiceMonitor's 30 s) each endpoint gets `GET /extensions/v2/metrics`,
which goes through the pod's read limiter like any GET (§4.1). A scrape that gets 429,
503 or no answer fails (as `up == 0` would show) and leaves no sample; a successful one
keeps the pod's samples for the metrics frame and, when asked, the exposition text."""

from __future__ import annotations

from dataclasses import dataclass, field

from twin.model.registry.batch import Client
from twin.model.registry.requests import Kind, Outcome
from twin.sim.world import World


@dataclass
class Scrapes:
    """Samples, exposition texts and failed scrapes, kept when `keep`."""

    interval: float
    keep: bool = False
    samples: list = field(default_factory=list)  # (pod, Sample) rows
    texts: list = field(default_factory=list)  # (time, pod, exposition bytes)
    failed: list = field(default_factory=list)  # (time, pod, code)


class Scraper:
    def __init__(self, world: World, engine, scrapes: Scrapes) -> None:
        self.world = world
        self.engine = engine
        self.scrapes = scrapes
        world.env.process(self.run())

    def run(self):
        while True:
            yield self.world.env.timeout(self.scrapes.interval)
            for key in list(self.engine.endpoints):
                self.scrape(key)

    def scrape(self, key: str) -> None:
        _, fate = self.engine.request(Kind.METRICS_GET, 0, Client.SCRAPE, pod=key)
        code = int(fate.code[0])
        metrics = self.engine.metrics.get(key)
        if code != Outcome.OK or metrics is None:
            self.scrapes.failed.append((self.world.now, key, code))
            self.world.recorder.record("ScrapeFailed", key, code=code)
            return
        if not self.scrapes.keep:
            return
        now = self.world.now
        self.engine.flush()
        metrics.set_in_flight(self.engine.servers[key].in_flight(now)[0])
        self.scrapes.samples.extend((key, s) for s in metrics.samples(now))
        self.scrapes.texts.append((now, key, metrics.exposition(now)))
