"""The registry's Routes: which the operator creates from the Config, what host each
gets, whether the router admits it, and what the operator reports when one is not
admitted.

* Which routes: `defaultRoute: true` adds `default-route`, then one per `spec.routes[]`
  entry, in that order (CIRO `pkg/resource/generator.go` `listRoutes`;
  `pkg/defaults/defaults.go` `RouteName`). Each points at Service `image-registry`
  with `tls.termination: reencrypt`, `spec.host` from the entry's `hostname` (empty for
  the default route), the owner annotation `imageregistry.openshift.io: "true"`, and a
  certificate, key and CA copied from the secret only when the entry names one
  (`pkg/resource/route.go` `expected`).
* Removed when no longer listed: every route carrying the owner annotation whose name
  is not generated any more is deleted (`generator.go` `removeObsoleteRoutes`).
* Host: a route without `spec.host` gets `<name with dots as dashes>-<namespace>.<apps
  domain>` from the API server (openshift/library-go `pkg/route/hostassignment`
  `SimpleAllocationPlugin.GenerateHostname`).
* Admission (openshift/router `pkg/router/controller/unique_host.go`): a host that is
  not a valid DNS name is rejected `InvalidHost` (here refused as bad input instead); a
  host already held by an older route is rejected `HostAlreadyClaimed` with "route X
  already exposes H and is older" (same namespace) or "a route in another namespace
  holds H and is older than X".
* The operator's report: `checkRoutesStatus` (CIRO `pkg/operator/status.go`) joins, with
  ",", "route <name> (host <host>, router <router>) not admitted: <message>" for every
  ingress whose Admitted condition is not True; `syncStatus` makes it Degraded=True
  with reason RouteDegraded when no earlier Degraded rule applies (`conditions.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from twin.model.registry.config import RegistryConfig

NAMESPACE = "openshift-image-registry"
SERVICE = "image-registry"
DEFAULT_ROUTE = "default-route"
OWNER_ANNOTATION = "imageregistry.openshift.io"
REENCRYPT = "reencrypt"
ROUTER_NAME = "default"
DEFAULT_APPS_DOMAIN = "apps.example.com"
"""ASSUMPTION: the cluster's ingress domain when a scenario names none (a ROSA cluster's is
`apps.<cluster>.<id>.p1.openshiftapps.com`)."""

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class RouteObject:
    """A Route the operator creates (only the fields the twin reads or shows)."""

    name: str
    host: str
    host_given: bool  # spec.host was set by the Config (else the API server generated it)
    secret_name: str = ""

    def manifest(self) -> dict:
        """As `oc get route -o yaml` shows the spec (the certificate's PEM is named, not copied)."""
        tls: dict = {"termination": REENCRYPT}
        if self.secret_name:
            tls["certificate"] = f"<tls.crt of secret {self.secret_name}>"
            tls["key"] = f"<tls.key of secret {self.secret_name}>"
        return {"apiVersion": "route.openshift.io/v1", "kind": "Route",
                "metadata": {"name": self.name, "namespace": NAMESPACE, "annotations": {OWNER_ANNOTATION: "true"}},
                "spec": {"host": self.host, "to": {"kind": "Service", "name": SERVICE}, "tls": tls}}


@dataclass(frozen=True, slots=True)
class Admission:
    route: str
    host: str
    admitted: bool
    reason: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class ClaimedHost:
    """A host an older route elsewhere in the cluster already exposes."""

    host: str
    namespace: str
    name: str


def generated_host(name: str, domain: str, namespace: str = NAMESPACE) -> str:
    """library-go `GenerateHostname`.

    >>> generated_host("default-route", "apps.example.com")
    'default-route-openshift-image-registry.apps.example.com'
    >>> generated_host("a.b", "apps.example.com")
    'a-b-openshift-image-registry.apps.example.com'
    """
    return f"{name.replace('.', '-')}-{namespace}.{domain}"


def operator_routes(config: RegistryConfig, domain: str = DEFAULT_APPS_DOMAIN) -> tuple[RouteObject, ...]:
    """`listRoutes` + `expected`: the routes the operator wants, in its order."""
    wanted = [(DEFAULT_ROUTE, "", "")] if config.default_route else []
    wanted += [(r.name, r.hostname, r.secret_name) for r in config.routes]
    return tuple(RouteObject(name, host or generated_host(name, domain), bool(host), secret)
                 for name, host, secret in wanted)


def obsolete_routes(existing: Iterable[tuple[str, bool]], config: RegistryConfig) -> list[str]:
    """`removeObsoleteRoutes`: of the routes in the namespace, (name, carries the owner
    annotation), those the operator deletes."""
    known = {r.name for r in operator_routes(config)}
    return [name for name, owned in existing if owned and name not in known]


def invalid_host(host: str) -> str | None:
    """Why the router refuses `host` as a DNS name (`ValidateHostName`: a DNS-1123
    subdomain of at most 253 characters, labels of at most 63), None when valid."""
    if len(host) > 253:
        return f"must be no more than 253 characters, got {len(host)}"
    for label in host.split("."):
        if len(label) > 63:
            return f"each label must be no more than 63 characters, got {label!r} ({len(label)})"
        if not _LABEL.match(label):
            return ("must consist of lower case alphanumeric characters, '-' or '.', and must start and end with "
                    f"an alphanumeric character, got label {label!r}")
    return None


def admit(routes: Iterable[RouteObject], claimed: Iterable[ClaimedHost] = ()) -> tuple[Admission, ...]:
    """The router's host admission, routes in creation order (the operator's order; a
    route is older than those after it). A host held by an older route is refused."""
    holders: dict[str, tuple[str, str]] = {c.host: (c.namespace, c.name) for c in claimed}
    out = []
    for route in routes:
        holder = holders.get(route.host)
        if holder is None:
            holders[route.host] = (NAMESPACE, route.name)
            out.append(Admission(route.name, route.host, True))
            continue
        namespace, name = holder
        message = (f"route {name} already exposes {route.host} and is older" if namespace == NAMESPACE else
                   f"a route in another namespace holds {route.host} and is older than {route.name}")
        out.append(Admission(route.name, route.host, False, "HostAlreadyClaimed", message))
    return tuple(out)


def not_admitted_message(admissions: Iterable[Admission], router: str = ROUTER_NAME) -> str | None:
    """`checkRoutesStatus`'s error text, None when every route is admitted."""
    errors = [f"route {a.route} (host {a.host}, router {router}) not admitted: {a.message}"
              for a in admissions if not a.admitted]
    return ",".join(errors) if errors else None


def route_admissions(config: RegistryConfig, domain: str = DEFAULT_APPS_DOMAIN,
                     claimed: Iterable[ClaimedHost] = ()) -> tuple[Admission, ...]:
    """Every route the operator creates for `config`, as the router admits it."""
    return admit(operator_routes(config, domain), claimed)
