"""`twin explain`: one scheduling cycle for a pod, with every plugin's verdict per node."""

from __future__ import annotations

import argparse

import numpy as np

from twin.cli.inputs import cluster_inputs, write_json
from twin.cli.terminal import add_quiet_option
from twin.model.cluster import ClusterView
from twin.model.kube_io.load import load_single_pod
from twin.model.scheduling import SchedulerConfig, schedule_one
from twin.model.scheduling.inputs import leave_out_scheduled
from twin.model.scheduling.preemption import post_filter
from twin.model.scheduling.priority import PriorityClasses
from twin.report.explain import explain_document, explain_table
from twin.model.bounds import check_seed

EXAMPLES = """examples:
  twin explain --nodes nodes.json --pods pods.json --pod pending-pod.yaml
  twin explain --nodes nodes.yaml --pod pod.yaml --objects services.yaml --output json
"""


def register(commands) -> None:
    parser = commands.add_parser(
        "explain", help="explain where a pod would be scheduled and why",
        description="Run one kube-scheduler cycle for --pod against the cluster and show every "
                    "filter plugin's verdict and every score per node.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--nodes", required=True, metavar="FILE", help="Node, NodeList or List (JSON/YAML)")
    parser.add_argument("--pods", metavar="FILE", help="existing pods (bound to nodes); default: none")
    parser.add_argument("--pod", required=True, metavar="FILE", help="the pod to schedule")
    parser.add_argument("--objects", action="append", default=[], metavar="FILE",
                        help="more objects the cycle reads: Services, ReplicaSets, StatefulSets, Namespaces, "
                             "PersistentVolumeClaims, PersistentVolumes, StorageClasses, CSINodes (repeatable)")
    parser.add_argument("--output", choices=("table", "json"), default="table")
    parser.add_argument("--seed", type=int, default=0, help="seed of the tie-breaking stream (default 0)")
    add_quiet_option(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    check_seed(args.seed, "--seed")
    cluster = cluster_inputs(args.nodes, args.pods, args.objects)
    pod = with_system_priority(load_single_pod(args.pod))
    pods, notes = leave_out_scheduled([with_system_priority(p) for p in cluster.pods], [pod])
    view = ClusterView(cluster.nodes, pods, cluster.services, cluster.workloads, cluster.namespaces,
                       cluster.storage())
    result = schedule_one(view, pod, SchedulerConfig(), np.random.default_rng(args.seed), score_all=True)
    preemption = None
    if result.selected is None:  # PostFilter: what DefaultPreemption would do (no PDBs are read)
        preemption = post_filter(view, result, SchedulerConfig(), rng=np.random.default_rng(args.seed))
    if args.quiet:
        return 0
    if args.output == "json":
        write_json(explain_document(result, notes, preemption))
    else:
        print(explain_table(result, notes, preemption=preemption))
    return 0


def with_system_priority(pod):
    """A pod whose priority the inputs leave unset gets its system class's value
    (system-cluster-critical, system-node-critical), as the Priority admission plugin
    would; other classes are not read, so such a pod keeps priority 0."""
    if pod.priority is None and PriorityClasses().get(pod.priority_class_name or "") is not None:
        return PriorityClasses().admit(pod)
    return pod
