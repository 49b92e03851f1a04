"""The report's preemptions: who preempted whom, where and when (`Preempted` records of
the scheduler's DefaultPreemption, `twin/sim/preemption.py`)."""

from __future__ import annotations

from collections.abc import Sequence

from twin.report.tables import Table, clock


def preemption_table(records: Sequence) -> Table | None:
    """One row per preemption; None when the run had none."""
    rows = tuple((clock(r.time), r.subject, r.details.get("node", ""), ", ".join(r.details.get("victims", ())),
                  str(r.details.get("pdb_violations", 0)))
                 for r in records if r.kind == "Preempted")
    if not rows:
        return None
    return Table("preemptions", ("time", "preemptor (nominated to the node)", "node", "victims (deleted gracefully)",
                                 "PDB violations"), rows)
