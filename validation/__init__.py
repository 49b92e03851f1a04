"""A real registry to measure the twin against (issue: meet reality).

Debian's `docker-registry` (github.com/docker/distribution 2.8, the registry the
OpenShift image registry is built on) runs on 127.0.0.1 with filesystem storage, its
Prometheus endpoint and its JSON application log on (`registry.py`); OCI images built
locally from the twin's catalogue (`images.py`) are pushed with `skopeo` and pulled by
skopeo and by a bounded, concurrent load generator (`load.py`). Every loop is bounded in
count and in time; the harness starts and stops the registry process itself, by its PID,
and removes its data folder.

    .venv/bin/python -m validation smoke --out DIR     # seconds: one push, pulls at one level
"""
