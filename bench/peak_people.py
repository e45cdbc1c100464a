"""The people of `bench.morning_peak`, in their own process: the loopback Bot API with Telegram's
limits, which also taps "Done" on the reminders it delivers.

    python -m bench.peak_people --token T --limit 30 --tap-share 0.3 --tap-within 120 --out people.json

Own process, because the Bot API stamps each request when its event loop reads it: in the bench's
process, a pause of the bench's own work (its database polling, its clients) held requests and then
stamped them together, a burst no sender made (Telegram's servers do not pause with the bench). The
URL is printed on the first line of stdout; on SIGTERM it lets the taps already drawn happen, waits
for their answers, and writes the figures to `--out` (JSON: each answered tap's wait in seconds, taps,
taps that found no button, 429 answers, and those of them within a second after this process's
event loop paused for `STALL` or more).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.botapi.server import BotApiServer, RateLimit

ANSWER_GRACE = 3.0  # seconds after the last tap for its answer to arrive
STALL = 0.035  # seconds: a pause of this server's event loop as long as one send slot at 28/s


class TappingServer(BotApiServer):
    """The loopback Bot API that also plays the people: a delivered reminder may get its tap. It
    also watches its own event loop: a 429 that follows a pause of this process (requests read late,
    then stamped together) is the instrument's, not the senders'."""

    def __init__(self, *args: Any, on_send: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_send = on_send
        self.last_stall = float("-inf")  # monotonic instant the last pause of the loop ended
        self.limited_after_stall = 0
        self.sends_after_stall = 0

    async def watch_loop(self, tick: float = 0.005) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(tick)
            if time.monotonic() - before - tick >= STALL:
                self.last_stall = time.monotonic()

    def _check_rate(self, bot: Any, chat: Any, *, paid: bool = False) -> None:
        limited, after_stall = self.stats.rate_limited, time.monotonic() - self.last_stall <= 1.0
        self.sends_after_stall += after_stall  # the base rate: how many sends at all came in such a second
        try:
            super()._check_rate(bot, chat, paid=paid)
        finally:
            if self.stats.rate_limited > limited and after_stall:
                self.limited_after_stall += 1

    async def _record_send(self, bot: Any, chat: Any, message: dict[str, Any]) -> None:
        await super()._record_send(bot, chat, message)
        self.on_send(chat.user["id"], message)


@dataclass
class Taps:
    share: float
    within: float
    rng: random.Random = field(default_factory=lambda: random.Random(14))
    at: dict[str, float] = field(default_factory=dict)  # callback query id -> when it was tapped
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    failed: int = 0


def _start_tapping(server: TappingServer, taps: Taps) -> None:
    """Each reminder's recipient taps its button with probability `share` after 1..`within` s."""

    def on_send(chat_id: int, message: dict[str, Any]) -> None:
        buttons = BotApiServer.buttons(message)
        if not buttons or not buttons[0][1].startswith("checkin:") or taps.rng.random() >= taps.share:
            return
        delay = taps.rng.uniform(1.0, taps.within)
        task = asyncio.get_running_loop().create_task(_tap_later(server, taps, chat_id, message, delay))
        taps.tasks.add(task)
        task.add_done_callback(taps.tasks.discard)

    server.on_send = on_send


async def _tap_later(server: TappingServer, taps: Taps, chat_id: int, message: dict[str, Any], delay: float) -> None:
    await asyncio.sleep(delay)
    try:
        update = await server.tap(chat_id, message["message_id"], BotApiServer.buttons(message)[0][1])
    except AssertionError:
        taps.failed += 1
        return
    taps.at[update["callback_query"]["id"]] = time.time()


async def serve(args: argparse.Namespace) -> None:
    taps = Taps(args.tap_share, args.tap_within)
    server = TappingServer([args.token], rate_limit=RateLimit(global_limit=args.limit, chat_limit=1), on_send=None)
    _start_tapping(server, taps)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await server.start()
    watcher = asyncio.get_running_loop().create_task(server.watch_loop())
    # A collection here would be such a pause: Telegram's servers do not stop for ours. This process
    # lives for one run and its garbage is a few hundred MB at most, so it does not collect at all.
    gc.freeze()
    gc.disable()
    print(server.url, flush=True)
    await stop.wait()
    await asyncio.gather(*taps.tasks, return_exceptions=True)
    await asyncio.sleep(ANSWER_GRACE)
    answered = {r.params.get("callback_query_id"): r.time for r in server.requests
                if r.method == "answerCallbackQuery"}
    figures = {"waits": [answered[query] - tapped for query, tapped in taps.at.items() if query in answered],
               "taps": len(taps.at), "failed": taps.failed, "rate_limited": server.stats.rate_limited,
               "rate_limited_after_stall": server.limited_after_stall, "sends_after_stall": server.sends_after_stall,
               "sends": server.stats.sent + server.stats.rate_limited}
    watcher.cancel()
    await asyncio.to_thread(Path(args.out).write_text, json.dumps(figures))
    await server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peak_people", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--token", required=True)
    parser.add_argument("--limit", type=int, default=30, help="messages a second for the bot (1 a chat)")
    parser.add_argument("--tap-share", type=float, required=True)
    parser.add_argument("--tap-within", type=float, required=True)
    parser.add_argument("--out", required=True)
    asyncio.run(serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
