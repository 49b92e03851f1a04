"""`twin render`: the Deployment and PodDisruptionBudget the operator would create, and its
Routes (`defaultRoute`, `spec.routes[]`) as `oc get route -o yaml` shows them, hosts the
API server generates included."""

from __future__ import annotations

import argparse

from twin.cli.inputs import cluster_inputs, version_option, write_json, write_yaml
from twin.cli.problems import raise_first_problem
from twin.cli.terminal import add_quiet_option
from twin.model.kube_io.dump import list_manifest
from twin.errors import InputError
from twin.model.registry import load_registry_config, render_registry, validate
from twin.model.registry.routes import DEFAULT_APPS_DOMAIN, invalid_host, operator_routes

EXAMPLES = """examples:
  twin render --config config.yaml --nodes nodes.json
  twin render --config config.yaml --nodes nodes.json --openshift 4.22 --output json
"""


def register(commands) -> None:
    parser = commands.add_parser(
        "render", help="render the image-registry Deployment, PDB and Routes for a Config",
        description="Render the operands the Image Registry Operator creates for a "
                    "configs.imageregistry.operator.openshift.io Config on these nodes.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", required=True, metavar="FILE", help="the registry Config CR (YAML/JSON)")
    parser.add_argument("--nodes", required=True, metavar="FILE", help="the cluster's nodes")
    parser.add_argument("--objects", action="append", default=[], metavar="FILE",
                        help="PersistentVolumeClaims for pvc storage checks (repeatable)")
    parser.add_argument("--openshift", default="4.23", metavar="VERSION", help="4.21, 4.22 or 4.23 (default 4.23)")
    parser.add_argument("--apps-domain", default=DEFAULT_APPS_DOMAIN, metavar="DOMAIN",
                        help=f"the cluster's ingress domain, for the hosts of routes without one (default "
                             f"{DEFAULT_APPS_DOMAIN})")
    parser.add_argument("--output", choices=("yaml", "json"), default="yaml")
    add_quiet_option(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    config = load_registry_config(args.config)
    cluster = cluster_inputs(args.nodes, None, args.objects)
    version = version_option(args.openshift)
    raise_first_problem(args.config, validate(config, cluster.registry_claims()))
    problem = invalid_host(args.apps_domain)
    if problem is not None:
        raise InputError("--apps-domain", args.apps_domain, f"expected a DNS name: {problem}")
    rendered = render_registry(config, cluster.nodes, version)
    routes = [route.manifest() for route in operator_routes(config, args.apps_domain)]
    documents = [rendered.deployment, rendered.pdb, *routes]
    if args.quiet:
        return 0
    if args.output == "json":
        write_json(list_manifest(documents))
    else:
        write_yaml(documents)
    return 0
