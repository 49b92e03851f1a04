"""How long a new machine takes: from the Machine created to its Node registered (the
instance launched, booted, configured, its kubelet registered), and from registered to
Ready (the node's network plugin up, so its kubelet reports Ready).

Each delay is log-normal, given by its median and 99th percentile (a scenario overrides
them per pool with `provision: {median, p99}` and `node_ready: {median, p99}`).

Sources and what the defaults rest on:

* EC2 launch (RunInstances to `running`): about 16 to 20 s, and the instance type does
  not matter (brevdev/ec2-coldboot-research, "instance type sweep": pending to running
  16.4 to 16.6 s for t3, m6i, m7i, c7i and r7i; martysweet.co.uk "EC2 Launch Times",
  2023: mid-range fixed-performance types boot alike; EBS encryption, which ROSA uses,
  adds to it). Hence one distribution for every type of `resources/instance_types.py`
  (m5-m7, c5-c7, r5-r7; no metal sizes, which take minutes).
* OpenShift machine to node: RHCOS boots, Ignition fetches the machine config, the
  machine-config daemon's first boot rebases the OS image and reboots, then the kubelet
  registers. openshift/origin `test/extended/machines/scale.go` waits `scalingTime` 7 min
  for a MachineSet's new nodes (raised to 12 min for OpenStack, PR #23762); an AWS run in
  openshift/origin PR #30377's log shows a scaled MachineSet's machine Running about
  4 min after the scale; openshift/release PR #33070 saw GCP nodes "taking very close to
  15m" (an outlier that made the build cluster raise maxNodeProvisionTime to 30m).
  Karpenter's NodeClaim example (aws/karpenter-provider-aws
  `website/content/en/docs/concepts/nodeclaims.md`) shows an EKS AMI registering 22 s
  after launch: RHCOS's first-boot reboot is what makes OpenShift slower.
  ASSUMPTION: median 240 s, p99 480 s from created to registered.
* Registered to Ready: the kubelet reports Ready once the CNI (OVN-Kubernetes) is up on
  the node. Karpenter's example: Ready 12 s after registration (aws-node on EKS);
  ASSUMPTION for OVN-Kubernetes: median 45 s, p99 120 s.
"""

from __future__ import annotations

import math

DEFAULT_PROVISION = (240.0, 480.0)
"""(median, p99) seconds from Machine created to Node registered."""
DEFAULT_NODE_READY = (45.0, 120.0)
"""(median, p99) seconds from Node registered to Ready."""
Z_99 = 2.3263478740408408  # the standard normal's 99th percentile


def provision_delay(instance_type: str) -> tuple[float, float]:
    """(median, p99) of created-to-registered for an instance type: the same for every
    type the twin knows (EC2's launch time does not depend on the type, see above)."""
    return DEFAULT_PROVISION


def lognormal(median: float, p99: float) -> tuple[float, float]:
    """(mu, sigma) of the log-normal with this median and 99th percentile.

    >>> mu, sigma = lognormal(240.0, 480.0)
    >>> round(math.exp(mu), 6), round(math.exp(mu + Z_99 * sigma), 6)
    (240.0, 480.0)
    """
    return math.log(median), (math.log(p99) - math.log(median)) / Z_99


def draw(rng, median: float, p99: float) -> float:
    """One delay from the log-normal (a constant when median == p99)."""
    mu, sigma = lognormal(median, p99)
    return float(rng.lognormal(mu, sigma)) if sigma > 0 else median
