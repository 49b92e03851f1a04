"""Image streams in simulated time: a push moves a tag, and a moved tag sets off what
follows it — Deployments whose `image.openshift.io/triggers` name the tag roll out
(openshift-controller-manager's image trigger controller, `model/images/triggers.py`),
and BuildConfigs with an ImageChange trigger on it start a build, whose push moves the
application's tag in turn.

A build (openshift-controller-manager `pkg/image/trigger/buildconfigs`: one build per
BuildConfig per new image of its `from` tag) is modelled as the work it does against the
registry: the builder pulls the new base image over its node's link (every layer: a
build pod starts with empty storage), builds for a log-normal time, then pushes the
rebuilt application image (the base's layers are there already; its own are new). Build
pods are not scheduled (no requests, no node capacity taken): builds run on the Ready,
schedulable workers in turn. A failed pull or push fails the build (no retry), and the
tag stays where it was.

A tag moves only when the push's manifest PUT succeeded: the registry writes the
ImageStreamMapping inside that request (`model/images/streams.py`).
"""

from __future__ import annotations

import math
from dataclasses import replace

from twin.model.images.mapping import ImageStreamsInApi, StreamState
from twin.model.images.streams import ImageStreams, TagEvent, stream_tag_of
from twin.model.images.followers import BuildConfig, TriggeredDeployment
from twin.model.images.triggers import update_images
from twin.model.images.versions import BlobIds, rebased, rebuilt
from twin.model.objects import WORKER_ROLE_KEY
from twin.model.registry.batch import Client
from twin.model.registry.catalogue import INTERNAL_SERVICE_HOSTS, Catalogue, Image
from twin.sim.apply import put
from twin.sim.world import World

Z99 = 2.3263478740408408  # the standard normal's 0.99 quantile


