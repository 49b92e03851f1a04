"""`twin run` on bad scenario input: one line `twin: error: <file>: <field path>: <message>`
on stderr, exit code 2, nothing on stdout, no traceback, and nothing written to --out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from helpers import twin, twin_process

from twin.errors import InputError
from twin.model.registry.resources.nodes import INSTANCE_TYPES
from twin.scenarios.load import library_names, load_scenario

CONFIG = "{kind: Config, spec: {replicas: 2, storage: {s3: {}}}}"
FAULT_KINDS_MESSAGE = ("expected exactly one of node_crash, node_recovery, network_partition, partition_heal, zone_outage, "
                       "zone_recovery, cordon, uncordon, drain, add_node, remove_node, config_edit, storage_outage, "
                       "storage_recovery, role_grant, role_revoke, api_outage, api_recovery, push, out_of_service, "
                       "remote_outage, remote_recovery, remote_push, import, prune, scale_pool")
IMPORTED = ('  - {name: w, replicas: 1, image: "image-registry.openshift-image-registry.svc:5000/apps/w:latest", '
            'trigger: true, import: %s}\n')




def with_resources(resources: str) -> str:
    """A scenario whose inline Config sets `spec.resources`."""
    return ("name: x\nregistry:\n"
            f"  config: {{kind: Config, spec: {{replicas: 2, storage: {{s3: {{}}}}, resources: {resources}}}}}\n")


def node_list(edge_type: str | None) -> str:
    """Two nodes: n0 an m5.xlarge, n1 labelled `edge_type` (no instance-type label when None)."""
    label = "" if edge_type is None else f", node.kubernetes.io/instance-type: {edge_type}"
    return ("apiVersion: v1\nkind: NodeList\nitems:\n"
            "- metadata: {name: n0, labels: {topology.kubernetes.io/zone: a, node.kubernetes.io/instance-type: m5.xlarge}}\n"
            "  status: {allocatable: {cpu: '4', memory: 16Gi, pods: '110'}}\n"
            f"- metadata: {{name: n1, labels: {{topology.kubernetes.io/zone: b{label}}}}}\n"
            "  status: {allocatable: {cpu: '8', memory: 16Gi, pods: '110'}}\n")


UNKNOWN_TYPE = ("expected an EC2 instance type the twin knows ({count} types such as m5.xlarge, in "
                "twin/model/registry/resources/instance_types.py), got {kind!r}")
BANDWIDTH_UNIT = "expected a bandwidth with its unit (k, M or G and bit/s, bps, b/s or B/s), such as 1.25Gbit/s or 156MB/s"
CPU_TIME = "expected CPU time that is finite and not negative, such as 2ms or 1.5n"
NOT_NEGATIVE = "expected a quantity that is not negative, such as 250m or 512Mi"
NEGATIVE_IN_CONFIG = "(Kubernetes refuses negative quantities)"
BELOW_WORKING_SET = ("expected a memory limit of at least the registry's working set, traffic.memory.working_set = "
                     "{working_set}, got {limit} ({limit_bytes} bytes): the registry could never start")
REQUEST_RATE_TEXT = "expected a number of requests per second written as a plain number, such as 5500"


def unknown_type(kind: str, node: str | None = None) -> str:
    """The message for a type no EC2 table will hold (no close names to suggest)."""
    assert kind not in INSTANCE_TYPES
    text = UNKNOWN_TYPE.format(count=len(INSTANCE_TYPES), kind=kind)
    if node is None:
        return text
    return f"{text} for node {node!r}: for another type give its network as cluster.network or cluster.node_network.{node}"


@dataclass(frozen=True)
class Case:
    """A scenario file and the error it must give. `source` and `ref` are templates:
    {scenario} is the scenario file, {tmp} the test's directory. `exact` asks for the
    whole line; otherwise `message` only has to appear after `<source>: <path>: `."""

    name: str
    text: str
    path: str
    message: str
    exact: bool = True
    source: str = "{scenario}"
    ref: str = "{scenario}"
    args: tuple[str, ...] = ()
    files: dict[str, str] = field(default_factory=dict)


CASES = [
    Case("an import from a remote the scenario does not define is refused",
         "name: x\nremotes: [{host: docker.io}]\nworkloads:\n" + IMPORTED % '{from: "quay.io/a/b:1"}',
         "workloads[0].import.from", "expected an image on a remote the scenario defines under remotes (docker.io), "
         "got host 'quay.io'"),
    Case("a reference policy other than Local or Source is refused",
         "name: x\nremotes: [{host: docker.io}]\nworkloads:\n" + IMPORTED % '{from: "docker.io/a/b:1", '
         'reference_policy: Cached}',
         "workloads[0].import.reference_policy", "expected Local or Source, got 'Cached'"),
    Case("an import from an image without its registry host is refused",
         "name: x\nremotes: [{host: docker.io}]\nworkloads:\n" + IMPORTED % '{from: "nginx:1"}',
         "workloads[0].import.from", "expected an image on a remote registry as host/repository:tag, such as "
         "docker.io/library/nginx:1.27, got 'nginx:1'"),
    Case("a negative remote pull limit is refused",
         "name: x\nremotes: [{host: docker.io, rate_limit: {pulls: -5}}]\n",
         "remotes[0].rate_limit.pulls", "expected a number >= 1, got -5"),
    Case("a negative remote bandwidth is refused",
         "name: x\nremotes: [{host: docker.io, bandwidth: -5MB/s}]\n",
         "remotes[0].bandwidth", "expected a bandwidth > 0, got '-5MB/s'"),
    Case("a remote host that is not a host name is refused",
         "name: x\nremotes: [{host: 'Docker Hub'}]\n",
         "remotes[0].host", "expected a registry host such as docker.io or quay.io, got 'Docker Hub'"),
    Case("an outage of a remote the scenario does not define is refused",
         "name: x\nremotes: [{host: docker.io}]\nfaults:\n  - {at: 1m, remote_outage: {host: quay.io}}\n",
         "faults[0].remote_outage.host", "expected a remote the scenario defines (docker.io), got 'quay.io'"),
    Case("an import of a tag no workload imports is refused",
         "name: x\nremotes: [{host: docker.io}]\nfaults:\n  - {at: 1m, import: {image: apps/nothing:latest}}\n",
         "faults[0].import.image", "expected an imported image stream tag (a workload with import), "
         "got 'apps/nothing:latest'"),
    Case("a negative import interval is refused",
         "name: x\nimports: {interval: -5m}\n",
         "imports.interval", "expected a duration that is not negative, got '-5m'"),
    Case("a negative request rate is refused",
         "name: x\ntraffic: {background: {pulls: {constant: -5}}}\n",
         "traffic.background.pulls.constant", "expected a number >= 0, got -5"),
    Case("a request rate that is not a number is refused",
         "name: x\ntraffic: {background: {pulls: {constant: fast}}}\n",
         "traffic.background.pulls.constant", "expected a number, got 'fast'"),
    Case("a malformed client think time is refused",
         "name: x\ntraffic: {clients: {pull: {think: 1x}}}\n",
         "traffic.clients.pull.think", "expected a duration such as 90s, 10m or 1h30m, got '1x'"),
    Case("an unknown request kind is refused",
         "name: x\ntraffic: {service: {cpu: {blob_fetch: 2ms}}}\n",
         "traffic.service.cpu.blob_fetch", "expected manifest_get, manifest_head, blob_get, blob_head, upload_start, "
         "upload_chunk, upload_commit, manifest_put, token_get, metrics_get, ping, manifest_delete, blob_delete or "
         "admin_blob_delete, got 'blob_fetch'"),
    Case("a storage latency whose p99 is below its median is refused",
         "name: x\ntraffic: {service: {storage_latency: {Stat: {median: 50ms, p99: 10ms}}}}\n",
         "traffic.service.storage_latency.Stat", "p99: expected p99 >= median > 0, got median 0.05 s and p99 0.01 s"),
    Case("a zero storage stream bandwidth is refused",
         "name: x\ntraffic: {service: {storage_stream_bandwidth: 0GB/s}}\n",
         "traffic.service.storage_stream_bandwidth", "expected a bandwidth > 0, got '0GB/s'"),
    Case("an unknown top-level field is refused",
         "name: x\ncolour: blue\n",
         "colour", "Extra inputs are not permitted, got 'blue'"),
    Case("an unknown field inside a fault is refused",
         "name: x\nfaults:\n  - {at: 1m, node_crash: {node: registry, grace: 5m}}\n",
         "faults[0].node_crash.grace", "Extra inputs are not permitted, got '5m'"),
    Case("a misspelled field inside a fault is reported as the required field it replaces",
         "name: x\nfaults:\n  - {at: 1m, node_crash: {nodes: registry}}\n",
         "faults[0].node_crash.node", "required field is missing"),
    Case("a route hostname the router would refuse as a DNS name names the Config field",
         "name: x\nregistry:\n  config:\n    spec: {replicas: 2, managementState: Managed, storage: {s3: {}}, "
         "routes: [{name: public, hostname: Registry_Example.com}]}\n",
         "registry.config.spec.routes[0].hostname",
         "expected a route host the router admits (a DNS-1123 subdomain)", exact=False),
    Case("duplicate route names are refused as the operator's VerificationFailed",
         "name: x\nregistry:\n  config:\n    spec: {replicas: 2, managementState: Managed, storage: {s3: {}}, "
         "routes: [{name: public}, {name: public}]}\n",
         "registry.config.spec.routes[1].name", "duplicate route name 'public'", exact=False),
    Case("external clients through a route need a route of the registry",
         "name: x\ntraffic:\n  clients:\n    pull: {via: route}\n",
         "traffic.clients.pull.via", "'route' needs a route of the registry: set defaultRoute: true or spec.routes "
         "in the registry Config, got neither"),
    Case("the kubelet cannot pull through a route",
         "name: x\ntraffic:\n  clients:\n    kubelet: {via: route}\n",
         "traffic.clients.kubelet.via", "expected 'service'", exact=False),
    Case("an apps domain that is not a DNS name is refused",
         "name: x\ntraffic:\n  router: {domain: 'apps example'}\n",
         "traffic.router.domain", "expected a DNS domain name", exact=False),
    Case("a duration given as true is refused",
         "name: x\nduration: true\n",
         "duration", "expected a duration such as 90s, 10m or 1h30m, got True"),
    Case("a seed given as text is refused",
         'name: x\nseed: "one"\n',
         "seed", "expected an integer, got 'one'"),
    Case("a zone count given as a string is refused",
         'name: x\ncluster: {generate: {zones: "3"}}\n',
         "cluster.generate.zones", "expected an integer, got '3'"),
    Case("a malformed duration is refused",
         "name: x\nduration: 1x\n",
         "duration", "expected a duration such as 90s, 10m or 1h30m, got '1x'"),
    Case("a negative duration in seconds is refused",
         "name: x\nduration: -5\n",
         "duration", "expected a duration that is not negative, got -5"),
    Case("a negative Go-style duration is refused",
         "name: x\nduration: -1m\n",
         "duration", "expected a duration that is not negative, got '-1m'"),
    Case("faults out of time order name the later fault's time",
         "name: x\nfaults:\n  - {at: 10m, zone_outage: {zone: registry}}\n  - {at: 5m, zone_recovery: {zone: registry}}\n",
         "faults[1].at", "expected faults in time order, got 300 s after 600 s"),
    Case("a fault with two kinds is refused",
         "name: x\nfaults:\n  - {at: 10m, zone_outage: {zone: registry}, node_crash: {node: registry}}\n",
         "faults[0]", f"{FAULT_KINDS_MESSAGE}, got 2"),
    Case("a fault with no kind is refused",
         "name: x\nfaults:\n  - {at: 10m}\n",
         "faults[0]", f"{FAULT_KINDS_MESSAGE}, got 0"),
    Case("a fault naming a node that does not exist is refused",
         "name: x\nfaults:\n  - {at: 10m, node_crash: {node: ghost}}\n",
         "faults[0].node_crash.node", "expected a node of the cluster or 'registry', got 'ghost'"),
    Case("a fault naming a zone that does not exist is refused",
         "name: x\nfaults:\n  - {at: 10m, zone_outage: {zone: mars-1a}}\n",
         "faults[0].zone_outage.zone", "expected a zone of the cluster or 'registry', got 'mars-1a'"),
    Case("an unknown rollout strategy in the inline Config is refused",
         "name: x\nregistry:\n  config: {kind: Config, spec: {replicas: 2, rolloutStrategy: Rolling, storage: {s3: {}}}}\n",
         "registry.config.spec.rolloutStrategy", "expected RollingUpdate or Recreate, got 'Rolling'"),
    Case("an inline Config without replicas is refused",
         "name: x\nregistry:\n  config: {kind: Config, spec: {storage: {s3: {}}}}\n",
         "registry.config.spec.replicas", "required field is missing"),
    Case("both config and config_file are refused",
         f"name: x\nregistry:\n  config: {CONFIG}\n  config_file: config.yaml\n",
         "registry", "expected config or config_file, not both",
         files={"config.yaml": f"{CONFIG}\n"}),
    Case("a cluster with both generate and nodes is refused",
         "name: x\ncluster:\n  generate: {zones: 3}\n  nodes: nodes.yaml\n",
         "cluster", "expected exactly one of generate or nodes"),
    Case("a nodes file that does not exist is reported as that file",
         "name: x\ncluster:\n  nodes: absent-nodes.yaml\n",
         "", "cannot read file", exact=False, source="{tmp}/absent-nodes.yaml"),
    Case("an unsupported openshift value in the file is refused",
         'name: x\nopenshift: "4.9"\n',
         "openshift", "expected 4.21, 4.22 or 4.23, got '4.9'"),
    Case("an unsupported --openshift on the command line is refused",
         "name: x\nduration: 1m\n",
         "", "expected 4.21, 4.22 or 4.23, got '4.9'", source="--openshift", args=("--openshift", "4.9")),
    Case("a scenario that is neither a file nor a built-in is refused",
         "name: x\n",
         "", f"expected a scenario file or a built-in scenario ({', '.join(library_names())})",
         source="no-such-scenario", ref="no-such-scenario"),
    Case("malformed YAML names the line and column",
         "name: x\nfaults: [ {at: 1m\n",
         "line 3 column 1", "malformed YAML: ", exact=False),
    # Capacity: bandwidths (cluster.network, node_network, traffic bandwidths).
    Case("a zero network baseline is refused",
         "name: x\ncluster: {generate: {}, network: {baseline: 0Gbit/s}}\n",
         "cluster.network.baseline", "expected a bandwidth > 0, got '0Gbit/s'"),
    Case("a negative network baseline is refused as negative, not as a missing unit",
         "name: x\ncluster: {generate: {}, network: {baseline: -1.25Gbit/s}}\n",
         "cluster.network.baseline", "expected a bandwidth > 0, got '-1.25Gbit/s'"),
    Case("a negative burst in a node's network is refused",
         "name: x\ncluster: {generate: {}, node_network: {worker-us-east-1a-0: {baseline: 1Gbit/s, burst: -10Gbit/s}}}\n",
         "cluster.node_network['worker-us-east-1a-0'].burst", "expected a bandwidth > 0, got '-10Gbit/s'"),
    Case("a burst below the baseline is refused at the burst",
         "name: x\ncluster: {generate: {}, network: {baseline: 1.25Gbit/s, burst: 1Gbit/s}}\n",
         "cluster.network.burst", "expected a burst of at least the baseline (1.25 Gbit/s), got 1 Gbit/s"),
    Case("a network bandwidth without a unit is refused",
         "name: x\ncluster: {generate: {}, network: {baseline: 156250000}}\n",
         "cluster.network.baseline", f"{BANDWIDTH_UNIT}, got 156250000"),
    Case("a network bandwidth with an unknown unit is refused",
         "name: x\ncluster: {generate: {}, network: {baseline: 1.25GiB/s}}\n",
         "cluster.network.baseline", f"{BANDWIDTH_UNIT}, got '1.25GiB/s'"),
    Case("a network bandwidth with an unknown prefix is refused",
         "name: x\ncluster: {generate: {}, network: {baseline: 1Gbit/s, burst: 1Tbit/s}}\n",
         "cluster.network.burst", f"{BANDWIDTH_UNIT}, got '1Tbit/s'"),
    Case("a negative storage stream bandwidth is refused",
         "name: x\ntraffic: {service: {storage_stream_bandwidth: -90MB/s}}\n",
         "traffic.service.storage_stream_bandwidth", "expected a bandwidth > 0, got '-90MB/s'"),
    Case("a zero client bandwidth is refused",
         "name: x\ntraffic: {clients: {pull: {bandwidth: 0MB/s}}}\n",
         "traffic.clients.pull.bandwidth", "expected a bandwidth > 0, got '0MB/s'"),
    Case("a client bandwidth without a unit is refused: bits or bytes?",
         "name: x\ntraffic: {clients: {push: {bandwidth: 90M}}}\n",
         "traffic.clients.push.bandwidth", f"{BANDWIDTH_UNIT}, got '90M'"),
    Case("a storage stream bandwidth as a bare number is refused",
         "name: x\ntraffic: {service: {storage_stream_bandwidth: 90000000}}\n",
         "traffic.service.storage_stream_bandwidth", f"{BANDWIDTH_UNIT}, got 90000000"),
    # Capacity: CPU.
    Case("a negative CPU time per request kind is refused",
         "name: x\ntraffic: {service: {cpu: {manifest_get: -2ms}}}\n",
         "traffic.service.cpu.manifest_get", f"{CPU_TIME}, got '-2ms'"),
    Case("a negative TLS handshake CPU time is refused",
         "name: x\ntraffic: {service: {tls_handshake: -1ms}}\n",
         "traffic.service.tls_handshake", f"{CPU_TIME}, got '-1ms'"),
    Case("a negative CPU time per byte in nanoseconds is refused",
         "name: x\ntraffic: {service: {cpu_per_byte: -1.5n}}\n",
         "traffic.service.cpu_per_byte", f"{CPU_TIME}, got '-1.5n'"),
    Case("a CPU time per byte that is not a CPU time is refused",
         "name: x\ntraffic: {service: {cpu_per_byte: 1.5 ns/B}}\n",
         "traffic.service.cpu_per_byte", "expected CPU time in core-seconds: a duration such as 2ms or 1.5us, a number "
         "of seconds, or nanoseconds such as 1.5n, got '1.5 ns/B'"),
    Case("a negative workload CPU usage is refused",
         "name: x\nworkloads:\n  - {name: web, replicas: 1, usage: {cpu: -500m}}\n",
         "workloads[0].usage.cpu", f"{NOT_NEGATIVE}, got '-500m'"),
    Case("a negative workload CPU request is refused",
         "name: x\nworkloads:\n  - {name: web, replicas: 1, requests: {cpu: -1}}\n",
         "workloads[0].requests.cpu", f"{NOT_NEGATIVE}, got -1"),
    Case("a workload CPU request whose millicores overflow int64 is refused",
         "name: x\nworkloads:\n  - {name: web, replicas: 1, requests: {cpu: 1E}}\n",
         "workloads[0].requests", "cpu: expected a CPU quantity of at most 9223372036854775 cores (its millicores "
                                  "must fit int64, as MilliValue() returns them), got '1E'"),
    Case("a negative generated worker CPU is refused",
         "name: x\ncluster: {generate: {worker: {cpu: -4}}}\n",
         "cluster.generate.worker.cpu", "expected a quantity that is not negative, got -4"),
    Case("a registry CPU limit of 0 is refused",
         with_resources("{limits: {cpu: 0}}"),
         "registry.config.spec.resources.limits.cpu", "expected a CPU limit > 0, such as 1 or 500m, got 0: a registry "
         "with a CPU limit of 0 cannot run"),
    Case("a negative registry CPU limit is refused",
         with_resources("{limits: {cpu: -1}}"),
         "registry.config.spec.resources.limits.cpu", f"expected a quantity that is not negative, got -1 "
         f"{NEGATIVE_IN_CONFIG}"),
    Case("a registry CPU request of 0 is refused",
         with_resources("{requests: {cpu: '0'}}"),
         "registry.config.spec.resources.requests.cpu", "expected a CPU request > 0, such as 100m (the operator's "
         "default), got '0': a registry requesting no CPU gets almost none on a busy node"),
    Case("a negative registry CPU request is refused",
         with_resources("{requests: {cpu: -100m}}"),
         "registry.config.spec.resources.requests.cpu", f"expected a quantity that is not negative, got '-100m' "
         f"{NEGATIVE_IN_CONFIG}"),
    Case("a registry CPU request above its limit is refused",
         with_resources("{requests: {cpu: '1'}, limits: {cpu: 500m}}"),
         "registry.config.spec.resources.requests.cpu", "expected at most the limit ('500m'), got '1' (Kubernetes "
         "refuses a request above its limit)"),
    # Capacity: memory.
    Case("a zero working set is refused",
         "name: x\ntraffic: {memory: {working_set: 0}}\n",
         "traffic.memory.working_set", "expected a positive whole number of bytes, got 0"),
    Case("a negative request overhead is refused",
         "name: x\ntraffic: {memory: {request_overhead: -64Ki}}\n",
         "traffic.memory.request_overhead", "expected a whole number of bytes >= 0, got '-64Ki'"),
    Case("a negative workload memory usage is refused",
         "name: x\nworkloads:\n  - {name: web, replicas: 1, usage: {memory: -1Gi}}\n",
         "workloads[0].usage.memory", f"{NOT_NEGATIVE}, got '-1Gi'"),
    Case("a registry memory limit of 0 is refused",
         with_resources("{limits: {memory: 0}}"),
         "registry.config.spec.resources.limits.memory", "expected a memory limit > 0, such as 512Mi, got 0: a registry "
         "with a memory limit of 0 cannot run"),
    Case("a negative registry memory limit is refused",
         with_resources("{limits: {memory: -512Mi}}"),
         "registry.config.spec.resources.limits.memory", f"expected a quantity that is not negative, got '-512Mi' "
         f"{NEGATIVE_IN_CONFIG}"),
    Case("a registry memory limit below the default working set is refused",
         with_resources("{limits: {memory: 100M}}"),
         "registry.config.spec.resources.limits.memory",
         BELOW_WORKING_SET.format(working_set="128Mi (134217728 bytes)", limit="'100M'", limit_bytes=100000000)),
    Case("a registry memory limit below the scenario's working set is refused",
         with_resources("{limits: {memory: 512Mi}}") + "traffic: {memory: {working_set: 1Gi}}\n",
         "registry.config.spec.resources.limits.memory",
         BELOW_WORKING_SET.format(working_set="1Gi (1073741824 bytes)", limit="'512Mi'", limit_bytes=512 << 20)),
    Case("a memory limit below the working set in a config_file is reported in that file",
         "name: x\nregistry: {config_file: config.yaml}\n",
         "spec.resources.limits.memory",
         BELOW_WORKING_SET.format(working_set="128Mi (134217728 bytes)", limit="'64Mi'", limit_bytes=64 << 20),
         source="{tmp}/config.yaml",
         files={"config.yaml": "kind: Config\nspec: {replicas: 2, storage: {s3: {}}, resources: {limits: {memory: 64Mi}}}\n"}),
    Case("a config_edit lowering the memory limit below the working set is refused at the edit",
         "name: x\nduration: 10m\nfaults:\n  - {at: 5m, config_edit: {patch: {spec: {resources: {limits: {memory: 64Mi}}}}}}\n",
         "faults[0].config_edit.patch.spec.resources.limits.memory",
         BELOW_WORKING_SET.format(working_set="128Mi (134217728 bytes)", limit="'64Mi'", limit_bytes=64 << 20)),
    Case("a config_edit setting a CPU limit of 0 is refused at the edit",
         "name: x\nduration: 10m\nfaults:\n  - {at: 5m, config_edit: {patch: {spec: {resources: {limits: {cpu: 0}}}}}}\n",
         "faults[0].config_edit.patch.spec.resources.limits.cpu", "expected a CPU limit > 0, such as 1 or 500m, got 0: "
         "a registry with a CPU limit of 0 cannot run"),
    # Capacity: instance types and node networks.
    Case("an unknown generated worker instance type is refused",
         "name: x\ncluster: {generate: {worker: {instance_type: m99.huge}}}\n",
         "cluster.generate.worker.instance_type", unknown_type("m99.huge")),
    Case("a misspelled generated worker instance type is refused with the closest names",
         "name: x\ncluster: {generate: {worker: {instance_type: m5.xlarg}}}\n",
         "cluster.generate.worker.instance_type", "got 'm5.xlarg' (close: m5.xlarge", exact=False),
    Case("a node file naming an unknown instance type without a network is refused in the node file",
         "name: x\ncluster: {nodes: nodes.yaml}\n",
         "items[1].metadata.labels['node.kubernetes.io/instance-type']", unknown_type("bare-metal-gen2", "n1"),
         source="{tmp}/nodes.yaml", files={"nodes.yaml": node_list("bare-metal-gen2")}),
    Case("a node file naming an unknown instance type is refused when only another node's network is given",
         "name: x\ncluster: {nodes: nodes.yaml, node_network: {n0: {baseline: 10Gbit/s}}}\n",
         "items[1].metadata.labels['node.kubernetes.io/instance-type']", unknown_type("bare-metal-gen2", "n1"),
         source="{tmp}/nodes.yaml", files={"nodes.yaml": node_list("bare-metal-gen2")}),
    Case("generated worker labels naming an unknown instance type without a network are refused",
         "name: x\ncluster: {generate: {worker: {labels: {node.kubernetes.io/instance-type: m99.huge}}}}\n",
         "cluster.generate.worker.labels['node.kubernetes.io/instance-type']",
         unknown_type("m99.huge", "worker-us-east-1a-0")),
    Case("an added node naming an unknown instance type without a network is refused",
         "name: x\nfaults:\n  - {at: 1m, add_node: {name: edge-0, zone: us-east-1a, "
         "labels: {node.kubernetes.io/instance-type: bare-metal-gen2}}}\n",
         "faults[0].add_node.labels['node.kubernetes.io/instance-type']", unknown_type("bare-metal-gen2", "edge-0")),
    Case("a node network for a node the cluster does not have is refused",
         "name: x\ncluster: {generate: {}, node_network: {worker-us-east-1z-0: {baseline: 1Gbit/s}}}\n",
         "cluster.node_network['worker-us-east-1z-0']", "expected the name of a node of the cluster, or of a node an "
         "add_node fault adds, got 'worker-us-east-1z-0'"),
    # Capacity: object-store ceilings.
    Case("a read rate given with a k suffix is refused",
         'name: x\ntraffic: {storage: {read_rate: "5.5k"}}\n',
         "traffic.storage.read_rate", f"{REQUEST_RATE_TEXT}, got '5.5k'"),
    Case("a write rate given with a unit is refused",
         'name: x\ntraffic: {storage: {write_rate: "3500/s"}}\n',
         "traffic.storage.write_rate", f"{REQUEST_RATE_TEXT}, got '3500/s'"),
    Case("a zero read rate is refused",
         "name: x\ntraffic: {storage: {read_rate: 0}}\n",
         "traffic.storage.read_rate", "expected a number of requests per second > 0, got 0"),
    Case("a negative write rate is refused",
         "name: x\ntraffic: {storage: {write_rate: -3500}}\n",
         "traffic.storage.write_rate", "expected a number of requests per second > 0, got -3500"),
    Case("a split delay that is not a duration is refused",
         "name: x\ntraffic: {storage: {split_after: soon}}\n",
         "traffic.storage.split_after", "expected a duration such as 90s, 10m or 1h30m, got 'soon'"),
    Case("more partitions than max_partitions are refused",
         "name: x\ntraffic: {storage: {partitions: 8, max_partitions: 4}}\n",
         "traffic.storage", "partitions: expected at most max_partitions (4), got 8"),
]


def write_case(case: Case, tmp_path) -> tuple[str, str]:
    """Write the case's files; returns (the SCENARIO argument, the expected source)."""
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(case.text)
    for name, text in case.files.items():
        (tmp_path / name).write_text(text)
    values = {"scenario": scenario, "tmp": tmp_path}
    return case.ref.format(**values), case.source.format(**values)


