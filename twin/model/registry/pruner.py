"""The ImagePruner custom resource, the CronJob the operator makes of it, the pruner's
status conditions and its install-status metric, as pure functions.

* **Bootstrap** (CIRO `pkg/operator/controllerimagepruner.go` `Bootstrap`, lines 44-47 and
  194-200): `imagepruners/cluster` is created with suspend false, keepTagRevisions 3,
  successfulJobsHistoryLimit and failedJobsHistoryLimit 3 and
  ignoreInvalidImageReferences true.
* **CronJob** (`pkg/resource/prunercronjob.go` `expected`, defaults lines 28-40): schedule
  `0 0 * * *` when empty, keepYoungerThan `60m` when neither keepYoungerThanDuration nor
  the deprecated keepYoungerThan is set, requests cpu 100m and memory 256Mi,
  ConcurrencyPolicy Forbid, StartingDeadlineSeconds 3600, BackoffLimit 0, RestartPolicy
  Never, priority class `system-cluster-critical`, service account `pruner`. The container
  runs `oc adm prune images --confirm=true ... --keep-tag-revisions=N --keep-younger-than=D
  --ignore-invalid-refs=B` plus the registry arguments (`operands.prune_registry_args`)
  under a shell wrapper that retries: one run, then up to 5 more after sleeping 30 s x the
  attempt number (30, 60, 90, 120, 150 s); the job fails with the last run's exit code.
* **Conditions** (`pkg/operator/status.go` `syncPrunerStatus`): Available (True
  AsExpected "Pruner CronJob has been created" / False Error "Pruner CronJob does not
  exist"), Scheduled (True Scheduled "The pruner job has been scheduled" / False Suspended
  "The pruner job has been suspended"), Failed (True with the last finished job's Failed
  condition's reason and message / False Complete "Pruner completed successfully") and
  Degraded (True SyncError / True JobFailed with the job's message / False AsExpected). The
  ClusterOperator takes them with the prefix "ImagePruner" (`pkg/resource/clusteroperator.go`
  `syncConditions`, `prefixConditions`), so a failed job makes the ClusterOperator Degraded
  with reason `ImagePrunerJobFailed`.
* **Metric** `image_registry_operator_image_pruner_install_status` (`pkg/metrics/metrics.go`,
  `server.go` `ImagePrunerInstallStatus`): 0 not installed, 1 suspended, 2 enabled.
* **Job failure**: the Job controller marks a Job whose pod failed with BackoffLimit 0 as
  Failed with reason `BackoffLimitExceeded`, message "Job has reached the specified backoff
  limit" (kubernetes `pkg/controller/job/job_controller.go`) [unverified here: the reason
  and message are Kubernetes', read from the stored index, not this repository's mirrors].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from croniter import croniter

from twin.model.registry.conditions import AS_EXPECTED, FALSE, TRUE
from twin.model.workloads import Condition

DEFAULT_SCHEDULE = "0 0 * * *"
DEFAULT_KEEP_YOUNGER_THAN = 3600.0  # "60m"
DEFAULT_KEEP_TAG_REVISIONS = 3
DEFAULT_HISTORY_LIMIT = 3
STARTING_DEADLINE_SECONDS = 3600
RETRY_SLEEPS = (30.0, 60.0, 90.0, 120.0, 150.0)
"""The wrapper's sleeps before each of its 5 retries (`sleep $(($i * 30))`)."""
JOB_REQUESTS = {"cpu": "100m", "memory": "256Mi"}
PRIORITY_CLASS = "system-cluster-critical"
JOB_FAILED_REASON = "BackoffLimitExceeded"
JOB_FAILED_MESSAGE = "Job has reached the specified backoff limit"


@dataclass(frozen=True)
class PrunerSpec:
    """`imagepruners/cluster` spec as the operator bootstraps it; `keep_younger_than` in
    seconds (keepYoungerThanDuration)."""

    schedule: str = DEFAULT_SCHEDULE
    suspend: bool = False
    keep_tag_revisions: int = DEFAULT_KEEP_TAG_REVISIONS
    keep_younger_than: float = DEFAULT_KEEP_YOUNGER_THAN
    ignore_invalid_image_references: bool = True
    successful_jobs_history_limit: int = DEFAULT_HISTORY_LIMIT
    failed_jobs_history_limit: int = DEFAULT_HISTORY_LIMIT


