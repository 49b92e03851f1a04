"""Background clients: pull and push sessions from outside the kubelets (CI jobs, builds,
podman and skopeo users, other clusters), started open loop at the times the scenario's
load profiles draw, each then closed loop (`sessions.py`).

A pull session fetches the config blob and each layer its client lacks (each layer
independently with `cached_layer_fraction`); a push session uploads each layer the
registry lacks (independently with `new_layer_fraction`) and always the config blob.
With `images_per_session` above 1, a client pulls that many images one after the other
over the same connections (a mirroring job, a long-lived build agent): few such clients
pin few connections, which is when the Service's per-connection balancing shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np

from twin.model.registry.batch import Client
from twin.model.registry.catalogue import Catalogue, Image
from twin.model.registry.clients import ClientPolicy
from twin.model.registry.profiles import arrivals
from twin.model.registry.traffic import BackgroundLoad, choose_images
from twin.sim.traffic.exchange import TIMER, Timer
from twin.sim.traffic.plane import DataPlane
from twin.sim.traffic.sessions import PullSession, PushSession, Session
from twin.sim.traffic.storage import Draws

PULL: Final = int(Client.PULL)
GENERATE_AHEAD = 1.0
"""Seconds of session starts drawn at once (and waiting in the event queue ahead)."""


class BackgroundClients:
    def __init__(self, plane: DataPlane, load: BackgroundLoad, catalogue: Catalogue, policies: dict[int, ClientPolicy],
                 rng: np.random.Generator, ended: Callable, warm_up: float) -> None:
        self.plane = plane
        self.load = load
        self.catalogue = catalogue
        self.policies = policies
        self.rng = rng
        self.ended = ended  # called with each session (each image of a session) when it ends
        self.generated_until = warm_up
        self.idle = _idle(load.pulls) and _idle(load.pushes)
        self.next_tag = 0
        self.draws = Draws(rng, uniform=True)

    def generate(self, t: float) -> None:
        """Schedule the session starts of every `GENERATE_AHEAD` stretch that begins before
        `t`, with the images each will fetch (drawn for the whole stretch at once)."""
        load = self.load
        while not self.idle and self.generated_until < t:
            t0, t1 = self.generated_until, self.generated_until + GENERATE_AHEAD
            for client, profile in ((Client.PULL, load.pulls), (Client.PUSH, load.pushes)):
                starts = arrivals(profile, t0, t1, self.rng)
                if not len(starts):
                    continue
                images = choose_images(self.catalogue, len(starts) * load.images_per_session, load.popularity_exponent,
                                       self.rng).reshape(len(starts), load.images_per_session).tolist()
                for start, chosen in zip(starts.tolist(), images):
                    self.plane.schedule(start, TIMER, Starter(self, client, chosen))
            self.generated_until = t1

    def start(self, client: int, images: list[int]) -> None:
        self.next_tag += 1
        image = self.catalogue.images[images[0]]
        session: PullSession | PushSession
        if client == PULL:
            session = PullSession(self.plane, client, self.policies[client], image, self._ended,
                                  self._pulled(image), None, self.next_tag)
        else:
            session = PushSession(self.plane, client, self.policies[client], image, self._ended,
                                  self._new(image), None, self.next_tag)
        session.then = images[1:]
        session.start()

    def _ended(self, session: Session, now: float) -> None:
        """One image done (or failed): counted; a successful client goes on with its next image."""
        self.ended(session, now)
        if session.ok and session.then:
            image = self.catalogue.images[session.then.pop(0)]
            session.restart(image, self._pulled(image) if session.client == PULL else self._new(image))

    def _pulled(self, image: Image) -> list[tuple[int, int]]:
        """The layers a pull fetches (each not in the client's cache)."""
        draws, cached = self.draws, self.load.cached_layer_fraction
        return [(b, s) for b, s in zip(image.layers, image.layer_bytes) if draws.next() >= cached]

    def _new(self, image: Image) -> list[bool]:
        """For a push, whether the registry lacks each layer."""
        draws, new = self.draws, self.load.new_layer_fraction
        return [draws.next() < new for _ in image.layers]


class Starter(Timer):
    """A background session's start, waiting in the event queue."""

    __slots__ = ("clients", "client", "images")

    def __init__(self, clients: BackgroundClients, client: int, images: list[int]) -> None:
        self.clients = clients
        self.client = client
        self.images = images

    def fire(self, now: float) -> None:
        self.clients.start(self.client, self.images)


def _idle(profile) -> bool:
    """A profile that never sends anything (a constant 0)."""
    return getattr(profile, "value", None) == 0.0
