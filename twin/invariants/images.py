"""Invariants of image streams: what a moved tag sets off finishes."""

from __future__ import annotations

from collections.abc import Sequence

from twin.invariants.verdict import Verdict

DEFAULT_WITHIN = 1800.0


def triggered_rollouts_complete(records: Sequence, params) -> Verdict:
    """Every rollout an image-change trigger started (`TriggeredRollout`) completes — its
    Deployment's Progressing reason becomes NewReplicaSetAvailable at that generation or
    later — within `within` seconds (default 30 min); vacuous when no trigger fired."""
    within = params.within if params.within is not None else DEFAULT_WITHIN
    started = [r for r in records if r.kind == "TriggeredRollout"]
    if not started:
        return Verdict.nothing_to_check("triggered_rollouts_complete", "no image-change trigger fired", {"rollouts": 0})
    completions: dict[str, list] = {}
    for r in records:
        if r.kind == "DeploymentProgressing" and r.details.get("reason") == "NewReplicaSetAvailable":
            completions.setdefault(r.subject, []).append(r)
    durations = [_completion(completions.get(r.subject, ()), r) for r in started]
    late = [(r, d) for r, d in zip(started, durations) if d is None or d > within]
    finished = sorted(d for d in durations if d is not None)
    evidence = {"rollouts": len(started), "completed": len(finished), "bound_seconds": within,
                "slowest_seconds": finished[-1] if finished else None,
                "median_seconds": finished[len(finished) // 2] if finished else None}
    if late:
        r, d = late[0]
        detail = (f"{len(late)} of {len(started)} triggered rollouts took longer than {within:.0f} s; first: "
                  f"{r.subject} at t={r.time:.0f}s " + ("never completed" if d is None else f"took {d:.0f} s"))
        return Verdict("triggered_rollouts_complete", False, detail, {**evidence, "first_late": r.subject})
    return Verdict("triggered_rollouts_complete", True,
                   f"{len(started)} triggered rollouts completed, the slowest in {finished[-1]:.0f} s", evidence)


def _completion(completions: Sequence, trigger) -> float | None:
    """Seconds from the trigger to its Deployment's first completion at that generation."""
    for r in completions:
        if r.time >= trigger.time and r.details.get("generation", 0) >= trigger.details["generation"]:
            return r.time - trigger.time
    return None


def no_remote_refusals(records: Sequence, params) -> Verdict:
    """No call to a remote registry is refused by its pull limit (429) — imports and
    pull-through manifest GETs alike — beyond `max_fraction` (default 0) of the calls the
    limit counts (manifest GETs); vacuous when the scenario asked no remote."""
    totals = [r for r in records if r.kind == "ImportTotals"]
    if not totals:
        return Verdict.nothing_to_check("no_remote_refusals", "the scenario has no remote registry", {"calls": 0})
    bound = params.max_fraction if params.max_fraction is not None else 0.0
    by_remote: dict[str, dict[str, int]] = {}
    counted = refused = 0
    for host, calls in totals[-1].details["remotes"].items():
        for key, n in calls.items():
            what, outcome = key.split("/")
            if what not in ("manifest", "import"):
                continue
            counted += n
            if outcome == "TOO_MANY":
                refused += n
                by_remote.setdefault(host, {})[what] = by_remote.get(host, {}).get(what, 0) + n
    evidence = {"counted_calls": counted, "refused": refused, "bound": bound, "by_remote": by_remote}
    if not counted:
        return Verdict.nothing_to_check("no_remote_refusals", "no manifest was asked of a remote", evidence)
    fraction = refused / counted
    evidence["fraction"] = round(fraction, 6)
    first = next((r for r in records if r.kind == "ImportFailed" and r.details.get("code") == 429), None)
    detail = f"{refused} of {counted} manifest GETs to remote registries refused with 429"
    if first is not None:
        detail += f" (first import refused: {first.subject} at t={first.time:.0f}s)"
    return Verdict("no_remote_refusals", fraction <= bound, detail, evidence)


def pruner_jobs_complete(records: Sequence, params) -> Verdict:
    """Every image pruner Job that started (`PrunerJobStarted`) finishes Complete — on a
    retry of the wrapper if need be — before the run ends; vacuous when no Job ran. A Job
    whose every attempt had a refused DELETE (429, 401, 5xx) is Failed: the ImagePruner
    goes Degraded (JobFailed) and so does the ClusterOperator (ImagePrunerJobFailed)."""
    started = [r.subject for r in records if r.kind == "PrunerJobStarted"]
    if not started:
        return Verdict.nothing_to_check("pruner_jobs_complete", "no pruner Job ran", {"jobs": 0})
    finished = {r.subject: r.details for r in records if r.kind == "PrunerJobFinished"}
    runs = [r.details for r in records if r.kind == "PrunerRun"]
    evidence = {"jobs": len(started), "complete": sum(f["status"] == "Complete" for f in finished.values()),
                "attempts": sum(f["attempts"] for f in finished.values()),
                "refused_deletes": sum(r["errors"] for r in runs)}
    bad = [job for job in started if finished.get(job, {}).get("status") != "Complete"]
    if bad:
        status = finished.get(bad[0], {}).get("status", "still running at the end")
        return Verdict("pruner_jobs_complete", False, f"{len(bad)} of {len(started)} pruner Jobs did not complete; "
                       f"first: {bad[0]} ({status})", {**evidence, "first_failed": bad[0]})
    return Verdict("pruner_jobs_complete", True, f"{len(started)} pruner Jobs completed in {evidence['attempts']} "
                   f"attempts ({evidence['refused_deletes']} refused DELETEs retried)", evidence)
