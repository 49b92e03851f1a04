"""The object store: the current version of every object, by kind and key, with watches.

Controllers are level-triggered: a `Watcher` is woken (its SimPy event fires) when an
object of a kind it watches changes, or when its timeout runs out; it then reads the
store and reconciles. Putting an object equal to the stored one changes nothing and
wakes no one, which is what lets controller loops settle. `subscribe` registers
synchronous callbacks (old, new) used to keep derived state (the scheduler's cluster
view, the recorder) in step with every change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import simpy

Callback = Callable[[Any, Any], None]  # (old or None, new or None)


class Watcher:
    def __init__(self, env: simpy.Environment, kinds: Iterable[str]) -> None:
        self.env = env
        self.kinds = frozenset(kinds)
        self._event = env.event()

    def notify(self) -> None:
        if not self._event.triggered:
            self._event.succeed()

    def wait(self, timeout: float | None = None):
        """An event that fires on the next change of a watched kind (or one that happened
        since the last wait), or after `timeout` seconds."""
        if self._event.triggered:
            self._event = self.env.event()
            return self.env.timeout(0)
        if timeout is None:
            return self._event
        return self._event | self.env.timeout(max(timeout, 0.0))

    def rearm(self) -> None:
        if self._event.triggered:
            self._event = self.env.event()


class Store:
    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self._objects: dict[str, dict[str, Any]] = {}
        self._watchers: list[Watcher] = []
        self._callbacks: dict[str, list[Callback]] = {}

    def watch(self, *kinds: str) -> Watcher:
        watcher = Watcher(self.env, kinds)
        self._watchers.append(watcher)
        return watcher

    def subscribe(self, kind: str, callback: Callback) -> None:
        self._callbacks.setdefault(kind, []).append(callback)

    def get(self, kind: str, key: str) -> Any:
        return self._objects.get(kind, {}).get(key)

    def list(self, kind: str) -> list[Any]:
        """Objects of a kind in insertion order (deterministic)."""
        return list(self._objects.get(kind, {}).values())

    def put(self, kind: str, key: str, obj: Any) -> bool:
        """Create or replace; False (and no notification) when nothing changed."""
        bucket = self._objects.setdefault(kind, {})
        old = bucket.get(key)
        if old is not None and old == obj:
            return False
        bucket[key] = obj
        self._changed(kind, old, obj)
        return True

    def delete(self, kind: str, key: str) -> Any:
        old = self._objects.get(kind, {}).pop(key, None)
        if old is not None:
            self._changed(kind, old, None)
        return old

    def _changed(self, kind: str, old: Any, new: Any) -> None:
        for callback in self._callbacks.get(kind, ()):
            callback(old, new)
        for watcher in self._watchers:
            if kind in watcher.kinds:
                watcher.notify()
