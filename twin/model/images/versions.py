"""New versions of an image: what a rebuild changes.

A rebuilt image replaces its top `changed` layers (a base image patched at its top, or
rebuilt whole) with new blobs of the same sizes, and gets a new config blob. An
application rebuilt on a new version of its base keeps no layer of its own: each of its
own layers is built anew on the new base's layers (a layer's digest depends on its
parent chain in a Dockerfile build), with the sizes it had. New blob ids are drawn from
their own range, in the order versions are made, so a run is reproducible.
"""

from __future__ import annotations

from dataclasses import replace

from twin.model.registry.catalogue import Image

VERSION_ID_BASE = 1 << 57
"""Blob ids of rebuilt layers start here: past generated ids and those derived from
references (`catalogue.DERIVED_ID_BASE` = 2^56, plus at most 2^48)."""


class BlobIds:
    """The next unused blob ids for new layers and configs."""

    def __init__(self) -> None:
        self.next = VERSION_ID_BASE

    def take(self, count: int) -> tuple[int, ...]:
        ids = tuple(range(self.next, self.next + count))
        self.next += count
        return ids


def rebuilt(image: Image, changed: int | None, ids: BlobIds) -> Image:
    """`image` with its top `changed` layers (None: all) and its config made anew."""
    count = len(image.layers) if changed is None else min(changed, len(image.layers))
    kept = image.layers[: len(image.layers) - count]
    return replace(image, layers=kept + ids.take(count), config=ids.take(1)[0])


def rebased(app: Image, own_layers: int, base: Image, ids: BlobIds, bytes_per_layer: int) -> Image:
    """`app`'s top `own_layers` layers built anew on `base`: base's layers, then new
    blobs the sizes of app's own; the manifest `bytes_per_layer` longer per layer gained
    (`CatalogueParams.manifest_bytes_per_layer`)."""
    own_bytes = app.layer_bytes[len(app.layer_bytes) - own_layers:] if own_layers else ()
    layers = base.layers + ids.take(own_layers)
    return replace(app, layers=layers, layer_bytes=base.layer_bytes + tuple(own_bytes), config=ids.take(1)[0],
                   manifest_bytes=app.manifest_bytes + bytes_per_layer * (len(layers) - len(app.layers)))
