"""The web app's first view: bytes on the wire and time to the first rendered view, in real Chromium.

    python -m bench.web_first_view [--loads 15]

Starts `smarthabit api` on the embedded SQLite default in a temporary directory, makes an account with
six habits over the REST API, then opens /app/ signed in (the token pair placed in sessionStorage, as
after a login) `--loads` times in fresh browser contexts (cold cache), and as many times with a warm
cache (reloads: the files answer 304). Per load it reads, from the page itself:

- first render: `performance.mark("smarthabit:first-render")`, set once the Today view with the habits
  is in the DOM (ms since navigation start: page, modules, styles and the API call included);
- first contentful paint (the "Loading…" line the HTML carries);
- bytes on the wire: every request and response of the load, headers included (Chromium's counts).

Prints medians and p90 against the targets: under 150 KB compressed, first render under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Page, Request, async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.stack import Role, base_env, free_port, wait_healthy

BUDGET_BYTES = 150 * 1024
BUDGET_MS = 1000


async def _account(url: str) -> dict[str, str]:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/users/register", json={"email": "bench@example.com",
                                                             "password": "bench password 123"}) as response:
            tokens = (await response.json())["tokens"]
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        for name in ("Read", "Run", "Meditate", "Journal", "Stretch", "Water"):
            body: dict[str, Any] = {"name": name}
            if name == "Water":
                body.update(kind="measurable", target=8, unit="glasses")
            async with http.post(f"{url}/habits", json=body, headers=headers) as response:
                assert response.status == 201, await response.text()
    return {"access": tokens["access_token"], "refresh": tokens["refresh_token"]}


async def _load(page: Page, url: str, reload: bool) -> tuple[float, float, int]:
    requests: list[Request] = []

    def record(request: Request) -> None:
        requests.append(request)

    page.on("requestfinished", record)
    if reload:
        await page.reload()
    else:
        await page.goto(f"{url}/app/")
    await page.wait_for_function("() => performance.getEntriesByName('smarthabit:first-render').length > 0")
    await page.wait_for_load_state("networkidle")
    render = await page.evaluate("performance.getEntriesByName('smarthabit:first-render')[0].startTime")
    paint = await page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || 0")
    page.remove_listener("requestfinished", record)
    sizes = [await request.sizes() for request in requests]
    wire = sum(s["responseBodySize"] + s["responseHeadersSize"] + s["requestHeadersSize"] + s["requestBodySize"]
               for s in sizes)
    return render, paint, wire


def _summary(label: str, values: list[float], unit: str) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return f"{label:<42} median {statistics.median(values):8.1f} {unit}   p90 {p90:8.1f} {unit}"


async def main(loads: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        port = free_port()
        env = base_env(PORT=str(port), HOST="127.0.0.1", LOG_LEVEL="WARNING")
        role = await Role("api", ["api"], env, Path(workdir)).start()
        url = f"http://127.0.0.1:{port}"
        try:
            await wait_healthy(url, role)
            tokens = json.dumps(await _account(url))
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                cold: list[tuple[float, float, int]] = []
                warm: list[tuple[float, float, int]] = []
                for _ in range(loads):
                    context = await browser.new_context(viewport={"width": 360, "height": 740})
                    await context.add_init_script(f"sessionStorage.setItem('smarthabit.tokens', {tokens!r})")
                    page = await context.new_page()
                    cold.append(await _load(page, url, reload=False))
                    warm.append(await _load(page, url, reload=True))
                    await context.close()
                await browser.close()
        finally:
            await role.terminate()
    print(f"web app first view, {loads} loads each, Chromium headless, API on SQLite, 6 habits")
    for name, runs in (("cold cache", cold), ("warm cache (304s)", warm)):
        print(_summary(f"{name}: first render", [r[0] for r in runs], "ms"))
        print(_summary(f"{name}: first contentful paint", [r[1] for r in runs], "ms"))
        print(_summary(f"{name}: bytes on the wire", [r[2] / 1024 for r in runs], "KB"))
    render = statistics.median(r[0] for r in cold)
    wire = statistics.median(r[2] for r in cold)
    print(f"targets: first render < {BUDGET_MS} ms: {'met' if render < BUDGET_MS else 'MISSED'} "
          f"({render / BUDGET_MS:.2f} of it); first view < {BUDGET_BYTES // 1024} KB: "
          f"{'met' if wire < BUDGET_BYTES else 'MISSED'} ({wire / BUDGET_BYTES:.2f} of it)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=15)
    asyncio.run(main(parser.parse_args().loads))
