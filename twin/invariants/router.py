"""Invariants of the ingress router hop (`sim/traffic/router.py`), read from the
`RouterTotals` record and the request totals."""

from __future__ import annotations

from collections.abc import Sequence

from twin.invariants.verdict import Verdict

GATEWAY_CODES = ("502", "503", "504")
SLACK = 1e-9


def _router(records: Sequence):
    return next((r for r in records if r.kind == "RouterTotals"), None)


def router_server_timeout(records: Sequence, params) -> Verdict:
    """No request through the router waits for its pod's answer longer than the router's
    `timeout server` without the client getting 504 then."""
    router = _router(records)
    if router is None:
        return Verdict.nothing_to_check("router_server_timeout", "no client came through the router", {})
    d = router.details
    evidence = {"longest_silence": d["longest_silence"], "server_timeout": d["server_timeout"],
                "server_timeouts": d["server_timeouts"]}
    holds = d["longest_silence"] <= d["server_timeout"] + SLACK
    detail = (f"longest wait for a pod's answer {d['longest_silence']:.3f} s "
              f"({'within' if holds else 'past'} timeout server {d['server_timeout']:g} s), "
              f"{d['server_timeouts']} request(s) answered 504")
    return Verdict("router_server_timeout", holds, detail, evidence)


def router_gateway_errors(records: Sequence, params) -> Verdict:
    """A planner's bound: of the requests of clients that come through the router, at
    most `max_fraction` (default 0) answered 502, 503 or 504 (the router's own answers,
    and 503s of the registry's storage gate passed on)."""
    bound = params.max_fraction if params.max_fraction is not None else 0.0
    router = _router(records)
    totals = next((r.details for r in records if r.kind == "RequestTotals"), None)
    if router is None or totals is None:
        return Verdict.nothing_to_check("router_gateway_errors", "no client came through the router", {"bound": bound})
    routed = set(router.details["clients"])
    counted = {k: n for k, n in totals["outcomes"].items() if k.split("/", 1)[0] in routed}
    answered = sum(counted.values())
    if not answered:
        return Verdict.nothing_to_check("router_gateway_errors", "no request came through the router", {"bound": bound})
    by_code = {code: sum(n for k, n in counted.items() if k.endswith("/" + code)) for code in GATEWAY_CODES}
    fraction = sum(by_code.values()) / answered
    holds = fraction <= bound
    evidence = {"requests": answered, **{f"answered_{c}": n for c, n in by_code.items()}, "fraction": round(fraction, 6),
                "bound": bound}
    detail = (f"{fraction:.2%} of {answered} requests through the router answered 502/503/504 "
              f"({by_code['502']}/{by_code['503']}/{by_code['504']}; bound {bound:.2%})")
    return Verdict("router_gateway_errors", holds, detail, evidence)
