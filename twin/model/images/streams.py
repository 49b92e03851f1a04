"""Image streams: each tag's history of images, newest first, as the registry writes it.

A manifest PUT to the integrated registry creates an ImageStreamMapping (openshift/
image-registry `pkg/dockerregistry/server/manifestservice.go` `Put` →
`imagestream.CreateImageStreamMapping`): the image becomes the tag's newest event, whose
`dockerImageReference` is the digest pull spec `<registry>/<namespace>/<stream>@sha256:…`.
That reference is what image-change triggers copy into pod templates (`triggers.py`).

A tag the twin has not seen pushed starts with one event at time 0: the image the
catalogue gives for its tag reference (the cluster's state before the run).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Callable

from twin.model.registry.catalogue import INTERNAL_SERVICE_HOSTS, Image, is_internal, parse_reference


@dataclass(frozen=True)
class TagEvent:
    """One entry of a tag's history: the image and when the tag moved to it."""

    reference: str  # dockerImageReference: a digest pull spec
    image: Image
    created: float
    generation: int  # 0 for the image the tag held before the run, then 1, 2, ...


def stream_tag_of(reference: str) -> str | None:
    """"namespace/stream:tag" of a tag pull spec into the integrated registry, or None
    (another registry, a digest, or a repository without a namespace)."""
    if not is_internal(reference) or "@" in reference:
        return None
    _, repository, tag = parse_reference(reference)
    return f"{repository}:{tag}" if repository.count("/") == 1 else None


def digest_reference(stream: str, image: Image) -> str:
    """The pull spec of `image` in `stream` ("namespace/name"): its digest is the SHA-256
    of the image's blobs, so the same content has the same digest in every run."""
    content = ",".join(str(b) for b in (image.config, *image.layers)).encode()
    return f"{INTERNAL_SERVICE_HOSTS[0]}/{stream}@sha256:{hashlib.sha256(content).hexdigest()}"


class ImageStreams:
    """Every tag's history. `initial(stream_tag)` is the image a tag held before the run."""

    def __init__(self, initial: Callable[[str], Image]) -> None:
        self.initial = initial
        self.history: dict[str, list[TagEvent]] = {}
        self.by_reference: dict[str, Image] = {}
        self.layers: set[int] = set()  # every layer of every image a tag has held: the registry has them
        self.sources: dict[str, str] = {}  # tags with referencePolicy Source: the remote repository pods pull from
        self.gone: set[str] = set()  # tags the pruner emptied (oc drops a tag without items): no initial image again

    def events(self, stream_tag: str) -> list[TagEvent]:
        found = self.history.get(stream_tag)
        if found is None:
            found = self.history[stream_tag] = []
            if stream_tag not in self.gone:
                self._add(stream_tag, self.initial(stream_tag), 0.0)
        return found

    def latest(self, stream_tag: str) -> TagEvent:
        """The tag's newest event; for a tag the pruner emptied, its image before the run
        (what a push of a new version starts from), as an event of generation -1."""
        events = self.events(stream_tag)
        if events:
            return events[0]
        image = self.initial(stream_tag)
        return TagEvent(digest_reference(stream_tag.rsplit(":", 1)[0], image), image, 0.0, -1)

    def drop(self, stream_tag: str) -> None:
        """The pruner removed every revision of the tag (`pruneImageStream`: "deleting tags
        without items")."""
        self.history.pop(stream_tag, None)
        self.gone.add(stream_tag)

    def latest_reference(self, stream_tag: str) -> str:
        return self.latest(stream_tag).reference

    def reference_for(self, stream_tag: str, image: Image) -> str:
        return digest_reference(stream_tag.rsplit(":", 1)[0], image)

    def tag(self, stream_tag: str, image: Image, now: float) -> TagEvent | None:
        """The ImageStreamMapping of a pushed image: the tag's new newest event, or None
        when the tag already points at that image (a push of the same content)."""
        events = self.events(stream_tag)
        if events and events[0].image.layers == image.layers and events[0].image.config == image.config:
            return None
        return self._add(stream_tag, image, now)

    def _add(self, stream_tag: str, image: Image, now: float) -> TagEvent:
        events = self.history[stream_tag]
        stream = stream_tag.rsplit(":", 1)[0]
        reference = digest_reference(stream, image)
        source = self.sources.get(stream_tag)
        if source is not None:  # referencePolicy Source: dockerImageReference is the remote's digest pull spec
            reference = f"{source}@{reference.rsplit('@', 1)[1]}"
        image = replace(image, reference=reference, repository=stream, tag=reference.rsplit("@", 1)[1])
        event = TagEvent(reference, image, now, len(events))
        events.insert(0, event)
        self.by_reference[reference] = image
        self.layers.update(image.layers)
        return event

    def image(self, reference: str) -> Image | None:
        """The image a digest pull spec names, if a tag ever held it."""
        return self.by_reference.get(reference)
