"""`twin import`: a real cluster as a scenario folder, from a must-gather or from
`oc get -o yaml` dumps (twin/importing/)."""

from __future__ import annotations

import argparse

from twin.cli.inputs import name_option, version_option
from twin.cli.outputs import folder_output
from twin.importing import compose, publish, read_dump, read_must_gather
from twin.importing.publish import FILES, check_out

EXAMPLES = """examples:
  twin import must-gather must-gather.local.5501/ --out scenarios/prod
  twin import dump nodes-and-pods.yaml --out scenarios/prod --openshift 4.22
  twin run scenarios/prod/scenario.yaml
"""
SOURCES = {
    "must-gather": (read_must_gather, "DIR", "an `oc adm must-gather` folder (or the quay-io-... image folder in it)"),
    "dump": (read_dump, "FILE_OR_DIR", "`oc get ... -o yaml|json` output: a List/NodeList/PodList file or a folder"),
}


def register(commands) -> None:
    parser = commands.add_parser(
        "import", help="turn a real cluster (must-gather or oc get dumps) into a scenario folder",
        description="Write a scenario folder (scenario.yaml, nodes.yaml, pods.yaml, config.yaml) with the cluster's "
                    "real nodes, the pods running on them and its registry Config, for `twin run`. The registry's own "
                    "pods and node-ca's are not copied (the twin's operator creates them), nor finished or unbound "
                    "pods; scenario.yaml's header lists everything left out and why. Exit code 0, 2 on bad input "
                    "(then nothing is written). Each SOURCE takes --out DIR, --force, --name, --openshift and "
                    "--quiet (twin import must-gather --help).",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sources = parser.add_subparsers(dest="source", metavar="SOURCE", required=True)
    for name, (_, metavar, text) in SOURCES.items():
        sub = sources.add_parser(name, help=f"import {text}", description=f"Import {text}.",
                                 epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("path", metavar=metavar, help=text)
        sub.add_argument("--out", required=True, metavar="DIR", help="the scenario folder to write (new or empty)")
        sub.add_argument("--force", action="store_true",
                         help="write into a folder that has files: replace the import's four files, keep the rest")
        sub.add_argument("--name", metavar="NAME", help="the scenario's name (default: the --out folder's name)")
        sub.add_argument("--openshift", metavar="VERSION",
                         help="4.21, 4.22 or 4.23 (default: the cluster's version, or the closest the twin models)")
        sub.add_argument("--quiet", action="store_true", help="print nothing")
        sub.set_defaults(run=run)


def run(args) -> int:
    if args.openshift is not None:
        version_option(args.openshift)
    read = SOURCES[args.source][0]
    out = folder_output("--out", args.out, files=FILES)
    check_out(out, args.force)
    name = args.name if args.name is not None else out.resolve().name  # the folder's name by default
    name_option("--name" if args.name is not None else "--out", name)
    imported = compose(read(args.path), name, args.openshift, args.source)
    written = publish(imported, out, args.force)
    if not args.quiet:
        for line in imported.summary:
            print(line)
        print(f"wrote {', '.join(p.name for p in written)} to {out}/ (what was left out: the header of scenario.yaml)")
        print(f"run it: twin run {out / 'scenario.yaml'}")
    return 0
