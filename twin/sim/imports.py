"""Image stream tags imported from remote registries, in simulated time: one-off imports
(`oc import-image`, an ImageStreamImport through the API server), scheduled imports
(openshift-controller-manager's scheduled image stream controller,
`model/images/import_schedule.py`), new images appearing on a remote, and remotes going
down and coming back. A tag moved by an import sets off what a push does
(`sim/images.py`: triggers roll Deployments out), and with `referencePolicy: Local` its
pods then pull through the registry (`traffic/pullthrough.py`).

An import asks the remote for the tag's manifest (a GET: counted against the remote's
pull limit) and its config blob (not counted), then writes the image to the stream: the
tag moves when the remote's image differs from the tag's newest (openshift-apiserver's
importer). A refused or failed import leaves the tag where it was.

ASSUMPTION: the ImageStreamImport's own API-server time is `API_SECONDS`; the importer
makes its two remote calls one after the other.
"""

from __future__ import annotations

import re

from twin.model.images.import_schedule import Scheduler, TokenBucket, TokenBucketRule, bucket_count, bucket_interval
from twin.model.images.remote import Remote, remote_image
from twin.model.images.streams import stream_tag_of
from twin.sim.traffic.pullthrough import PullThrough, RemoteRuntime
from twin.sim.traffic.storage import Draws
from twin.sim.world import World

API_SECONDS = 0.05


class ImportedTag:
    def __init__(self, stream_tag: str, source: str, remote: RemoteRuntime, local: bool, scheduled: bool) -> None:
        self.stream_tag = stream_tag
        self.source = source  # the remote image reference (host/repository:tag)
        self.remote = remote
        self.local = local  # referencePolicy Local: pulled through the registry
        self.scheduled = scheduled


class Imports:
    def __init__(self, world: World, engine, images, spec) -> None:
        self.world = world
        self.images = images  # the image stream controller
        self.params = engine.catalogue.params
        normals = Draws(world.streams("remotes"))
        self.remotes = {r.host: RemoteRuntime(r.to_params(), normals) for r in spec.remotes}
        self.pullthrough = PullThrough(mirror=spec.imports.mirror)
        self.pullthrough.record = world.recorder.record
        engine.plane.pullthrough = self.pullthrough
        self.tags: dict[str, ImportedTag] = {}
        self.versions: dict[str, tuple[int, int | None]] = {}  # remote reference -> (version, changed layers)
        self.counts = {"imports": 0, "moved": 0, "failed": 0, "rate_limited": 0}
        self.interval = spec.imports.interval
        rule = TokenBucketRule.of(spec.imports.max_per_minute)
        self.bucket = TokenBucket(rule) if rule is not None else None

    # ----- set-up -----------------------------------------------------------------------------
    def add_tag(self, stream_tag: str, source: str, host: str, local: bool, scheduled: bool) -> None:
        tag = ImportedTag(stream_tag, source, self.remotes[host], local, scheduled)
        self.tags[stream_tag] = tag
        self.versions.setdefault(source, (0, None))
        self.images.imported[stream_tag] = self.remote_image_of
        if not local:
            self.images.streams.sources[stream_tag] = source.rsplit(":", 1)[0]

    def start(self) -> None:
        """Register the tags' images with the pull-through and start the scheduler."""
        for stream_tag in sorted(self.tags):
            self._register(self.tags[stream_tag], self.images.streams.latest(stream_tag))
        scheduled = sorted({t.stream_tag.rsplit(":", 1)[0] for t in self.tags.values() if t.scheduled})
        if scheduled:
            self.world.env.process(self.scheduler(scheduled))

    def remote_image_of(self, stream_tag: str):
        source = self.tags[stream_tag].source
        version, changed = self.versions[source]
        return remote_image(source, version, self.params, changed)

    def _register(self, tag: ImportedTag, event) -> None:
        if tag.local:
            self.pullthrough.add_image(event.reference, event.image, tag.remote)

    # ----- faults -------------------------------------------------------------------------------
    def set_remote_up(self, host: str, up: bool) -> None:
        self.remotes[host].up = up

    def remote_push(self, pattern: str, changed: int | None) -> None:
        regex = re.compile("^" + re.escape(pattern).replace(re.escape("{i}"), "[0-9]+") + "$")
        for source in sorted(self.versions):
            if regex.match(source):
                version, _ = self.versions[source]
                self.versions[source] = (version + 1, changed)
                self.world.recorder.record("RemoteImagePushed", source, version=version + 1)

    def import_now(self, pattern: str) -> None:
        regex = re.compile("^" + re.escape(pattern).replace(re.escape("{i}"), "[0-9]+") + "$")
        for stream_tag in sorted(self.tags):
            if regex.match(stream_tag):
                self.world.env.process(self.import_tag(self.tags[stream_tag], "oc import-image"))

    # ----- importing ----------------------------------------------------------------------------------
    def import_tag(self, tag: ImportedTag, why: str):
        remote = tag.remote
        outcome = remote.call(self.world.now, True, "import")
        seconds = API_SECONDS + remote.latency() + (remote.latency() if outcome == Remote.OK else 0.0)
        yield self.world.env.timeout(seconds)
        self.counts["imports"] += 1
        if outcome != Remote.OK:
            self.counts["failed"] += 1
            self.world.recorder.record("ImportFailed", tag.stream_tag, remote=remote.params.host,
                                       code=int(outcome), by=why)
            return
        image = self.remote_image_of(tag.stream_tag)
        event = self.images.streams.tag(tag.stream_tag, image, self.world.now)
        if event is None:
            return
        self.counts["moved"] += 1
        self._register(tag, event)
        self.world.recorder.record("ImageStreamTagged", tag.stream_tag, image=event.reference,
                                   generation=event.generation, by=why)
        self.images.tag_moved(tag.stream_tag, event)

    def scheduler(self, streams: list[str]):
        """`scheduler.go` `RunOnce` in a loop: one stream at a time from the current
        bucket, the bucket limiter's wait between buckets, the token bucket per stream."""
        scheduler = Scheduler(bucket_count(self.interval))
        for key in streams:
            scheduler.add(key)
        wait = bucket_interval(self.interval)
        next_token = 0.0
        env = self.world.env
        while True:
            key = scheduler.step()
            if key is None:
                now = env.now
                delay = max(0.0, next_token - now)
                next_token = max(now, next_token) + wait
                yield env.timeout(delay)
                continue
            if self.bucket is not None and not self.bucket.try_accept(env.now):
                self.counts["rate_limited"] += 1
                continue
            for stream_tag in sorted(t for t in self.tags if t.rsplit(":", 1)[0] == key):
                if self.tags[stream_tag].scheduled:
                    yield from self.import_tag(self.tags[stream_tag], "scheduled")

    def finish(self) -> None:
        remotes = {host: {f"{what}/{outcome}": n for (what, outcome), n in sorted(r.calls.items())}
                   for host, r in sorted(self.remotes.items())}
        self.world.recorder.record("ImportTotals", "imports", **self.counts, remotes=remotes)


def install_imports(world: World, faults, engine, images, spec) -> Imports:
    from twin.scenarios.workloads import copies

    imports = Imports(world, engine, images, spec)
    for w in spec.workloads:
        for copy in copies(w):
            if copy.import_ is not None:
                host = copy.import_.from_.split("/", 1)[0]
                imports.add_tag(stream_tag_of(copy.image), copy.import_.from_, host,
                                copy.import_.reference_policy == "Local", copy.import_.scheduled)
    faults.imports = imports
    engine.at_finish.append(imports.finish)
    return imports
