"""Importing a real cluster into a scenario folder (`twin import`).

* `layout`: where an OpenShift must-gather keeps the nodes, pods, registry Config,
  Deployments and ClusterVersion (as `oc adm inspect` writes them);
* `dump`: `oc get ... -o yaml|json` output, one file or a folder of them;
* `found`: what was read (`Found`), checked with the twin's manifest schemas;
* `choose`: which pods become existing pods of the scenario and why the others do not;
* `compose`: the scenario folder's files, with a header saying what was left out;
* `publish`: checking the folder loads, then writing it into `--out` without losing
  what is there.
"""

from twin.importing.compose import Imported, compose
from twin.importing.dump import read_dump
from twin.importing.layout import read_must_gather
from twin.importing.publish import publish

__all__ = ["Imported", "compose", "publish", "read_dump", "read_must_gather"]