class ImageStreamController:
    def __init__(self, world: World, engine, catalogue: Catalogue, deployments: list[TriggeredDeployment],
                 builds: list[BuildConfig], api: ImageStreamsInApi | None = None) -> None:
        self.world = world
        self.engine = engine
        self.catalogue = catalogue
        self.api = api  # None: every stream a push names exists
        self.streams = ImageStreams(self.initial)
        self.built_from = {build.output: build.source for build in builds}
        self.ids = BlobIds()
        self.rng = world.streams("builds")
        self.next_node = 0
        self.triggered = {deployment.key: deployment for deployment in deployments}
        self.followers: dict[str, list[TriggeredDeployment]] = {}
        for deployment in deployments:
            for trigger in deployment.triggers:
                self.followers.setdefault(trigger.stream_tag(deployment.namespace), []).append(deployment)
        self.builds: dict[str, list[BuildConfig]] = {}
        self.imported: dict = {}  # tags imported from a remote registry -> their remote image now (`sim/imports.py`)
        for build in builds:
            self.builds.setdefault(build.source, []).append(build)

    # ----- pushes -------------------------------------------------------------------------------
    def push(self, stream_tag: str, changed: int | None):
        """A client outside the cluster pushes a new version of the tag's image (its top
        `changed` layers rebuilt; None: all)."""
        image = rebuilt(self.streams.latest(stream_tag).image, changed, self.ids)
        yield from self._push(stream_tag, image, node=None, why="push")

    def _push(self, stream_tag: str, image: Image, node: str | None, why: str):
        """Push `image` to the tag's stream; True when its manifest PUT succeeded (the tag
        then points at it)."""
        known = self.streams.layers
        image = replace(image, reference=self.streams.reference_for(stream_tag, image))
        stream = stream_tag.rsplit(":", 1)[0]
        state = self.api.state(stream) if self.api is not None else StreamState.EXISTS
        session = yield from self.engine.push(image, [layer not in known for layer in image.layers], node=node,
                                              stream_state=int(state))
        if not session.ok:
            self.world.recorder.record("ImagePushFailed", stream_tag, code=int(session.code), by=why,
                                       stream=state.name.lower())
            return False
        if self.api is not None:
            self.api.created(stream)
        event = self.streams.tag(stream_tag, image, self.world.now)
        if event is not None:
            self.world.recorder.record("ImageStreamTagged", stream_tag, image=event.reference,
                                       generation=event.generation, by=why)
            self.tag_moved(stream_tag, event)
        return True

    # ----- what follows a tag ----------------------------------------------------------------------
    def tag_moved(self, stream_tag: str, event: TagEvent) -> None:
        for deployment in self.followers.get(stream_tag, ()):
            self.roll(deployment)
        for build in self.builds.get(stream_tag, ()):
            self.world.env.process(self.build(build, event))

    def roll(self, triggered: TriggeredDeployment) -> None:
        deployment = self.world.store.get("Deployment", triggered.key)
        if deployment is None:
            return
        template = update_images(deployment.spec.template, triggered.namespace, triggered.triggers,
                                 self.streams.latest_reference)
        if template is None:
            return
        generation = deployment.generation + 1
        put(self.world, replace(deployment, spec=replace(deployment.spec, template=template), generation=generation))
        self.world.recorder.record("TriggeredRollout", triggered.key, generation=generation,
                                   images=[c.image for c in template.containers])

    def build(self, config: BuildConfig, base: TagEvent):
        record = self.world.recorder.record
        node = self.builder_node()
        if node is None:
            record("BuildFailed", config.name, reason="no Ready schedulable worker")
            return
        record("BuildStarted", config.name, node=node, base=base.reference)
        image = base.image
        pulled = yield from self.engine.pull(node, image, list(zip(image.layers, image.layer_bytes)), lambda b: None,
                                             client=Client.PUSH)
        if not pulled.ok:
            record("BuildFailed", config.name, reason=f"pull of the base failed ({int(pulled.code)})")
            return
        yield self.world.env.timeout(self.build_seconds(config))
        current = self.streams.latest(config.output).image
        app = rebased(current, len(current.layers) - len(self.streams.events(config.source)[-1].image.layers), image,
                      self.ids,
                      self.catalogue.params.manifest_bytes_per_layer)
        pushed = yield from self._push(config.output, app, node=node, why=f"build {config.name}")
        if pushed:
            record("BuildCompleted", config.name, node=node)
        else:
            record("BuildFailed", config.name, reason="push failed")

    def initial(self, stream_tag: str) -> Image:
        """The image a tag holds as the run starts: the catalogue's for its reference; a
        build's output built on the image its `from` tag holds then."""
        remote = self.imported.get(stream_tag)
        if remote is not None:
            return remote(stream_tag)
        image = self.catalogue.resolve(f"{INTERNAL_SERVICE_HOSTS[0]}/{stream_tag}")
        source = self.built_from.get(stream_tag)
        if source is None:
            return image
        return rebased(image, self.own_layers(image), self.streams.latest(source).image, self.ids,
                       self.catalogue.params.manifest_bytes_per_layer)

    def own_layers(self, image: Image) -> int:
        """The layers a catalogue image has above its base."""
        base = self.catalogue.images[image.base].layers if image.base >= 0 else ()
        return len(image.layers) - len(base)

    def build_seconds(self, config: BuildConfig) -> float:
        """Log-normal with the config's median and p99."""
        sigma = math.log(config.p99 / config.median) / Z99
        return float(config.median * math.exp(sigma * self.rng.standard_normal()))

    def builder_node(self) -> str | None:
        """The next Ready, schedulable worker in name order (builds take turns)."""
        nodes = sorted(n.name for n in self.world.store.list("Node")
                       if WORKER_ROLE_KEY in n.labels and not n.unschedulable
                       and self.world.runtime.get(n.name) is not None and self.world.runtime[n.name].alive)
        if not nodes:
            return None
        node = nodes[self.next_node % len(nodes)]
        self.next_node += 1
        return node

    def initial_template(self, deployment):
        """A triggered Deployment as the run starts: its images already set to its tags'
        images (the trigger controller did that before the run)."""
        triggered = self.triggered[deployment.key]
        template = update_images(deployment.spec.template, triggered.namespace, triggered.triggers,
                                 self.streams.latest_reference)
        return deployment if template is None else replace(deployment, spec=replace(deployment.spec, template=template))

    # ----- pulls ---------------------------------------------------------------------------------------
    def resolve(self, reference: str) -> Image:
        """The image a pod's reference names: a tag's digest pull spec, or the catalogue's."""
        found = self.streams.image(reference)
        if found is not None:
            return found
        tag = stream_tag_of(reference) if self.imported else None
        if tag is not None and tag in self.imported:  # an imported tag pulled by tag: its newest image
            return self.streams.latest(tag).image
        return self.catalogue.resolve(reference)


def install_image_streams(world: World, kubelets, faults, engine, deployments: list[TriggeredDeployment],
                          builds: list[BuildConfig], api: ImageStreamsInApi | None = None) -> ImageStreamController:
    """The controller, with the kubelets' puller resolving tags' digest pull specs and the
    fault timeline's `push` events sent to it; `api` the namespaces, streams and quotas
    pushes' mappings meet (default: every stream exists)."""
    controller = ImageStreamController(world, engine, engine.catalogue, deployments, builds, api)
    if kubelets.puller is not None:
        kubelets.puller.resolve = controller.resolve
    faults.images = controller
    return controller