def schedule_error(schedule: str) -> str | None:
    """Why a CronJob schedule is refused, or None. Kubernetes parses it with robfig/cron's
    standard parser: five fields or a descriptor such as `@daily` (no seconds field)."""
    text = schedule.strip()
    fields = text.split()
    if not text.startswith("@") and len(fields) != 5:
        return f"expected a cron schedule of 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}"
    if text.startswith("@") and text not in ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
                                             "@hourly"):
        return f"expected a cron descriptor such as @daily, got {text!r}"
    if not croniter.is_valid(text):
        return f"expected a valid cron schedule, got {text!r}"
    return None


def run_times(schedule: str, clock_at_start: float, duration: float) -> list[float]:
    """Simulated seconds in [0, duration) at which the schedule fires, the run's time 0
    being `clock_at_start` seconds after midnight UTC (the CronJob controller's clock;
    `spec.timeZone` unset). Parsed by croniter."""
    origin = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=clock_at_start)
    it = croniter(schedule.strip(), origin - timedelta(microseconds=1))
    out = []
    while True:
        t = (it.get_next(datetime) - origin).total_seconds()
        if t >= duration:
            return out
        out.append(t)


def pruner_args(spec: PrunerSpec, registry_args: tuple[str, ...], keep_younger_than_text: str = "60m") -> tuple[str, ...]:
    """The `oc adm prune images` arguments of the CronJob's container (`expected`), after
    `arg0`; `keep_younger_than_text` is how the duration is written (`60m` by default, a
    Go `Duration.String()` such as `1h0m0s` when the CR sets keepYoungerThanDuration)."""
    return ("oc", "adm", "prune", "images", "--confirm=true",
            "--certificate-authority=/var/run/configmaps/serviceca/service-ca.crt",
            f"--keep-tag-revisions={spec.keep_tag_revisions}", f"--keep-younger-than={keep_younger_than_text}",
            f"--ignore-invalid-refs={'true' if spec.ignore_invalid_image_references else 'false'}", "--loglevel=1",
            *registry_args)


def pruner_conditions(cronjob_exists: bool, suspended: bool, last_job_failed: bool | None,
                      apply_error: str | None = None) -> tuple[Condition, ...]:
    """`syncPrunerStatus`: Available, Failed, Scheduled, Degraded (times 0: store them with
    `conditions.merge_conditions`). `last_job_failed`: None while no job has finished."""
    available = (Condition("Available", TRUE, AS_EXPECTED, "Pruner CronJob has been created") if cronjob_exists
                 else Condition("Available", FALSE, "Error", "Pruner CronJob does not exist"))
    failed = (Condition("Failed", TRUE, JOB_FAILED_REASON, JOB_FAILED_MESSAGE) if last_job_failed
              else Condition("Failed", FALSE, "Complete", "Pruner completed successfully"))
    scheduled = (Condition("Scheduled", FALSE, "Suspended", "The pruner job has been suspended") if suspended
                 else Condition("Scheduled", TRUE, "Scheduled", "The pruner job has been scheduled"))
    if apply_error is not None:
        degraded = Condition("Degraded", TRUE, "SyncError", f"Error: {apply_error}")
    elif last_job_failed:
        degraded = Condition("Degraded", TRUE, "JobFailed", JOB_FAILED_MESSAGE)
    else:
        degraded = Condition("Degraded", FALSE, AS_EXPECTED)
    return available, failed, scheduled, degraded


def prefixed(conditions: tuple[Condition, ...], prefix: str = "ImagePruner") -> tuple[Condition, ...]:
    """`prefixConditions`: the pruner's conditions as the ClusterOperator sees them."""
    return tuple(Condition(prefix + c.type, c.status, c.reason, c.message, c.last_transition_time,
                           c.last_update_time) for c in conditions)


def install_status(cronjob_exists: bool, suspended: bool) -> int:
    """`ImagePrunerInstallStatus`: 0 not installed, 1 suspended, 2 enabled.

    >>> install_status(False, False), install_status(True, True), install_status(True, False)
    (0, 1, 2)
    """
    if not cronjob_exists:
        return 0
    return 1 if suspended else 2