def assert_one_line_error(err: str, source: str, path: str, message: str, exact: bool) -> None:
    prefix = "twin: error: " + ": ".join(p for p in (source, path) if p) + ": "
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    if exact:
        assert err == f"{prefix}{message}\n"
    else:
        assert err.startswith(prefix), err
        assert message in err[len(prefix):]


@pytest.mark.parametrize("out_exists", [False, True], ids=["--out absent", "--out existing and empty"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_scenario_input_is_one_line_with_exit_code_2_and_nothing_written(capsys, tmp_path, monkeypatch, case,
                                                                             out_exists):
    monkeypatch.chdir(tmp_path)
    ref, source = write_case(case, tmp_path)
    out = tmp_path / "out"
    if out_exists:
        out.mkdir()
    target = out if out_exists else out / "run"  # a missing --out, with a missing parent too
    code, stdout, err = twin(capsys, "run", ref, "--out", str(target), *case.args)
    assert code == 2
    assert stdout == ""
    assert_one_line_error(err, source, case.path, case.message, case.exact)
    if out_exists:
        assert list(out.iterdir()) == []
    else:
        assert not out.exists()


def test_an_out_path_that_is_a_file_is_refused_and_left_unchanged(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 1m\n")
    out = tmp_path / "out"
    out.write_text("keep me\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--out", str(out))
    assert code == 2 and stdout == ""
    assert err == f"twin: error: --out: expected a directory, got the file {str(out)!r}\n"
    assert out.read_text() == "keep me\n"


SUBPROCESS_CASES = [c for c in CASES if c.name in ("faults out of time order name the later fault's time",
                                                  "a fault naming a node that does not exist is refused")]


assert len(SUBPROCESS_CASES) == 2


@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=[c.name for c in SUBPROCESS_CASES])
def test_the_installed_command_prints_one_line_and_no_traceback(tmp_path, case):
    ref, source = write_case(case, tmp_path)
    out = tmp_path / "out"
    done = twin_process("run", ref, "--out", str(out))
    assert done.returncode == 2 and done.stdout == ""
    assert_one_line_error(done.stderr, source, case.path, case.message, case.exact)
    assert not out.exists()


# Bugs found while writing these tests: each test states the behaviour expected.


def test_a_bad_workload_quantity_is_reported_with_its_field_path(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 1m\nworkloads:\n  - {name: web, replicas: 1, requests: {cpu: lots}}\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err == (f"twin: error: {scenario}: workloads[0].requests.cpu: "
                   "expected a Kubernetes quantity such as 100m, 256Mi, 4 or 16Gi, got 'lots'\n")
    assert not (tmp_path / "out").exists()


def test_a_bad_workload_spread_constraint_is_reported_with_its_field_path(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 1m\nworkloads:\n"
                        "  - {name: web, replicas: 1, topology_spread_constraints: [{maxSkew: 1}]}\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err.startswith(f"twin: error: {scenario}: workloads[0].topology_spread_constraints[0].")
    assert "required field is missing" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_negative_seed_on_the_command_line_is_refused(capsys, tmp_path):
    code, stdout, err = twin(capsys, "run", "zone-failure", "--seed", "-1", "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err.startswith("twin: error: --seed: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_negative_seed_in_the_file_is_refused(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nseed: -1\nduration: 1m\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err.startswith(f"twin: error: {scenario}: seed: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_an_infinite_duration_is_refused_when_the_scenario_is_loaded(tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: .inf\n")
    with pytest.raises(InputError) as error:
        load_scenario(str(scenario))
    assert (error.value.source, error.value.path) == (str(scenario), "duration")


def test_a_nan_duration_is_refused(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: .nan\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err.startswith(f"twin: error: {scenario}: duration: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_nan_fault_time_is_refused(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 1m\nfaults:\n  - {at: .nan, node_crash: {node: registry}}\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err.startswith(f"twin: error: {scenario}: faults[0].at: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_pods_next_to_a_generated_cluster_are_refused(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 1m\ncluster:\n  generate: {zones: 3}\n  pods: absent-pods.yaml\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    prefix = f"twin: error: {scenario}: "
    assert err.startswith(f"{prefix}cluster") and "pods" in err[len(prefix):] and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_an_invalid_config_edit_patch_names_the_scenario_file_and_the_fault(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 5m\nfaults:\n"
                        "  - {at: 1m, config_edit: {patch: {spec: {rolloutStrategy: Rolling}}}}\n")
    code, stdout, err = twin(capsys, "run", str(scenario), "--out", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert err.startswith(f"twin: error: {scenario}: faults[0].config_edit")
    assert "expected RollingUpdate or Recreate, got 'Rolling'" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_an_unquoted_openshift_version_is_accepted_or_refused_with_a_message_asking_for_quotes(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 1m\nopenshift: 4.22\n")
    out = tmp_path / "out"
    code, _, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(out))
    if code == 2:
        prefix = f"twin: error: {scenario}: openshift: "
        assert err.startswith(prefix)
        message = err[len(prefix):]
        assert "quote" in message or "string" in message
    else:
        assert code == 0
        assert json.loads((out / "summary.json").read_text())["openshift"] == "4.22"


# The capacity fields used correctly: accepted, and the run completes.

CAPACITY_SCENARIO = """\
name: capacity-fields
seed: 3
duration: 5m
cluster:
  generate: {zones: 2, workers_per_zone: 1, control_plane: 1, worker: {instance_type: m6i.xlarge}}
  network: {baseline: 1.25Gbit/s, burst: 10Gbps, burst_for: 5m}
  node_network:
    worker-us-east-1a-0: {baseline: 156MB/s}
registry:
  config:
    kind: Config
    spec:
      replicas: 2
      storage: {s3: {chunkSizeMiB: 16}}
      resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {cpu: "2", memory: 512Mi}}
workloads:
  - {name: web, replicas: 2, requests: {cpu: 200m, memory: 256Mi}, usage: {cpu: 500m, memory: 1Gi}}
traffic:
  warm_up: 30s
  background:
    pulls: {constant: 2}
    pushes: {ramp: {from: 0, to: 0.5, begin: 1m, end: 4m}}
    images_per_session: 2
  clients:
    kubelet: {attempts: 5, honour_retry_after: true, lanes: 6}
    pull: {attempts: 3, initial_backoff: 1s, max_backoff: 30s, think: 10ms, bandwidth: 90MB/s}
    push: {lanes: 2}
  service: {cpu: {manifest_get: 2ms, blob_get: 0}, storage_stream_bandwidth: 720Mbit/s, tls_handshake: 1ms, cpu_per_byte: 1.5n}
  memory: {working_set: 200Mi, request_overhead: 64Ki}
  storage: {read_rate: 5500, write_rate: 3500.5, partitions: 2, max_partitions: 64, split_after: 5m, max_retries: 3}
faults:
  - {at: 3m, config_edit: {patch: {spec: {resources: {limits: {memory: 1Gi}}}}}}
"""


def test_a_scenario_using_the_capacity_fields_correctly_runs(capsys, tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(CAPACITY_SCENARIO)
    out = tmp_path / "out"
    code, _, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(out))
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "capacity-fields" and summary["requests"]["issued"] > 0


@pytest.mark.parametrize("cluster, edge_type", [
    ("{nodes: nodes.yaml, network: {baseline: 2.5Gbit/s, burst: 10Gbit/s}}", "bare-metal-gen2"),
    ("{nodes: nodes.yaml, node_network: {n1: {baseline: 2.5Gbit/s}}}", "bare-metal-gen2"),
    ("{nodes: nodes.yaml}", None),  # no label: ROSA's m5.xlarge, as documented
    ("{nodes: nodes.yaml}", "m6i.2xlarge"),
], ids=["unknown type, cluster.network", "unknown type, its node_network", "no instance-type label", "known type"])
def test_nodes_whose_network_the_twin_knows_are_accepted(capsys, tmp_path, cluster, edge_type):
    (tmp_path / "nodes.yaml").write_text(node_list(edge_type))
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(f"name: x\nduration: 1m\ncluster: {cluster}\n")
    code, _, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code == 0, err


def test_a_node_network_for_a_node_a_fault_adds_is_accepted(tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: x\nduration: 5m\ncluster: {generate: {}, node_network: {edge-0: {baseline: 2.5Gbit/s}}}\n"
                        "faults:\n  - {at: 1m, add_node: {name: edge-0, zone: us-east-1a, "
                        "labels: {node.kubernetes.io/instance-type: bare-metal-gen2}}}\n")
    assert load_scenario(str(scenario)).spec.cluster.node_network["edge-0"].baseline == 2.5e9 / 8


@pytest.mark.parametrize("name", ["../../escaped", "a/b", "a\\0b", "", ".hidden", "x" * 101])
def test_a_scenario_name_that_is_not_a_safe_folder_name_is_refused(tmp_path, capsys, name):
    """The name becomes `reports/<name>` or `sweeps/<name>`: a path separator, `..`, NUL or
    an empty name would write elsewhere (issue: hostile input, "names are not paths")."""
    (tmp_path / "scenario.yaml").write_text(f'name: "{name}"\nduration: 1m\n')
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = twin(capsys, "run", str(tmp_path / "scenario.yaml"), "--report", "--quiet")
    assert code == 2 and err.count("\n") == 1 and "name: expected a name usable as a folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
