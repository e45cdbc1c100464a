"""Which pytest-xdist worker this process is (`-n`), for names of resources shared across workers.

Each worker is its own test session: its own database (named after its pid) and so its own Redis
namespace. What is keyed otherwise, such as Telegram's flood budget per bot id, gets a per-worker name
from here, so two workers never share a budget (as two bots would not)."""

from __future__ import annotations

import os


def worker_number() -> int:
    """0 for `gw0` and for a run without xdist, 1 for `gw1`, ..."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw") or 0)
