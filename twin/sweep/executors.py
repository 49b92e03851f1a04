"""Where a sweep's runs execute: in this process (`workers=0`), on a Dask LocalCluster of
worker processes on this machine (the default), on an existing Dask scheduler, or on the
caller's own `distributed.Client`. Each yields the records as runs complete.

The LocalCluster: one single-threaded worker process per core (or `workers`), no
dashboard, quiet logs, bound to 127.0.0.1. On Linux its workers are forked from this
process rather than spawned, so they start with `twin` already imported: a spawned worker
spends ≈ 2.5 s importing distributed, pandas, pydantic and the twin (on a 2-core machine
as long as ~30 runs of `zone-failure`), a forked one is ready at once and the cluster is
up in ≈ 0.1-0.2 s. Whoever needs spawned workers passes their own `client=`.

`distributed` is imported only here and only when a cluster is needed, so `twin`'s other
commands do not pay for it."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from twin.errors import InputError
from twin.sweep.task import RunSpec, run_one

CONNECT_SECONDS = 5
START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"
CLUSTER_CONFIG = {  # what a short-lived local cluster without a dashboard can do without
    "distributed.worker.multiprocessing-method": START_METHOD,
    "distributed.worker.profile.enabled": False,  # the statistical profiler samples every 10 ms
    "distributed.scheduler.work-stealing": False,  # tasks are queued at the scheduler: nothing to steal
    "distributed.scheduler.active-memory-manager.start": False,  # results are small and fetched at once
    "distributed.admin.tick.interval": "500ms",  # the event-loop health check (20 ms: ~5 % of a core)
    "distributed.admin.system-monitor.interval": "5s",
}


def cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def run_in_process(runs: Iterable[RunSpec]) -> Iterator[dict]:
    for run in runs:
        yield run_one(run)


def run_on_dask(client, runs: Iterable[RunSpec]) -> Iterator[dict]:
    """One task per run (a remote scheduler or a caller's client, whose workers may not see
    the sweep's folder; the sweep's own cluster groups short runs, `twin.sweep.chunks`):
    submit every run, yield each record as it completes; on an error (or when the caller
    stops early) the runs still queued are cancelled."""
    from distributed import as_completed

    runs = list(runs)
    futures = dict(zip(client.map(run_one, runs, pure=False), runs))  # one message to the scheduler
    try:
        for batch in as_completed(futures, loop=client.loop).batches():  # whatever arrived since the last look
            for future in batch:
                yield _result(future, futures[future])
    finally:
        client.cancel(list(futures))


@contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator:
    """A client of a new LocalCluster (`workers` processes), or of the scheduler at
    `scheduler`; closed (and the cluster shut down) on exit. `CLUSTER_CONFIG` holds (in
    Dask's global configuration) while the cluster lives: a nanny whose worker died starts
    the new one with the multiprocessing method configured at that moment, and Dask's
    default, spawn, would start a process that imports everything again (and, from a
    script without a `__main__` guard, runs the script again)."""
    if scheduler is not None:
        client = connect(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    import dask
    from distributed import Client  # first: its defaults join Dask's configuration, which `set` then restores

    with dask.config.set(CLUSTER_CONFIG):  # for the cluster's life: a worker that dies is replaced by a forked one
        cluster = local_cluster(workers or cores())
        try:
            with Client(cluster, set_as_default=False) as client:
                yield client
        finally:
            cluster.close()


def local_cluster(workers: int):
    """Start-up and upkeep kept small (`CLUSTER_CONFIG`): forked workers, no dashboard
    (the scheduler's HTTP routes on a free local port, so a dashboard already on :8787 is
    no matter), no memory monitor; idle, the cluster costs ~1 % of a core instead of ~10 %."""
    import dask
    from distributed import LocalCluster
    from distributed.versions import get_versions

    get_versions()  # cached: each forked worker inherits the answer instead of reading package metadata (≈ 20 ms)
    with dask.config.set(CLUSTER_CONFIG), _interrupts_ignored():
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address=None, silence_logs=logging.CRITICAL, memory_limit=0,
                            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})


@contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ctrl-C reaches the whole foreground process group; this process answers it (closing
    the cluster), so the workers are forked with SIGINT ignored rather than each printing
    a traceback. Only the main thread may set handlers; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def connect(address: str, timeout: float = CONNECT_SECONDS):
    """A client of the scheduler at `address`; an `InputError` when nothing listens there
    (at once), nothing answers within `timeout` seconds, or what answers is no Dask
    scheduler."""
    from distributed import Client

    try:
        _probe(address, timeout)
    except (OSError, ValueError) as exc:
        raise InputError("--scheduler", address, f"could not reach a Dask scheduler (waited up to {timeout:g} s): "
                                                 f"{_first_line(exc)}") from None
    except Exception as exc:  # something answered, not as a Dask scheduler does
        raise InputError("--scheduler", address, f"expected a Dask scheduler there; what answered said: "
                                                 f"{_first_line(exc)}") from None
    return Client(address, timeout=timeout, set_as_default=False)


def _probe(address: str, timeout: float) -> None:
    """A plain TCP connection first (a refused one fails now, not after Dask's retries
    until the timeout), then Dask's handshake, in a thread of its own so that a caller's
    running event loop (a notebook's) is not disturbed; the client is made only when both
    succeed, so a failure leaves nothing behind to close."""
    from distributed.comm import connect as dask_connect
    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address)
    if scheme in ("tcp", "tls"):
        socket.create_connection(parse_host_port(location), timeout=timeout).close()

    async def handshake() -> None:
        comm = await dask_connect(address, timeout=timeout)
        await comm.close()

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, handshake()).result()


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _result(future, run: RunSpec) -> dict:
    try:
        return future.result()
    except Exception as exc:
        exc.add_note(f"in sweep run {run.name} ({run.values}, seed {run.seed})")
        raise
