"""The ingress router's settings for the registry's route, as OpenShift's router runs
HAProxy (`spec/openshift-cluster.md` §2), and the two per-backend choices its template
makes. Every value is cited; the data plane's hop (`twin/sim/traffic/router.py`) reads
them.

Sources (openshift/router `images/router/haproxy/conf/haproxy-config.template`, "RTR
template" below; haproxy/haproxy `src/`, "HAProxy" below):

* `timeout connect 5s`, `timeout server 30s`, `maxconn 50000` (defaults section, from
  ROUTER_DEFAULT_CONNECT_TIMEOUT / ROUTER_DEFAULT_SERVER_TIMEOUT / ROUTER_MAX_CONNECTIONS);
* no `retries` line: HAProxy's default `CONN_RETRIES 3` (`include/haproxy/defaults.h`);
  `option redispatch` in every http/edge/reencrypt backend, without an interval: -1,
  "redispatch on the last retry" (`cfgparse-listen.c`), and at once on every retry when
  the stream is not persistent, the algorithm is not a hash and more than one server is
  active (`include/haproxy/stream.h` `stream_choose_redispatch`);
* `balance random` for a route with one service unit (template: `ActiveServiceUnits > 1`
  gives roundrobin, otherwise ROUTER_LOAD_BALANCE_ALGORITHM, which the ingress operator
  sets to `random`); `random` draws twice by default and keeps the server with fewer
  requests in flight (`src/backend.c` `get_server_rnd`, `arg_opt1 = 2`);
* `check inter 5000ms` only when the backend has more than one active endpoint
  (`gt $cfg.ActiveEndpoints 1`; ROUTER_BACKEND_CHECK_INTERVAL); checks are TCP connects
  (no `option httpchk`) whose connect timeout is min(timeout connect, inter) since
  `timeout check 5000ms` is set; `fall 3` / `rise 2` are HAProxy's DEF_FALLTIME /
  DEF_RISETIME; the next check starts `inter` after the previous one ended
  (`src/check.c`, `t->expire = tick_add(now_ms, srv_getinter(check))`);
* reloads are coalesced: at most one per RELOAD_INTERVAL, default 5 s
  (`pkg/cmd/infra/router/template.go` `defaultReloadInterval`,
  `pkg/router/template/limiter/limiter.go`); the server-state file is commented out in
  the template, so a reload starts every server UP again.
"""

from __future__ import annotations

from dataclasses import dataclass

CONNECT_TIMEOUT = 5.0
SERVER_TIMEOUT = 30.0
RETRIES = 3
MAXCONN = 50_000
CHECK_INTERVAL = 5.0
FALL = 3
RISE = 2
RELOAD_INTERVAL = 5.0
RANDOM_DRAWS = 2


@dataclass(frozen=True, slots=True)
class RouterParams:
    """The router hop. `admitted`: whether a route of the registry is admitted (no
    admitted route: the router has no backend for the host and answers 503)."""

    connect_timeout: float = CONNECT_TIMEOUT
    server_timeout: float = SERVER_TIMEOUT
    retries: int = RETRIES
    maxconn: int = MAXCONN
    check_interval: float = CHECK_INTERVAL
    fall: int = FALL
    rise: int = RISE
    reload_interval: float = RELOAD_INTERVAL
    admitted: bool = True

    def __post_init__(self) -> None:
        if self.connect_timeout <= 0 or self.server_timeout <= 0 or self.check_interval <= 0:
            raise ValueError("expected positive timeouts and check interval")
        if self.retries < 0 or self.maxconn < 1 or self.fall < 1 or self.rise < 1 or self.reload_interval < 0:
            raise ValueError("expected retries >= 0, maxconn, fall and rise >= 1 and a reload interval >= 0")

    @property
    def check_timeout(self) -> float:
        """A check's connect timeout: min(timeout connect, inter) when `timeout check` is set."""
        return min(self.connect_timeout, self.check_interval)


def balance(active_service_units: int, algorithm: str = "random") -> str:
    """The template's `balance` line for an http/edge/reencrypt backend without the
    `haproxy.router.openshift.io/balance` annotation.

    >>> balance(1), balance(2)
    ('random', 'roundrobin')
    """
    return "roundrobin" if active_service_units > 1 else algorithm


def health_checked(active_endpoints: int) -> bool:
    """Whether the template adds `check inter` to the backend's servers.

    >>> health_checked(1), health_checked(2)
    (False, True)
    """
    return active_endpoints > 1


def redispatch_now(retries_done: int, max_retries: int, active_servers: int, server_down: bool) -> bool:
    """`stream_choose_redispatch` for a `balance random` backend without cookie
    persistence (container clients keep no cookies): after the `retries_done`-th failed
    connection, go to another server rather than retry the same one.

    >>> redispatch_now(1, 3, 2, False), redispatch_now(1, 3, 1, False), redispatch_now(3, 3, 1, False)
    (True, False, True)
    """
    return server_down or retries_done % max(max_retries, 1) == 0 or active_servers > 1
