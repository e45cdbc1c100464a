"""`API_PROCESSES=N`: N server processes on one port, so one API container uses N cores.

Each process binds the port with SO_REUSEPORT and the kernel spreads new connections across them;
none shares state with another (the database and Redis are the shared state). The parent only
supervises: a stop signal is passed on and waited for, and when a server process dies on its own
the others are stopped too and the parent exits non-zero, so the orchestrator restarts the whole
service instead of it running short-handed unnoticed. A server whose parent is gone (killed with
SIGKILL, say) stops itself rather than hold the port as an orphan.

Prometheus counters are summed over the processes (prometheus_client's multiprocess mode): the
parent gives the children one directory for their metric files before they start.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from types import FrameType
from typing import Any

log = logging.getLogger("smarthabit.api")
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def serve_in_processes(count: int, target: Callable[..., None], *args: Any) -> int:
    """Run `target(*args)` in `count` fresh processes until a stop signal; returns the exit status."""
    with tempfile.TemporaryDirectory(prefix="smarthabit-metrics-") as metrics_dir:
        os.environ[METRICS_DIR_ENV] = metrics_dir  # inherited by the children, read at their import
        context = multiprocessing.get_context("spawn")  # no event loop or pool is ever copied
        children = [context.Process(target=target, args=args, name=f"smarthabit-api-{n}") for n in range(count)]
        stopping = False

        def stop(signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
            nonlocal stopping
            stopping = True
            for child in children:
                if child.pid is not None and child.exitcode is None:
                    os.kill(child.pid, signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            for child in children:
                child.start()
            log.info("api processes started", extra={"processes": count, "pids": [c.pid for c in children]})
            unexpected = False
            by_sentinel = {child.sentinel: child for child in children}
            while running := [child.sentinel for child in children if child.exitcode is None]:
                for sentinel in wait(running):
                    ended = by_sentinel[sentinel]
                    ended.join()  # reap it: its pipe can close a moment before it is a zombie
                    if not stopping:  # nobody asked it to end: the service is down a process
                        log.error("an api process ended: stopping the others",
                                  extra={"pid": ended.pid, "exitcode": ended.exitcode})
                        unexpected = True
                        stop()
        finally:
            for child in children:  # never leave a server behind, whatever happened here
                if child.exitcode is None and child.pid is not None:
                    child.kill()
        return 1 if unexpected or any(child.exitcode != 0 for child in children) else 0


def stop_with_parent(poll_seconds: float = 1.0) -> None:
    """In a server process: stop gracefully (SIGTERM to itself) once the supervisor is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        log.warning("the api supervisor is gone: stopping", extra={"parent": parent})
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
