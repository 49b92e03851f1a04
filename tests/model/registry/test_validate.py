"""What the operator refuses in a Config (spec/registry-operator.md §1.1, §3)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from twin.model.registry.config import RegistryConfig, RequestLimits, Route, Storage, default_rosa_config
from twin.model.registry.validate import ConfigProblem, validate

RWO, RWX, ROX = "ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"


def rosa(**changes) -> RegistryConfig:
    return replace(default_rosa_config(), **changes)


def pvc(claim: str = "registry-claim", replicas: int = 1, strategy: str = "Recreate") -> RegistryConfig:
    return rosa(storage=Storage(("pvc",), "Unmanaged", claim), replicas=replicas, rollout_strategy=strategy)


def summary(problems: list[ConfigProblem]) -> list[tuple[str, str, bool]]:
    return [(p.reason, p.field_path, p.permanent) for p in problems]


def test_the_rosa_default_config_has_no_problems():
    assert validate(default_rosa_config()) == []


# ---- verification (permanent VerificationFailed) ------------------------------------


def test_negative_replicas_fail_verification_permanently():
    problems = validate(rosa(replicas=-1))
    assert problems == [
        ConfigProblem("VerificationFailed", "spec.replicas", "spec.replicas: must not be negative, got -1", True)
    ]


def test_zero_replicas_pass_verification():
    assert validate(rosa(replicas=0)) == []


def test_a_duplicate_route_name_fails_verification_naming_both_routes():
    routes = (Route("a"), Route("b"), Route("a"))
    [problem] = validate(rosa(routes=routes))
    assert summary([problem]) == [("VerificationFailed", "spec.routes[2].name", True)]
    assert problem.message == "spec.routes[2].name: duplicate route name 'a', already used by spec.routes[0]"


def test_a_route_named_default_route_fails_verification():
    [problem] = validate(rosa(routes=(Route("default-route", "h.example.com"),)))
    assert summary([problem]) == [("VerificationFailed", "spec.routes[0].name", True)]
    assert "'default-route' is reserved" in problem.message


def test_distinct_route_names_pass():
    assert validate(rosa(routes=(Route("a"), Route("b")), default_route=True)) == []


# ---- storage backend selection ---------------------------------------------------------


def test_no_storage_backend_is_the_permanent_storage_not_configured_error():
    [problem] = validate(rosa(storage=Storage()))
    assert summary([problem]) == [("StorageNotConfigured", "spec.storage", True)]
    assert problem.message.startswith("spec.storage: no storage backend is configured")


def test_two_storage_backends_are_a_multi_storages_error_naming_them():
    [problem] = validate(rosa(storage=Storage(("s3", "pvc"), "", "")))
    assert summary([problem]) == [("MultiStoragesError", "spec.storage", False)]
    assert problem.message == "spec.storage: exactly one storage backend may be set, got 2: s3, pvc"


def test_empty_dir_with_several_replicas_is_not_rejected():
    assert validate(rosa(storage=Storage(("emptyDir",)), replicas=3)) == []


# ---- PVC access modes (checkPVC) --------------------------------------------------------

PVC_CASES = [
    # access modes, replicas, strategy, expected problem field paths
    ((RWX,), 3, "RollingUpdate", []),
    ((RWO, RWX), 2, "", []),
    ((RWO,), 1, "Recreate", []),
    ((RWO,), 2, "Recreate", ["spec.replicas"]),
    ((RWO,), 1, "RollingUpdate", ["spec.rolloutStrategy"]),
    ((RWO,), 1, "", ["spec.rolloutStrategy"]),
    ((RWO,), 2, "RollingUpdate", ["spec.replicas", "spec.rolloutStrategy"]),
    ((ROX,), 1, "Recreate", ["spec.storage.pvc.claim"]),
    ((), 1, "Recreate", ["spec.storage.pvc.claim"]),
]


@pytest.mark.parametrize("modes, replicas, strategy, paths", PVC_CASES)
def test_pvc_access_modes_limit_replicas_and_strategy(modes, replicas, strategy, paths):
    problems = validate(pvc(replicas=replicas, strategy=strategy), {"registry-claim": modes})
    assert [p.field_path for p in problems] == paths
    assert all((p.reason, p.permanent) == ("PVC Issues Found", False) for p in problems)


def test_an_rwo_claim_with_two_replicas_explains_the_limit():
    [problem] = validate(pvc(replicas=2), {"registry-claim": (RWO,)})
    assert problem.message == (
        "spec.replicas: claim 'registry-claim' is ReadWriteOnce only, so at most 1 replica can use it, got 2"
    )


def test_an_rwo_claim_with_the_default_strategy_says_recreate_is_needed():
    [problem] = validate(pvc(strategy=""), {"registry-claim": (RWO,)})
    assert problem.message == (
        "spec.rolloutStrategy: claim 'registry-claim' is ReadWriteOnce only, so the strategy must be Recreate, "
        "got '' (RollingUpdate)"
    )


def test_a_claim_with_neither_rwo_nor_rwx_names_its_modes():
    [problem] = validate(pvc(), {"registry-claim": (ROX,)})
    assert problem.message == (
        "spec.storage.pvc.claim: claim 'registry-claim' has neither ReadWriteOnce nor ReadWriteMany access mode, "
        "got ReadOnlyMany"
    )


def test_an_unknown_claim_is_taken_to_be_the_operator_created_rwx_claim():
    assert validate(pvc(replicas=3, strategy="RollingUpdate"), {"other": (RWO,)}) == []


def test_a_pvc_without_a_claim_name_is_checked_under_the_default_claim_name():
    config = pvc(claim="", replicas=2, strategy="RollingUpdate")
    problems = validate(config, {"image-registry-storage": (RWO,)})
    assert [p.field_path for p in problems] == ["spec.replicas", "spec.rolloutStrategy"]


# ---- request limits ------------------------------------------------------------------------


def test_a_negative_max_running_is_a_retriable_apply_error():
    [problem] = validate(rosa(read=RequestLimits(max_running=-1)))
    assert summary([problem]) == [("Error", "spec.requests.read.maxRunning", False)]
    assert problem.message == "spec.requests.read.maxRunning: must not be negative, got -1"


def test_a_negative_max_in_queue_with_a_positive_max_running_is_reported():
    problems = validate(rosa(write=RequestLimits(max_running=5, max_in_queue=-2)))
    assert summary(problems) == [("Error", "spec.requests.write.maxInQueue", False)]


def test_zero_limits_are_not_checked():
    assert validate(rosa(read=RequestLimits(0, 0, 5))) == []


# ---- several problems at once ---------------------------------------------------------------


def test_all_problems_are_reported_in_the_operators_order():
    config = rosa(replicas=-1, routes=(Route("x"), Route("x")), storage=Storage())
    assert summary(validate(config)) == [
        ("VerificationFailed", "spec.replicas", True),
        ("VerificationFailed", "spec.routes[1].name", True),
        ("StorageNotConfigured", "spec.storage", True),
    ]


def test_a_problem_prints_as_its_message():
    [problem] = validate(rosa(replicas=-3))
    assert str(problem) == "spec.replicas: must not be negative, got -3"
