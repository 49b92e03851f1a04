"""Kubernetes-style short hashes: `controller.ComputeHash`'s shape (FNV-32a, decimal,
then `rand.SafeEncodeString`)."""

from __future__ import annotations

# k8s.io/apimachinery/pkg/util/rand: consonants and digits that spell no words.
SAFE_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


def fnv32a(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def safe_encode(text: str) -> str:
    """`rand.SafeEncodeString`: each byte mapped into SAFE_ALPHANUMS."""
    return "".join(SAFE_ALPHANUMS[b % len(SAFE_ALPHANUMS)] for b in text.encode())


def short_hash(text: str) -> str:
    """FNV-32a of `text`, as a decimal string, safe-encoded (e.g. a pod-template-hash)."""
    return safe_encode(str(fnv32a(text.encode())))
