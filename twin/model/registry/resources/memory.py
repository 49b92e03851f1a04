"""A registry pod's memory: a working set plus what each request in flight holds.

Per request (`spec/capacity.md` §4, vendored distribution):
* every request in flight holds `request_overhead`: its goroutine stack, the
  connection's `bufio` reader and writer and TLS record buffers (an assumption of
  64 KiB; calibrate against `container_memory_working_set_bytes`);
* a blob the registry streams itself is read through a 4 MiB `bufio.Reader`
  (`registry/storage/filereader.go`, `fileReaderBufferSize = 4 << 20`);
* an upload chunk (PATCH) goes into the S3 driver's pooled `bytes.Buffer`, which
  uploads a part whenever `chunksize` bytes are buffered (`registry/storage/driver/
  s3-aws/s3.go` `Write`, `flush`). The buffer grows geometrically while it fills, so it
  settles near twice the chunk size: distribution#4919 measured 740 MiB of heap for 32
  concurrent 100 MiB uploads at the default 10 MiB chunk (about 23 MiB each). The twin
  holds min(2 x chunksize, 2 x the body) per PATCH in flight. The chunk size is the
  driver's 10 MiB unless the Config sets `s3.chunkSizeMiB` (the operator then passes
  `REGISTRY_STORAGE_S3_CHUNKSIZE`); openshift/release#55158's registry pods of up to
  40 GB came from a 5 GiB chunk size (openshift/release#54776).

With a memory limit, crossing it OOM-kills the container (the kernel's cgroup OOM
killer acts at once). Without one, the container may use what its node has left; past
that the node's kernel OOM killer ends it. The kubelet's eviction manager never picks
the registry: its priority class system-cluster-critical makes it a critical pod, and
kubelet `eviction_manager.go` `evictPod` refuses critical pods (`IsCriticalPod`).
Where the limit comes from: `twin/sim/traffic/capacity.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from twin.model.registry.requests import Kind

MiB = 1 << 20
KiB = 1 << 10
READ_BUFFER = 4 * MiB
"""distribution `registry/storage/filereader.go`: `fileReaderBufferSize = 4 << 20`."""


@dataclass(frozen=True, slots=True)
class MemoryParams:
    """`working_set`: what an idle registry process holds (Go heap, caches, binary).
    An assumption (128 MiB): no published measurement of openshift/image-registry;
    calibrate from the pod's `container_memory_working_set_bytes` at low load."""

    working_set: int = 128 * MiB
    request_overhead: int = 64 * KiB
    read_buffer: int = READ_BUFFER

    def __post_init__(self):
        for name in ("working_set", "request_overhead", "read_buffer"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}: expected a size >= 0, got {getattr(self, name)!r}")

    def buffer(self, kind: int, nbytes: int, chunk_size: int) -> int:
        """What a request streaming `nbytes` itself holds while it streams.

        >>> MemoryParams().buffer(Kind.UPLOAD_CHUNK, 100 * MiB, 10 * MiB) // MiB
        20
        >>> MemoryParams().buffer(Kind.BLOB_GET, 100 * MiB, 10 * MiB) // MiB
        4
        """
        if kind == Kind.UPLOAD_CHUNK:
            return 2 * min(chunk_size, max(int(nbytes), 0))
        if kind == Kind.BLOB_GET:
            return self.read_buffer
        return 0


class PodMemory:
    """Bytes in use by one container, with its peaks (over the run and since the last
    `take_window`)."""

    __slots__ = ("limit", "used", "peak", "window_peak")

    def __init__(self, working_set: int, limit: int | None = None) -> None:
        self.limit = limit
        self.used = working_set
        self.peak = working_set
        self.window_peak = working_set

    def hold(self, nbytes: int) -> bool:
        """Take `nbytes`; False when that crosses the limit (the container is OOM-killed)."""
        self.used += nbytes
        if self.used > self.window_peak:
            self.note_peak()
        return self.limit is None or self.used <= self.limit

    def note_peak(self) -> None:
        """`used` may be above the peaks (the data plane adds to `used` itself on its hot path)."""
        if self.used > self.peak:
            self.peak = self.used
        if self.used > self.window_peak:
            self.window_peak = self.used

    def release(self, nbytes: int) -> None:
        self.used -= nbytes

    def take_window(self) -> int:
        peak, self.window_peak = self.window_peak, self.used
        return peak
