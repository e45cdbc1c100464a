"""API_PROCESSES: several server processes on one port, supervised, with metrics summed over them."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.stack import Role, base_env, eventually, free_port, wait_healthy

REQUESTS = 40


def _server_pids(parent: int) -> list[int]:
    """The API server processes the supervisor spawned (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [int(pid) for pid in children
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
            and b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


async def _start(db: str, tmp_path: Path, metrics_port: int | None = None) -> tuple[Role, str]:
    port = free_port()
    env = base_env(DATABASE_URL=db, JWT_SECRET="p" * 40, SMARTHABIT_ENV="production", PORT=str(port),
                   HOST="127.0.0.1", API_PROCESSES="2", LOG_LEVEL="INFO", METRICS_PORT=str(metrics_port or ""))
    api = await Role("api-processes", ["api"], env, tmp_path).start()
    base = f"http://127.0.0.1:{port}"
    await wait_healthy(base, api)
    return api, base


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from Linux's /proc")
async def test_two_processes_share_the_port_and_report_summed_metrics(db: str, tmp_path: Path) -> None:
    metrics_port = free_port()
    api, base = await _start(db, tmp_path, metrics_port)
    try:
        assert api.process is not None
        assert len(_server_pids(api.process.pid)) == 2
        for _ in range(REQUESTS):  # a new connection each time: the kernel spreads them over both
            async with aiohttp.ClientSession() as http, http.get(f"{base}/openapi.json") as response:
                assert response.status == 200
        metrics = f"http://127.0.0.1:{metrics_port}/metrics"  # METRICS_PORT: never the public port
        async with aiohttp.ClientSession() as http, http.get(metrics) as response:
            text = await response.text()
        served = [line for line in text.splitlines()
                  if line.startswith("smarthabit_http_requests_total") and 'route="/openapi.json"' in line]
        # Either process may answer the scrape; it still counts every request (one process alone
        # would see about half of them).
        assert served == [f'smarthabit_http_requests_total{{method="GET",route="/openapi.json",status="200"}} '
                          f"{float(REQUESTS)}"]
        assert await api.terminate() == 0, api.output()[-3000:]
    finally:
        api.kill()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from Linux's /proc")
async def test_a_dead_server_process_stops_the_service_so_it_gets_restarted(db: str, tmp_path: Path) -> None:
    api, _ = await _start(db, tmp_path)
    try:
        assert api.process is not None
        first, second = _server_pids(api.process.pid)
        os.kill(first, signal.SIGKILL)
        assert await api.wait(timeout=40) == 1
        await eventually(lambda: asyncio.sleep(0, not _alive(second)), "the other server process to stop", 10)
        assert "an api process ended" in api.output()
    finally:
        api.kill()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from Linux's /proc")
async def test_server_processes_do_not_outlive_a_killed_supervisor(db: str, tmp_path: Path) -> None:
    api, _ = await _start(db, tmp_path)
    assert api.process is not None
    servers = _server_pids(api.process.pid)
    try:
        api.kill()  # SIGKILL: the supervisor gets no chance to stop them
        await api.wait(timeout=10)
        await eventually(lambda: asyncio.sleep(0, not any(map(_alive, servers))), "the orphaned servers to stop", 20)
    finally:
        for pid in filter(_alive, servers):
            os.kill(pid, signal.SIGKILL)
