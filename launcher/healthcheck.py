"""The image's HEALTHCHECK: one probe for every role, chosen by the role's own environment.

The API answers GET /health on PORT; the other roles serve no HTTP of their own, so they are probed
on their Prometheus listener (METRICS_PORT, which compose sets for them): it answers while the
process lives. Standard library only, so the probe costs little every few seconds.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def probe_url(environ: dict[str, str]) -> str:
    if environ.get("METRICS_PORT", "").strip():
        return f"http://127.0.0.1:{environ['METRICS_PORT'].strip()}/metrics"
    return f"http://127.0.0.1:{environ.get('PORT', '8080').strip() or '8080'}/health"


def main() -> None:
    url = probe_url(dict(os.environ))
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a fixed loopback http URL
            sys.exit(0 if response.status == 200 else 1)
    except OSError as exc:
        sys.exit(f"unhealthy: {url}: {exc}")


if __name__ == "__main__":
    main()
