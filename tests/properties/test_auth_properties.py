"""Auth never lets a request through without the role (`twin/model/registry/auth.py`):
over generated role bindings for the pulling and pushing clients, a request kind whose
verbs the client's roles lack is only ever answered 401, and one whose verbs they have
is never answered 401 (issue: the rest of the seed system, Tests)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin.model.registry.auth import NEEDS, ROLE_VERBS, verbs_of
from twin.model.registry.requests import Kind
from twin.run import run_scenario
from twin.scenarios.load import scenario_from_body

FAST = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROLES = st.lists(st.sampled_from(sorted(r for r in ROLE_VERBS if r != "prometheus-k8s")), unique=True, max_size=2)


def outcomes(pull: list[str], push: list[str]) -> dict[str, int]:
    body = {"name": "auth-property", "seed": 1, "duration": "4m",
            "cluster": {"generate": {"zones": 2, "workers_per_zone": 1, "control_plane": 0}},
            "traffic": {"warm_up": "1m", "background": {"pulls": {"constant": 3}, "pushes": {"constant": 1}},
                        "auth": {"roles": {"pull": pull, "push": push}}}}
    records = run_scenario(scenario_from_body(body, None, "auth-property")).records
    return next(r for r in records if r.kind == "RequestTotals").details["outcomes"]


def check(pull: list[str], push: list[str]) -> None:
    verbs = {"pull": verbs_of(pull), "push": verbs_of(push)}
    for key, n in outcomes(pull, push).items():
        client, kind, code = key.split("/")
        if client not in verbs or kind == "ping" or not n:
            continue
        lacking = NEEDS[Kind[kind.upper()]] & ~verbs[client]
        assert (code == "401") == bool(lacking), (key, n, pull, push)


@FAST
@given(ROLES, ROLES)
def test_a_request_is_refused_exactly_when_its_clients_roles_lack_its_verbs(pull, push):
    check(pull, push)


@pytest.mark.slow
@SLOW
@given(ROLES, ROLES)
def test_auth_holds_on_many_more_role_bindings(pull, push):
    check(pull, push)
