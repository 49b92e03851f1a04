"""The image pruner's figures for summary.json (`sim/pruner.py`): its Jobs and runs, what
they removed and sent, its conditions and the operator's install-status metric (CIRO
`image_registry_operator_image_pruner_install_status`; the twin has no operator metrics
endpoint, so the gauge's value is reported here)."""

from __future__ import annotations

from collections.abc import Sequence

INSTALL_STATUS = "image_registry_operator_image_pruner_install_status"


def pruner_kpis(records: Sequence, store) -> dict | None:
    """None when the scenario has no pruner."""
    status = store.get("ImagePrunerStatus", "cluster")
    if status is None:
        return None
    runs = [r.details for r in records if r.kind == "PrunerRun"]
    jobs = [r.details for r in records if r.kind == "PrunerJobFinished"]
    answers: dict[str, int] = {}
    for run in runs:
        for code, n in run["answers"].items():
            answers[code] = answers.get(code, 0) + n
    return {
        "metrics": {INSTALL_STATUS: status.install_status},
        "jobs": {"started": sum(r.kind == "PrunerJobStarted" for r in records),
                 "complete": sum(j["status"] == "Complete" for j in jobs),
                 "failed": sum(j["status"] == "Failed" for j in jobs)},
        "runs": len(runs),
        "revisions_removed": sum(r["revisions_removed"] for r in runs),
        "images_deleted": sum(r["images_deleted"] for r in runs),
        "deletes_sent": sum(r["deletes"] for r in runs),
        "delete_answers": dict(sorted(answers.items())),
        "delete_errors": sum(r["errors"] for r in runs),
        "conditions": {c.type: {"status": c.status, "reason": c.reason} for c in status.conditions},
    }
