"""The image pruner in simulated time: the operator's CronJob `image-pruner` fires at its
schedule's times and each Job runs `oc adm prune images` under the retry wrapper
(`model/registry/pruner.py`), deciding what to prune from the image streams' tag
histories (`model/images/pruning.py`) and sending the registry its DELETEs through the
data plane (`sessions.DeleteSession`).

One run (an attempt of the wrapper):
1. it lists images, streams, pods and workloads from the API server:
   `LIST_SECONDS + LIST_SECONDS_PER_OBJECT` x (images + tag revisions + pods) of waiting
   (an ASSUMPTION: no measurement of `oc adm prune images`' listing time was found);
2. it plans from the streams as they are then, updates the streams (a pull of a removed
   image's digest answers 404 from then on: the registry serves a manifest only while its
   stream names the image) and, with `--prune-registry=true`, sends stage 1's layer-link and
   manifest-link DELETEs, then stage 2's blob DELETEs, each over 5 connections;
3. a DELETE answered other than 2xx or 404 (429 from the write limiter, 401 without the
   role, 5xx) is an error: oc exits 1 at the end, and the wrapper runs it again after
   30 s x the attempt number, at most 5 more times. The images of a run whose registry
   deletes failed are not deleted (`pruneImage`: no blob deleted and failures), so the
   next run tries their blobs again; links the stream update orphaned are not retried.

The Job is Failed when the last attempt fails (BackoffLimit 0); a Job still running when
the schedule fires again makes the CronJob skip that run (ConcurrencyPolicy Forbid).

Simplifications (named in docs/simulation.md): the Job's pod is not scheduled (its
requests, 100m / 256Mi at system-cluster-critical, take no node capacity) and starts at
once; the API server's side of the run (lists, stream updates, image deletes) is the
listing wait only; oc's registry ping before the run is not sent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from twin.model.images.pruning import KeepRules, PrunePlan, Revision, plan_prune
from twin.model.images.streams import ImageStreams, stream_tag_of
from twin.model.registry.pruner import PrunerSpec, RETRY_SLEEPS, install_status, pruner_conditions, run_times
from twin.model.registry.requests import Kind
from twin.model.registry.conditions import merge_conditions
from twin.model.workloads import Condition
from twin.sim.traffic.sessions import Delete
from twin.sim.world import World

LIST_SECONDS = 2.0
LIST_SECONDS_PER_OBJECT = 0.002
NUM_WORKERS = 5  # oc adm prune images --num-workers default (`images.go` defaultNumWorkers)
_KIND = {"layer": int(Kind.BLOB_DELETE), "manifest": int(Kind.MANIFEST_DELETE), "blob": int(Kind.ADMIN_BLOB_DELETE)}


@dataclass(frozen=True)
class ImagePrunerStatus:
    """The ImagePruner's status conditions and its install-status metric, as the operator
    publishes them (`RegistryOperator` adds them to the ClusterOperator's)."""

    conditions: tuple[Condition, ...] = ()
    install_status: int = 0
    key: str = "cluster"


class ImagePruner:
    def __init__(self, world: World, engine, streams: ImageStreams, spec: PrunerSpec, clock_at_start: float,
                 duration: float) -> None:
        self.world = world
        self.engine = engine
        self.streams = streams
        self.spec = spec
        self.running = False
        self.last_failed: bool | None = None
        self.jobs = 0
        self.orphans: dict[str, Revision] = {}  # images a failed run removed from streams but did not delete
        self.publish()
        if not spec.suspend:
            world.env.process(self.cron(run_times(spec.schedule, clock_at_start, duration)))

    # ----- the CronJob -------------------------------------------------------------------------
    def cron(self, times: list[float]):
        for t in times:
            yield self.world.env.timeout(t - self.world.now)
            self.start("schedule")

    def start(self, why: str) -> None:
        if self.running:
            self.world.recorder.record("PrunerJobSkipped", "image-pruner", reason="a job is still running (Forbid)")
            return
        self.running = True
        self.world.env.process(self.job(why))

    def job(self, why: str):
        self.jobs += 1
        name = f"image-pruner-{self.jobs}"
        record = self.world.recorder.record
        record("PrunerJobStarted", name, by=why)
        ok = False
        for attempt in range(len(RETRY_SLEEPS) + 1):
            if attempt:
                yield self.world.env.timeout(RETRY_SLEEPS[attempt - 1])
            ok = yield from self.run(name, attempt + 1)
            if ok:
                break
        self.running = False
        self.last_failed = not ok
        record("PrunerJobFinished", name, status="Complete" if ok else "Failed", attempts=attempt + 1)
        self.publish()

    # ----- one run of oc adm prune images ------------------------------------------------------------
    def run(self, job: str, attempt: int):
        tags = self.revisions()
        used_tags, used_images, pods = self.used()
        objects = len({r.digest for revs in tags.values() for r in revs}) + sum(map(len, tags.values())) + pods
        yield self.world.env.timeout(LIST_SECONDS + LIST_SECONDS_PER_OBJECT * objects)
        tags = self.revisions()  # as the lists found them at their end
        prune_registry = self.prune_registry()
        plan = plan_prune(tags, self.world.now, KeepRules(self.spec.keep_tag_revisions, self.spec.keep_younger_than,
                                                          prune_registry), used_tags, used_images,
                          list(self.orphans.values()))
        self.apply(plan, tags)
        errors, answers = 0, {}
        if plan.deletes:
            session = yield from self.engine.delete(self.deletes(plan), NUM_WORKERS)
            errors, answers = session.errors, dict(session.answers)
            self.streams.layers -= self.engine.plane.pruned_blobs
        deleted_images = len(plan.deleted_images) if not errors else 0
        # oc deletes an Image only when its blob deletes went through (`pruneImage`); the
        # twin keeps every image of a run with refused DELETEs for the next run
        self.orphans = {r.digest: r for r in (Revision(i, -math.inf) for i in plan.deleted_images)} if errors else {}
        self.world.recorder.record("PrunerRun", job, attempt=attempt, prune_registry=prune_registry,
                                   revisions_removed=sum(len(v) for v in plan.removed.values()),
                                   images_deleted=deleted_images, deletes=len(plan.deletes), errors=errors,
                                   answers={str(k): v for k, v in sorted(answers.items())},
                                   pruned=sorted({i.reference for v in plan.removed.values() for i in v}))
        return errors == 0

    def revisions(self) -> dict[str, list[Revision]]:
        """Every tag's revisions, newest first; what a tag held before the run is older than
        any keepYoungerThan (an ASSUMPTION: the cluster's images predate the run)."""
        return {st: [Revision(e.image, -math.inf if e.generation == 0 else e.created) for e in events]
                for st, events in sorted(self.streams.history.items())}

    def used(self) -> tuple[set[str], set[str], int]:
        """Tags and digests that running or pending pods, Deployments and ReplicaSets name
        (`analyzeReferencesFromPods`, `...FromDeployments`, `...FromReplicaSets`), and how
        many pods there are."""
        tags: set[str] = set()
        images: set[str] = set()
        templates = [d.spec.template for d in self.world.store.list("Deployment")]
        templates += [rs.template for rs in self.world.store.list("ReplicaSet")]
        records = [r for r in self.world.store.list("Pod") if r.status.phase in ("Running", "Pending")]
        for pod in templates + [r.pod for r in records]:
            for container in pod.containers:
                if "@" in container.image:
                    images.add(container.image)
                else:
                    stream_tag = stream_tag_of(container.image)
                    if stream_tag is not None:
                        tags.add(stream_tag)
        return tags, images, len(records)

    def prune_registry(self) -> bool:
        status = self.world.store.get("OperatorStatus", "cluster")
        return status is not None and "--prune-registry=true" in status.prune_args

    def apply(self, plan: PrunePlan, tags: dict[str, list[Revision]]) -> None:
        """The stream updates (`UpdateImageStream`): each changed tag keeps its kept
        revisions; the registry no longer serves the removed images by digest."""
        for stream_tag, kept in plan.kept.items():
            keep = {id(r) for r in kept}
            events = self.streams.history[stream_tag]
            self.streams.history[stream_tag] = [e for e, r in zip(events, tags[stream_tag]) if id(r) in keep]
            if not kept:
                self.streams.drop(stream_tag)
        self.engine.prune_references({i.reference for v in plan.removed.values() for i in v})

    @staticmethod
    def deletes(plan: PrunePlan) -> list[Delete]:
        return [Delete(_KIND[d.what], d.blob, d.image) for d in plan.deletes]

    # ----- status ---------------------------------------------------------------------------------
    def publish(self) -> None:
        """`syncPrunerStatus` after a job finished (and at the start): the conditions, with
        their transition times, and the metric."""
        previous = self.world.store.get("ImagePrunerStatus", "cluster")
        before = previous.conditions if previous is not None else ()
        fresh = pruner_conditions(True, self.spec.suspend, self.last_failed)
        conditions = merge_conditions(before, fresh, self.world.now)
        old = {c.type: (c.status, c.reason) for c in before}
        for c in conditions:
            if old.get(c.type) != (c.status, c.reason):
                self.world.recorder.record("ImagePrunerCondition", c.type, status=c.status, reason=c.reason,
                                           message=c.message)
        status = ImagePrunerStatus(conditions, install_status(True, self.spec.suspend))
        self.world.store.put("ImagePrunerStatus", status.key, status)


def install_pruner(world: World, engine, faults, streams: ImageStreams, spec: PrunerSpec, clock_at_start: float,
                   duration: float) -> ImagePruner:
    pruner = ImagePruner(world, engine, streams, spec, clock_at_start, duration)
    faults.pruner = pruner
    return pruner

