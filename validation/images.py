"""OCI images built locally from the twin's image catalogue, so the real registry serves
the images the twin's scenario describes (same repositories, tags, layer sizes and
shared base layers).

The catalogue (`twin.model.registry.catalogue`) is generated with the harness's own
parameters (`CATALOGUE`: small layers, so a push and a pull of every image take seconds
on this machine); a validation scenario uses the same parameters. Each layer is a gzip
stream of seeded random bytes (incompressible: its compressed size is its catalogue size
to within a few dozen bytes), so skopeo copies it as it is (`application/vnd.oci.image.
layer.v1.tar+gzip`). Layouts follow the OCI image-layout spec (`oci-layout`,
`index.json`, `blobs/sha256/`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from twin.model.registry.catalogue import Catalogue, CatalogueParams, Image

CATALOGUE = CatalogueParams(base_images=2, images=12, base_layers=(2, 3), own_layers=(1, 3),
                            base_bytes=(2e6, 4e6), layer_median_bytes=256 * 2**10, layer_sigma=1.0,
                            max_layer_bytes=4 * 2**20)
"""Small images: bases of 2-4 MB, application layers of median 256 KiB (at most 4 MiB)."""
SKOPEO_SECONDS = 60.0


@dataclass(frozen=True)
class Built:
    image: Image
    layout: Path  # an OCI layout holding this image under its tag
    blob_bytes: dict[str, int]  # digest -> bytes, config and layers


def catalogue(seed: int, params: CatalogueParams = CATALOGUE) -> Catalogue:
    return Catalogue.generate(params, np.random.default_rng(seed))


def layer_bytes(blob_id: int, size: int, seed: int) -> bytes:
    """A gzip stream of `size` bytes or a few more (stored blocks of random data)."""
    raw = np.random.default_rng([seed, blob_id]).bytes(max(size - 40, 1))
    return gzip.compress(raw, compresslevel=1, mtime=0)


def build(image: Image, folder: Path, seed: int) -> Built:
    """Write `image` as an OCI layout in `folder`."""
    blobs = folder / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)
    sizes: dict[str, int] = {}

    def put(data: bytes) -> dict:
        digest = hashlib.sha256(data).hexdigest()
        (blobs / digest).write_bytes(data)
        sizes[f"sha256:{digest}"] = len(data)
        return {"digest": f"sha256:{digest}", "size": len(data)}

    layers = [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **put(layer_bytes(i, n, seed))}
              for i, n in zip(image.layers, image.layer_bytes)]
    config = {"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers", "diff_ids": [layer["digest"] for layer in layers]},
              "history": [{"created_by": f"twin catalogue layer {i}"} for i in image.layers]}
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           **put(json.dumps(config, sort_keys=True).encode())},
                "layers": layers}
    descriptor = {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                  **put(json.dumps(manifest, sort_keys=True).encode()),
                  "annotations": {"org.opencontainers.image.ref.name": image.tag}}
    (folder / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [descriptor]}))
    (folder / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
    return Built(image, folder, sizes)


def push(built: Built, host: str, skopeo: str = "skopeo") -> None:
    """Push with skopeo (containers/image, as podman and CRI-O use it), plain HTTP on loopback."""
    image = built.image
    subprocess.run([skopeo, "copy", "--quiet", "--dest-tls-verify=false", f"oci:{built.layout}:{image.tag}",
                    f"docker://{host}/{image.repository}:{image.tag}"], check=True, capture_output=True,
                   timeout=SKOPEO_SECONDS)


def pull(image: Image, host: str, into: Path, skopeo: str = "skopeo") -> None:
    """Pull with skopeo into a `dir:` folder (every blob fetched and verified)."""
    subprocess.run([skopeo, "copy", "--quiet", "--src-tls-verify=false", f"docker://{host}/{image.repository}:{image.tag}",
                    f"dir:{into}"], check=True, capture_output=True, timeout=SKOPEO_SECONDS)
