"""SHA-256 of each built-in's events (`events.csv` as `twin run` writes it: every record,
the request totals among them) on 4.23, recorded before an optimisation, so that a test
(`test_library.py`) can show the optimisation left every output as it was.

Record them again only for a deliberate change of the outputs, and say which in the commit:

    .venv/bin/python tests/sim/builtin_digests.py > tests/sim/builtin_digests.json
"""

from __future__ import annotations

import hashlib
import json
import sys

from twin.analysis.summary import events_frame


def digest(records) -> str:
    return hashlib.sha256(events_frame(records).to_csv(index=False, lineterminator="\n").encode()).hexdigest()


def main() -> int:
    from twin.run import run_scenario
    from twin.scenarios.load import library_names, load_scenario

    slow = {"saturation-ramp"}
    digests = {name: digest(run_scenario(load_scenario(name), openshift="4.23").records)
               for name in library_names() if name not in slow}
    json.dump(digests, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
