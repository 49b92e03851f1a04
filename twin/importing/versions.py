"""The OpenShift version of an imported scenario. The twin models 4.21-4.23 only
(`twin.model.registry.versions`); a cluster on another version gets the closest one,
and the header says so."""

from __future__ import annotations

import re

SUPPORTED = ("4.21", "4.22", "4.23")
DEFAULT = "4.23"


def choose_version(real: str | None, asked: str | None = None) -> tuple[str, str]:
    """(the scenario's `openshift`, one sentence for the header)."""
    if asked is not None:
        return asked, f"OpenShift {asked} as asked (--openshift); the cluster runs {real or 'an unrecorded version'}."
    match = re.match(r"^(\d+)\.(\d+)", real or "")
    if match is None:
        what = f"an unreadable version {real!r}" if real else "no version (no ClusterVersion)"
        return DEFAULT, f"The source records {what}: OpenShift {DEFAULT}, the twin's default."
    minor = (int(match[1]), int(match[2]))
    text = f"{minor[0]}.{minor[1]}"
    if text in SUPPORTED:
        return text, f"OpenShift {text} as the cluster runs ({real})."
    closest = SUPPORTED[0] if minor < (4, 21) else SUPPORTED[-1]
    return closest, (f"The cluster runs OpenShift {real}; the twin models {SUPPORTED[0]}-{SUPPORTED[-1]} only, so this "
                     f"scenario uses {closest}, the closest: the operator's behaviour (rendered Deployment, defaults) "
                     f"is {closest}'s, not {text}'s.")
