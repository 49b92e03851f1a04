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
from twin.sim.traffic.exchange import Connection, Owner, Req
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
    """Prometheus: every interval, one GET to each endpoint on a new connection, answered
    when the pod answers it (its read limiter may queue it). Prometheus stamps samples
    with the scrape's start (the exposition carries no timestamps), so the twin files them
    under the time the scrape was sent; the values are the pod's metrics as last handed
    over, the in-flight gauge as the handler saw it (the scrape itself included)."""

    def __init__(self, world: World, engine, scrapes: Scrapes) -> None:
        self.world = world
        self.engine = engine
        self.scrapes = scrapes
        self.answers: list[tuple[float, str, int, int]] = []  # (sent, pod, code, in flight)
        engine.after_advance.append(self.collect)
        world.env.process(self.run())

    def run(self):
        while True:
            yield self.world.env.timeout(self.scrapes.interval)
            self.engine.advance(self.world.now)
            for key in list(self.engine.endpoints):
                self.scrape(key)

    def scrape(self, key: str) -> None:
        self.engine.plane.send(Req(Kind.METRICS_GET, 0, Client.SCRAPE, _Answer(self, key)), Connection(direct=key))

    def collect(self) -> None:
        """Answers that came in during the last advance."""
        answers, self.answers = self.answers, []
        for when, key, code, in_flight in answers:
            metrics = self.engine.metrics.get(key)
            if code != Outcome.OK or metrics is None:
                self.scrapes.failed.append((when, key, code))
                self.world.recorder.record("ScrapeFailed", key, code=code, at=round(when, 6))
                continue
            if not self.scrapes.keep:
                continue
            self.engine.flusher.flush()
            metrics.set_in_flight(in_flight)
            self.scrapes.samples.extend((key, s) for s in metrics.samples(when))
            self.scrapes.texts.append((when, key, metrics.exposition(when)))


class _Answer(Owner):
    """The owner of one scrape request: notes its answer for the next `collect`."""

    def __init__(self, scraper: Scraper, key: str) -> None:
        self.scraper = scraper
        self.key = key

    def answered(self, r: Req, now: float) -> None:
        self.scraper.answers.append((r.time, self.key, int(r.code), r.in_flight))
