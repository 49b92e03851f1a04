"""The routes a scenario asks for, checked at load time (`docs/scenarios.md`, "Routes and
the router"): a route host the router would refuse as a DNS name (`InvalidHost`) is bad
input, named at the Config field; clients sent through a route need one."""

from __future__ import annotations

from twin.errors import InputError
from twin.model.quoting import shown
from twin.model.registry.routes import generated_host, invalid_host

DOMAIN_PATH = "traffic.router.domain"


def check_routes(scenario, config_source: str, prefix: str) -> None:
    spec, config = scenario.spec, scenario.config
    router = spec.traffic.router
    problem = invalid_host(router.domain)
    if problem is not None:
        raise InputError(scenario.source, DOMAIN_PATH, f"expected a DNS domain name: {problem}, got {shown(router.domain)}")
    for index, route in enumerate(config.routes):
        host = route.hostname or generated_host(route.name, router.domain)
        problem = invalid_host(host)
        if problem is not None:
            field = "hostname" if route.hostname else "name"
            path = f"{prefix}.spec.routes[{index}].{field}" if prefix else f"spec.routes[{index}].{field}"
            raise InputError(config_source, path, f"expected a route host the router admits (a DNS-1123 subdomain): "
                                                  f"{problem}, got {shown(host)}")
    for index, claimed in enumerate(router.claimed_hosts):
        problem = invalid_host(claimed.host)
        if problem is not None:
            raise InputError(scenario.source, f"traffic.router.claimed_hosts[{index}].host",
                             f"expected a DNS-1123 subdomain: {problem}, got {shown(claimed.host)}")
    if spec.traffic.clients.kubelet.via != "service":
        raise InputError(scenario.source, "traffic.clients.kubelet.via",
                         "expected 'service': CRI-O pulls through the image-registry Service inside the cluster, "
                         "got 'route'")
    external = spec.traffic.clients.via_route
    if external and not config.default_route and not config.routes:
        raise InputError(scenario.source, f"traffic.clients.{external[0]}.via",
                         "'route' needs a route of the registry: set defaultRoute: true or spec.routes in the "
                         "registry Config, got neither")
