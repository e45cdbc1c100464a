"""The image's HEALTHCHECK: one probe for every role, chosen by the role the container runs.

The role is the container's main process's command (`smarthabit api`, `smarthabit worker`, ...),
read from /proc/1/cmdline. The API (and `run`) answers GET /health on PORT, which checks the database
and Redis; the other roles serve no HTTP of their own, so they are probed on their Prometheus listener
(METRICS_PORT, which compose sets for them): it answers while the process lives. Standard library
only, so the probe costs little every few seconds.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path

HTTP_ROLES = {"api", "run"}


def container_role(cmdline: Path = Path("/proc/1/cmdline")) -> str | None:
    """The sub-command of the container's main process, if it is `smarthabit ROLE`."""
    try:
        args = [arg.decode() for arg in cmdline.read_bytes().split(b"\0") if arg]
    except OSError:
        return None
    starts = [n for n, arg in enumerate(args[:2]) if Path(arg).name == "smarthabit"]
    roles = [arg for arg in args[starts[0] + 1:] if not arg.startswith("-")] if starts else []
    return roles[0] if roles else None


def probe_url(environ: dict[str, str], role: str | None = None) -> str:
    port = environ.get("PORT", "").strip() or "8080"
    metrics = environ.get("METRICS_PORT", "").strip()
    if role in HTTP_ROLES or not metrics:
        return f"http://127.0.0.1:{port}/health"
    return f"http://127.0.0.1:{metrics}/metrics"


def main() -> None:
    url = probe_url(dict(os.environ), container_role())
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a fixed loopback http URL
            sys.exit(0 if response.status == 200 else 1)
    except OSError as exc:
        sys.exit(f"unhealthy: {url}: {exc}")


if __name__ == "__main__":
    main()
