"""What the image pruner removes: `oc adm prune images` as the registry operator's CronJob
runs it, as a pure function of the image streams' tag histories and what uses them.

openshift/oc `pkg/cli/admin/prune/imageprune/prune.go` (stored `6b8e30c5`), `Prune`:

* **Stage 1, image streams** (`pruneImageStream`, `pruneImageStreamTag`). A stream created
  less than keepYoungerThan ago keeps everything. Each tag's revisions, newest first
  (revision 0 is the tag's current image), are kept when:
  1. the revision was created less than keepYoungerThan ago (`--keep-younger-than`);
  2. it is revision 0 and something names the tag itself (`usedTags`: a pod spec or a
     build's `from` by tag);
  3. its revision number is below keepTagRevisions (`--keep-tag-revisions`);
  4. something names the image by digest in this stream (`usedImages`: running and
     pending pods, and the pod templates of Deployments, ReplicaSets and the other
     workloads).
  Every other revision leaves the tag. With `--prune-registry`, the stream's own
  reference counts (every revision of every tag) drop: a blob (layer or config) whose count
  reaches 0 gets its **layer link deleted** in this repository (`DeleteLayerLink`, at
  once), a manifest whose count reaches 0 gets its **manifest link deleted** after the
  stream is updated (`DeleteManifest`).
* **Stage 2, images** (`pruneImages`, `pruneImage`): an image no stream names any more,
  managed (`openshift.io/image.managed=true`, set on every image pushed to the integrated
  registry) and created at least keepYoungerThan ago, is deleted; before that, with
  `--prune-registry`, each of its blobs (and its manifest, as a blob) whose count over
  **every** image reaches 0 is deleted (`DELETE /admin/blobs/<digest>`). A blob a kept
  image still has keeps a count above 0, so it is never deleted.

oc runs stage 1 over the streams and stage 2 over the images with 5 workers each, in no
fixed order; the twin takes streams, tags and images in name order (the outcome is the same:
counts only decide which of two deletes names a shared blob, never whether).

`images.go` `Validate` refuses a negative `--keep-tag-revisions` or `--keep-younger-than`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from twin.model.registry.catalogue import Image


@dataclass(frozen=True, slots=True)
class Revision:
    """One revision of a tag: its image and when the tag moved to it (-inf: before the run,
    older than any keepYoungerThan)."""

    image: Image
    created: float

    @property
    def digest(self) -> str:
        return self.image.reference.rsplit("@", 1)[1]


@dataclass(frozen=True, slots=True)
class KeepRules:
    """`--keep-tag-revisions`, `--keep-younger-than` (seconds) and whether the registry is
    pruned too (`--prune-registry`)."""

    keep_tag_revisions: int = 3
    keep_younger_than: float = 3600.0
    prune_registry: bool = True

    def __post_init__(self) -> None:
        if self.keep_tag_revisions < 0:
            raise ValueError("--keep-tag-revisions must be greater than or equal to 0")
        if self.keep_younger_than < 0 or math.isnan(self.keep_younger_than):
            raise ValueError("--keep-younger-than must be greater than or equal to 0")


@dataclass(frozen=True, slots=True)
class RegistryDelete:
    """One DELETE to the registry: "manifest" (a repository's manifest link), "layer" (a
    repository's layer link) or "blob" (the data, `/admin/blobs/<digest>`); `blob` is the
    blob id (-1 for a manifest: its digest is the image's)."""

    what: str
    repository: str
    blob: int
    image: Image | None = None


@dataclass(frozen=True)
class PrunePlan:
    """What one run of the pruner does: the revisions each tag keeps (only tags that
    changed), the removed revisions' images by stream, the images deleted (stage 2), and
    the registry DELETEs in the order oc sends them (stage 1's, then stage 2's)."""

    kept: Mapping[str, tuple[Revision, ...]]
    removed: Mapping[str, tuple[Image, ...]]
    deleted_images: tuple[Image, ...]
    deletes: tuple[RegistryDelete, ...]

    @property
    def stage1(self) -> tuple[RegistryDelete, ...]:
        return tuple(d for d in self.deletes if d.what != "blob")

    @property
    def stage2(self) -> tuple[RegistryDelete, ...]:
        return tuple(d for d in self.deletes if d.what == "blob")


def blobs_of(image: Image) -> tuple[int, ...]:
    """`getImageBlobs`: the layers, then the config."""
    return (*image.layers, image.config)


def plan_prune(tags: Mapping[str, Sequence[Revision]], now: float, rules: KeepRules,
               used_tags: Iterable[str] = (), used_images: Iterable[str] = (),
               orphans: Sequence[Revision] = ()) -> PrunePlan:
    """One run at `now`. `tags` maps "namespace/stream:tag" to its revisions, newest first;
    `used_tags` are "namespace/stream:tag" named by workloads or builds; `used_images` are
    digest pull specs ("host/namespace/stream@sha256:...") named by pods and workloads;
    `orphans` are images no stream names that an earlier run failed to delete (their
    Image objects are still there, so stage 2 tries them again)."""
    cutoff = now - rules.keep_younger_than
    tags_used = set(used_tags)
    images_used = {_stream_digest(ref) for ref in used_images}
    kept: dict[str, tuple[Revision, ...]] = {}
    removed: dict[str, tuple[Image, ...]] = {}
    deletes: list[RegistryDelete] = []
    for stream, stream_tags in _by_stream(tags).items():
        counts = _stream_counts(tags[t] for t in stream_tags)
        manifests: list[RegistryDelete] = []
        gone: list[Image] = []
        for stream_tag in stream_tags:
            keep: list[Revision] = []
            dropped: list[Revision] = []
            for i, rev in enumerate(tags[stream_tag]):
                keeps = _keeps(rev, i, stream_tag, stream, cutoff, rules, tags_used, images_used)
                (keep if keeps else dropped).append(rev)
            if dropped:
                kept[stream_tag] = tuple(keep)
            for rev in dropped:
                gone.append(rev.image)
                if rules.prune_registry:
                    deletes += _stage1_deletes(stream, rev, counts, manifests)
        deletes += manifests
        if gone:
            removed[stream] = tuple(gone)
    deleted, blob_deletes = _stage2({**tags, "": list(orphans)}, kept, cutoff, rules)
    return PrunePlan(kept, removed, deleted, tuple(deletes + blob_deletes))


def _keeps(rev: Revision, index: int, stream_tag: str, stream: str, cutoff: float, rules: KeepRules,
           tags_used: set[str], images_used: set[tuple[str, str]]) -> bool:
    """`pruneImageStreamTag`'s reasons to keep a revision, in its order."""
    if rev.created > cutoff:
        return True
    if index == 0 and stream_tag in tags_used:
        return True
    if index < rules.keep_tag_revisions:
        return True
    return (stream, rev.digest) in images_used


def _stage1_deletes(stream: str, rev: Revision, counts: dict, manifests: list[RegistryDelete]) -> list[RegistryDelete]:
    """The layer links a removed revision's blobs lose at once, and (into `manifests`, sent
    after the stream update) its manifest link, each when the stream's count reaches 0."""
    out = []
    for blob in blobs_of(rev.image):
        counts[blob] -= 1
        if counts[blob] == 0:
            out.append(RegistryDelete("layer", stream, blob))
    counts[rev.digest] -= 1
    if counts[rev.digest] == 0:
        manifests.append(RegistryDelete("manifest", stream, -1, rev.image))
    return out


def _stage2(tags: Mapping[str, Sequence[Revision]], kept: Mapping[str, tuple[Revision, ...]], cutoff: float,
            rules: KeepRules) -> tuple[tuple[Image, ...], list[RegistryDelete]]:
    """`pruneImages`: images no stream names after stage 1, old enough, deleted with their
    blobs whose global count reaches 0. Every image the streams ever held is an image object
    (the twin's are all managed: pushed to the integrated registry)."""
    images: dict[str, tuple[Image, float]] = {}
    named: set[str] = set()
    for stream_tag, revisions in tags.items():
        for rev in revisions:
            first = images.get(rev.digest)
            images[rev.digest] = (rev.image, rev.created if first is None else min(first[1], rev.created))
        for rev in kept.get(stream_tag, revisions) if stream_tag else ():
            named.add(rev.digest)
    counts: dict[object, int] = {}
    for digest, (image, _) in images.items():
        for key in (digest, *blobs_of(image)):
            counts[key] = counts.get(key, 0) + 1
    deleted, deletes = [], []
    for digest in sorted(images):
        image, created = images[digest]
        if digest in named or created > cutoff:
            continue
        deleted.append(image)
        if not rules.prune_registry:
            continue
        for key in (*blobs_of(image), digest):
            counts[key] -= 1
            if counts[key] == 0:
                deletes.append(RegistryDelete("blob", "", key if isinstance(key, int) else -1,
                                              image if isinstance(key, str) else None))
    return tuple(deleted), deletes


def _by_stream(tags: Mapping[str, Sequence[Revision]]) -> dict[str, list[str]]:
    streams: dict[str, list[str]] = {}
    for stream_tag in sorted(tags):
        streams.setdefault(stream_tag.rsplit(":", 1)[0], []).append(stream_tag)
    return streams


def _stream_counts(lists: Iterable[Sequence[Revision]]) -> dict:
    """`getRepositoryReferenceCounts`: per manifest digest and per blob, the revisions of
    the stream (every tag) that name it."""
    counts: dict = {}
    for revisions in lists:
        for rev in revisions:
            for key in (rev.digest, *blobs_of(rev.image)):
                counts[key] = counts.get(key, 0) + 1
    return counts


def _stream_digest(reference: str) -> tuple[str, str]:
    """("namespace/stream", "sha256:...") of a digest pull spec (host ignored, as
    `analyzeImageReference` ignores it)."""
    name, _, digest = reference.partition("@")
    parts = name.split("/")
    return "/".join(parts[-2:]), digest
