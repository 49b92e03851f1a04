"""The registry's Routes as the operator makes them and the router admits them, each rule
from the upstream file named in its test (`twin/model/registry/routes.py`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from twin.model.registry.config import Route, default_rosa_config
from twin.model.registry.router import balance, health_checked, redispatch_now
from twin.model.registry.routes import (ClaimedHost, RouteObject, admit, invalid_host, not_admitted_message,
                                        obsolete_routes, operator_routes)

ROSA = default_rosa_config()
DOMAIN = "apps.example.com"


@pytest.mark.parametrize("default_route, routes, expected", [
    pytest.param(False, (), [], id="no defaultRoute and no routes: none"),
    pytest.param(True, (), [("default-route", "default-route-openshift-image-registry.apps.example.com", "")],
                 id="defaultRoute: default-route with the API server's generated host"),
    pytest.param(True, (Route("public", "registry.example.com", "certs"),),
                 [("default-route", "default-route-openshift-image-registry.apps.example.com", ""),
                  ("public", "registry.example.com", "certs")], id="default-route first, then spec.routes in order"),
    pytest.param(False, (Route("a.b"),), [("a.b", "a-b-openshift-image-registry.apps.example.com", "")],
                 id="a route without hostname: dots in its name become dashes"),
])
def test_the_operator_creates_routes_as_listRoutes_and_expected_do(default_route, routes, expected):
    """CIRO `pkg/resource/generator.go` `listRoutes`, `pkg/resource/route.go` `expected`;
    library-go `hostassignment` `GenerateHostname`."""
    config = replace(ROSA, default_route=default_route, routes=routes)
    assert [(r.name, r.host, r.secret_name) for r in operator_routes(config, DOMAIN)] == expected


def test_every_route_is_reencrypt_to_the_image_registry_service_with_the_owner_annotation():
    manifest = RouteObject("public", "registry.example.com", True, "certs").manifest()
    assert manifest["spec"]["to"] == {"kind": "Service", "name": "image-registry"}
    assert manifest["spec"]["tls"]["termination"] == "reencrypt" and "certificate" in manifest["spec"]["tls"]
    assert manifest["metadata"]["annotations"] == {"imageregistry.openshift.io": "true"}
    assert "certificate" not in RouteObject("default-route", "h", False).manifest()["spec"]["tls"]


def test_routes_the_operator_created_and_no_longer_lists_are_deleted_others_kept():
    """`generator.go` `removeObsoleteRoutes`: only routes with the owner annotation."""
    config = replace(ROSA, default_route=True)
    existing = [("default-route", True), ("old", True), ("someone-elses", False)]
    assert obsolete_routes(existing, config) == ["old"]


@pytest.mark.parametrize("claimed, expected", [
    pytest.param((), [(True, "")], id="a free host is admitted"),
    pytest.param((ClaimedHost("h.example.com", "other", "older"),),
                 [(False, "a route in another namespace holds h.example.com and is older than r")],
                 id="a host held by an older route in another namespace: HostAlreadyClaimed"),
    pytest.param((ClaimedHost("h.example.com", "openshift-image-registry", "first"),),
                 [(False, "route first already exposes h.example.com and is older")],
                 id="a host held by an older route in the same namespace: HostAlreadyClaimed"),
])
def test_the_router_refuses_a_host_an_older_route_holds(claimed, expected):
    """openshift/router `pkg/router/controller/unique_host.go` `HandleRoute`."""
    admissions = admit([RouteObject("r", "h.example.com", True)], claimed)
    assert [(a.admitted, a.message) for a in admissions] == expected


def test_two_registry_routes_on_one_host_admit_only_the_older():
    admissions = admit([RouteObject("a", "h.example.com", True), RouteObject("b", "h.example.com", True)])
    assert [a.admitted for a in admissions] == [True, False]
    assert admissions[1].reason == "HostAlreadyClaimed"


def test_the_operator_joins_every_not_admitted_route_into_its_degraded_message():
    """CIRO `pkg/operator/status.go` `checkRoutesStatus`."""
    admissions = admit([RouteObject("a", "h", True), RouteObject("b", "h", True), RouteObject("c", "h", True)])
    assert not_admitted_message(admissions) == (
        "route b (host h, router default) not admitted: route a already exposes h and is older,"
        "route c (host h, router default) not admitted: route a already exposes h and is older")
    assert not_admitted_message(admissions[:1]) is None


@pytest.mark.parametrize("host, valid", [
    ("registry.apps.example.com", True), ("Registry.example.com", False), ("-a.example.com", False),
    ("a..b", False), ("a" * 64 + ".com", False), ("under_score.example.com", False),
])
def test_route_hosts_must_be_dns_1123_subdomains(host, valid):
    """openshift/router `unique_host.go`: `ValidateHostName` -> InvalidHost."""
    assert (invalid_host(host) is None) == valid


@pytest.mark.parametrize("units, expected", [(1, "random"), (2, "roundrobin")])
def test_the_template_balances_one_service_unit_random_and_several_roundrobin(units, expected):
    """RTR template: `balance {{ if gt $cfg.ActiveServiceUnits 1 }}roundrobin{{ else }}...random`."""
    assert balance(units) == expected


@pytest.mark.parametrize("endpoints, checked", [(1, False), (2, True), (3, True)])
def test_servers_are_health_checked_only_with_more_than_one_active_endpoint(endpoints, checked):
    """RTR template: `{{- if and (not $endpoint.NoHealthCheck) (gt $cfg.ActiveEndpoints 1) }} check inter`."""
    assert health_checked(endpoints) == checked


@pytest.mark.parametrize("retries_done, active, down, expected", [
    (1, 2, False, True), (1, 1, False, False), (2, 1, False, False), (3, 1, False, True), (1, 1, True, True),
])
def test_redispatch_follows_stream_choose_redispatch(retries_done, active, down, expected):
    """haproxy `include/haproxy/stream.h` `stream_choose_redispatch`, redispatch_after -1, retries 3."""
    assert redispatch_now(retries_done, 3, active, down) == expected
