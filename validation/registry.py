"""Debian's `docker-registry` as a child process on 127.0.0.1 (distribution 2.8.2).

The configuration (`config()`) turns on what calibration reads: the Prometheus endpoint on
the debug listener (`http.debug.prometheus`, distribution `configuration.go`
`Prometheus struct`), the JSON application log with its "response completed" line per
request (`log.formatter: json`; `registry/handlers/app.go` logs it through
`context.GetResponseLogger`), and the access log (stdout, Apache combined format,
gorilla/handlers `CombinedLoggingHandler`). Storage is the filesystem driver in a
temporary folder, with the in-memory blob descriptor cache as in the OpenShift registry.

The process is started with its own session, stopped by its PID (SIGTERM, then SIGKILL
after `STOP_SECONDS`), and its folder is removed; its logs are copied out first when asked.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

BINARY = "docker-registry"
READY_SECONDS = 15.0
STOP_SECONDS = 5.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config(data: Path, port: int, debug_port: int) -> dict:
    return {
        "version": 0.1,
        "log": {"level": "info", "formatter": "json", "accesslog": {"disabled": False}},
        "storage": {"filesystem": {"rootdirectory": str(data)}, "cache": {"blobdescriptor": "inmemory"},
                    "delete": {"enabled": True}},
        "http": {"addr": f"127.0.0.1:{port}",
                 "debug": {"addr": f"127.0.0.1:{debug_port}", "prometheus": {"enabled": True, "path": "/metrics"}}},
    }


@dataclass
class RealRegistry:
    """A running registry: `url` (http://127.0.0.1:PORT), `metrics_url`, its PID and the
    files its logs go to."""

    folder: Path
    port: int
    debug_port: int
    process: subprocess.Popen
    access_log: Path
    app_log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.debug_port}/metrics"

    @property
    def pid(self) -> int:
        return self.process.pid

    def scrape(self) -> str:
        with urllib.request.urlopen(self.metrics_url, timeout=5) as response:
            return response.read().decode("utf-8")

    def cpu_seconds(self) -> float:
        """User + system CPU of the registry process so far (`/proc/PID/stat`)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(binary: str | None = None) -> RealRegistry:
    """Start a registry in a new temporary folder; wait (at most `READY_SECONDS`) until
    `/v2/` answers."""
    binary = binary or shutil.which(BINARY)
    if binary is None:
        raise FileNotFoundError(f"{BINARY} is not installed (Debian package docker-registry; .ci/run installs it)")
    folder = Path(tempfile.mkdtemp(prefix="twin-registry-"))
    port, debug_port = free_port(), free_port()
    (folder / "config.yml").write_text(yaml.safe_dump(config(folder / "data", port, debug_port)))
    access_log, app_log = folder / "access.log", folder / "app.log"
    with access_log.open("wb") as out, app_log.open("wb") as err:
        process = subprocess.Popen([binary, "serve", str(folder / "config.yml")], stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    registry = RealRegistry(folder, port, debug_port, process, access_log, app_log)
    try:
        _wait_ready(registry)
    except BaseException:
        stop(registry)
        raise
    return registry


def _wait_ready(registry: RealRegistry) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if registry.process.poll() is not None:
            raise RuntimeError(f"the registry exited with {registry.process.returncode}: "
                               f"{registry.app_log.read_text(errors='replace')[-500:]}")
        try:
            with urllib.request.urlopen(registry.url + "/v2/", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"the registry did not answer /v2/ within {READY_SECONDS} s")


def stop(registry: RealRegistry, keep_logs: Path | None = None) -> None:
    """Stop the process by its PID and remove its folder (copying its logs to
    `keep_logs` first)."""
    process = registry.process
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(STOP_SECONDS)
    if keep_logs is not None:
        keep_logs.mkdir(parents=True, exist_ok=True)
        for log in (registry.access_log, registry.app_log):
            if log.exists():
                shutil.copyfile(log, keep_logs / log.name)
    shutil.rmtree(registry.folder, ignore_errors=True)
