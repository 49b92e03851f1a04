"""The twin's scenario for one measured load level: the machine the registry ran on as
one worker (this machine's cores), the load generator as a workload using the CPU it
used (the registry gets what the generator leaves, as it did), one registry replica on
filesystem storage (emptyDir: blobs are streamed, never redirected), and the generator's
traffic: pull sessions at the level's rate, one connection each (`lanes: 1`), every
blob fetched (`cached_layer_fraction: 0`), images chosen uniformly
(`popularity_exponent: 0`) from the harness's catalogue. `service` and `memory`, when
given, are the calibrated sections (`twin calibrate`); otherwise the twin's defaults.

What the harness knows and the twin is told, because no data identifies it: the registry
serves plain HTTP without authentication, so there is no TLS handshake (`tls_handshake:
0`), no API-server review of any request (`auth: {api_reviews: false}`) and no token to
fetch (the twin's clients still ask for one, at no CPU: `token_get: 0`); loopback is not a NIC (`cluster.network` 100 Gbit/s); and the registry's own idle CPU
(`idle_cores`, from the calibration) is taken from what the node leaves it, with the
generator's.
"""

from __future__ import annotations

from validation.images import CATALOGUE

WARM_UP = 40.0  # the registry pod is Ready 26 s after the run starts


def catalogue_section(seed: int) -> dict:
    """The harness's catalogue, drawn from the same seed: the same images as it pushed."""
    c = CATALOGUE
    return {"seed": seed, "base_images": c.base_images, "images": c.images, "base_layers": list(c.base_layers),
            "own_layers": list(c.own_layers), "base_size": [int(c.base_bytes[0]), int(c.base_bytes[1])],
            "layer_size": {"median": int(c.layer_median_bytes), "sigma": c.layer_sigma, "min": c.min_layer_bytes,
                           "max": c.max_layer_bytes}}


def level_scenario(measurement: dict, level: dict, service: dict | None = None, memory: dict | None = None,
                   name: str | None = None, idle_cores: float = 0.0) -> dict:
    seconds = level["to"] - level["from"]
    cores = measurement["cpus"]
    generator_cores = level["generator_cpu_seconds"] / seconds + idle_cores
    traffic = {"warm_up": f"{WARM_UP:g}s", "catalogue": catalogue_section(measurement["seed"]),
               "background": {"pulls": {"constant": level["rate"]}, "cached_layer_fraction": 0.0,
                              "popularity_exponent": 0.0, "images_per_session": 1},
               "clients": {"pull": {"lanes": 1, "think": "0s"}}}
    service = dict(service or {})
    service["cpu"] = {**service.get("cpu", {}), "token_get": 0}
    service["tls_handshake"] = 0
    traffic["service"] = service
    traffic["auth"] = {"api_reviews": False}  # upstream distribution: no OpenShift auth, no API reviews
    if memory:
        traffic["memory"] = memory
    return {
        "name": name or f"measured-{level['rate']:g}-per-second",
        "description": f"The real registry's measured level of {level['rate']:g} pull sessions/s, as a twin scenario.",
        "seed": measurement.get("seed", 1),
        "duration": f"{WARM_UP + seconds:g}s",
        "openshift": "4.23",
        "cluster": {"generate": {"zones": 1, "workers_per_zone": 1, "control_plane": 0,
                                 "worker": {"instance_type": "m5.large", "cpu": str(cores), "memory": "7Gi"}},
                    "network": {"baseline": "100Gbit/s"}},
        "registry": {"config": {"spec": {"replicas": 1, "managementState": "Managed", "storage": {"emptyDir": {}}}}},
        "workloads": [{"name": "load-generator", "namespace": "validation", "replicas": 1,
                       "requests": {"cpu": "10m", "memory": "64Mi"},
                       "usage": {"cpu": f"{max(generator_cores, 0.001) * 1000:.0f}m", "memory": "256Mi"}}],
        "traffic": traffic,
        "invariants": [{"name": "request_conservation"}, {"name": "resource_bounds"}],
    }
