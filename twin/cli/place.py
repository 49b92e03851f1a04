"""`twin place`: render the registry and schedule its replicas in order."""

from __future__ import annotations

import argparse
from importlib import resources

from twin.cli.inputs import cluster_inputs, version_option, write_json
from twin.cli.problems import raise_first_problem
from twin.cli.terminal import add_quiet_option
from twin.model.registry import load_registry_config
from twin.place import place_registry
from twin.report.placement import placement_document, placement_text
from twin.model.bounds import check_seed

EXAMPLES = """examples:
  twin place                                   # the bundled example cluster and default ROSA Config
  twin place --config config.yaml --nodes nodes.json --pods pods.json --openshift 4.22
"""


def example(name: str) -> str:
    return str(resources.files("twin.scenarios").joinpath("examples", name))


DEFAULT_CONFIG = "rosa-default-config.yaml"
DEFAULT_NODES = "cluster-3-zones.yaml"


def register(commands) -> None:
    parser = commands.add_parser(
        "place", help="place the registry's replicas on a cluster and explain each decision",
        description="Render the image-registry Deployment and schedule its replicas one by one, "
                    "each seeing the ones before, printing the placement and the per-node reasons.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", metavar="FILE", help="registry Config CR (default: the bundled ROSA default)")
    parser.add_argument("--nodes", metavar="FILE",
                        help="nodes (default: bundled example, 3 zones x 2 workers + 3 control-plane nodes)")
    parser.add_argument("--pods", metavar="FILE", help="pods already running (default: none)")
    parser.add_argument("--objects", action="append", default=[], metavar="FILE",
                        help="Services, owners, Namespaces, PersistentVolumeClaims, PersistentVolumes, "
                             "StorageClasses, CSINodes (repeatable)")
    parser.add_argument("--openshift", default="4.23", metavar="VERSION", help="4.21, 4.22 or 4.23 (default 4.23)")
    parser.add_argument("--seed", type=int, default=0, help="seed for pod names and tie-breaking (default 0)")
    parser.add_argument("--output", choices=("table", "json"), default="table")
    add_quiet_option(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    check_seed(args.seed, "--seed")
    config_file = args.config or example(DEFAULT_CONFIG)
    config = load_registry_config(config_file)
    cluster = cluster_inputs(args.nodes or example(DEFAULT_NODES), args.pods, args.objects)
    version = version_option(args.openshift)
    placement = place_registry(
        config, cluster.nodes, version, cluster.pods, cluster.services, cluster.workloads,
        cluster.namespaces, cluster.registry_claims(), seed=args.seed, storage=cluster.storage(),
    )
    raise_first_problem(config_file, placement.problems)
    if args.quiet:
        return 0
    if args.output == "json":
        write_json(placement_document(placement, version.name))
    else:
        print(placement_text(placement, version.name))
    return 0
