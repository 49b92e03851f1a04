"""The ImagePruner CR and its CronJob as the operator makes them, the pruner's conditions
and its install-status metric (CIRO `pkg/operator/controllerimagepruner.go` `Bootstrap`,
`pkg/resource/prunercronjob.go` `expected`, `pkg/operator/status.go` `syncPrunerStatus`,
`pkg/metrics/server.go` `ImagePrunerInstallStatus`, `pkg/resource/clusteroperator.go`)."""

from __future__ import annotations

import pytest

from twin.model.registry.auth import PRUNE, answer, verbs_of
from twin.model.registry.cluster_operator import cluster_operator_conditions
from twin.model.registry.pruner import (
    JOB_REQUESTS,
    PRIORITY_CLASS,
    RETRY_SLEEPS,
    PrunerSpec,
    install_status,
    prefixed,
    pruner_args,
    pruner_conditions,
    run_times,
    schedule_error,
)
from twin.model.registry.requests import METHOD, Kind, Limiter, limiter_of
from twin.model.workloads import Condition


def test_the_cr_is_bootstrapped_as_ciro_creates_it_and_the_cronjob_defaults_apply():
    spec = PrunerSpec()
    assert (spec.schedule, spec.suspend, spec.keep_tag_revisions, spec.keep_younger_than) == ("0 0 * * *", False, 3, 3600.0)
    assert (spec.ignore_invalid_image_references, spec.successful_jobs_history_limit,
            spec.failed_jobs_history_limit) == (True, 3, 3)
    assert JOB_REQUESTS == {"cpu": "100m", "memory": "256Mi"} and PRIORITY_CLASS == "system-cluster-critical"


def test_the_retry_wrapper_sleeps_30_seconds_times_the_attempt_five_times():
    assert RETRY_SLEEPS == (30.0, 60.0, 90.0, 120.0, 150.0)


def test_the_container_arguments_follow_expected():
    args = pruner_args(PrunerSpec(), ("--prune-registry=true", "--registry-url=https://r:5000"))
    assert args[4:] == ("--confirm=true", "--certificate-authority=/var/run/configmaps/serviceca/service-ca.crt",
                        "--keep-tag-revisions=3", "--keep-younger-than=60m", "--ignore-invalid-refs=true",
                        "--loglevel=1", "--prune-registry=true", "--registry-url=https://r:5000")


CONDITIONS = [
    ("a new pruner: available, scheduled, not failed, not degraded", (True, False, None, None),
     {"Available": ("True", "AsExpected"), "Failed": ("False", "Complete"), "Scheduled": ("True", "Scheduled"),
      "Degraded": ("False", "AsExpected")}),
    ("a suspended pruner is not scheduled", (True, True, False, None),
     {"Scheduled": ("False", "Suspended"), "Degraded": ("False", "AsExpected")}),
    ("a failed last job: Failed with the job's reason and Degraded JobFailed", (True, False, True, None),
     {"Failed": ("True", "BackoffLimitExceeded"), "Degraded": ("True", "JobFailed")}),
    ("no CronJob: not available", (False, False, None, None), {"Available": ("False", "Error")}),
    ("an apply error is Degraded SyncError before a failed job", (True, False, True, "boom"),
     {"Degraded": ("True", "SyncError")}),
]


@pytest.mark.parametrize("name, args, expected", CONDITIONS, ids=[c[0] for c in CONDITIONS])
def test_sync_pruner_status(name, args, expected):
    got = {c.type: (c.status, c.reason) for c in pruner_conditions(*args)}
    assert [c.type for c in pruner_conditions(*args)] == ["Available", "Failed", "Scheduled", "Degraded"]
    assert {k: got[k] for k in expected} == expected


def test_a_failed_pruner_job_degrades_the_cluster_operator_as_image_pruner_job_failed():
    registry = (Condition("Available", "True", "Ready"), Condition("Progressing", "False", "Ready"),
                Condition("Degraded", "False", "AsExpected"))
    co = {c.type: c for c in cluster_operator_conditions(registry + prefixed(pruner_conditions(True, False, True)))}
    assert (co["Degraded"].status, co["Degraded"].reason) == ("True", "ImagePrunerJobFailed")
    assert co["Available"].status == "True"


@pytest.mark.parametrize("exists, suspended, value", [(False, False, 0), (True, True, 1), (True, False, 2)],
                         ids=["not installed 0", "suspended 1", "enabled 2"])
def test_install_status_metric(exists, suspended, value):
    assert install_status(exists, suspended) == value


def test_the_default_schedule_fires_at_midnight_of_the_run_clock():
    assert run_times("0 0 * * *", 23 * 3600.0, 3 * 3600.0) == [3600.0]
    assert run_times("*/30 * * * *", 0.0, 3600.0) == [0.0, 1800.0]


@pytest.mark.parametrize("schedule", ["0 0 * *", "0 0 * * * *", "61 * * * *", "@sometimes"])
def test_schedules_kubernetes_would_refuse_are_refused(schedule):
    assert schedule_error(schedule) is not None


def test_the_pruner_deletes_are_writes_that_need_delete_images():
    for kind in (Kind.MANIFEST_DELETE, Kind.BLOB_DELETE, Kind.ADMIN_BLOB_DELETE):
        assert METHOD[kind] == "delete" and limiter_of(kind) == Limiter.WRITE
        assert answer(kind, verbs_of(["system:image-pruner"])) is None
        assert answer(kind, verbs_of(["registry-editor", "system:image-builder"])) == 401
    assert verbs_of(["system:image-pruner"]) == PRUNE
    assert answer(Kind.MANIFEST_GET, PRUNE) == 401  # the pruner role has no verb on imagestreams/layers
