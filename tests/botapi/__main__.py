"""Run the loopback Bot API server on its own, for bots in other processes.

End-to-end tests and benchmarks start the bot as a separate OS process; they start this server
first, read its URL from the first line of stdout, and drive users through ``/_control/*``.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from tests.botapi.server import DEFAULT_USERNAME, BotApiServer, RateLimit


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line: where to listen, which tokens are valid, optional flood limits."""
    parser = argparse.ArgumentParser(prog="python -m tests.botapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", action="append", required=True, help="a valid bot token (repeatable)")
    parser.add_argument("--username", default=DEFAULT_USERNAME)
    parser.add_argument("--rate-limit", type=int, default=None, help="messages per second per bot (off if unset)")
    parser.add_argument("--chat-rate-limit", type=int, default=1, help="messages per second per chat")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM, printing the URL once listening."""
    rate_limit = None
    if args.rate_limit is not None:
        rate_limit = RateLimit(global_limit=args.rate_limit, chat_limit=args.chat_rate_limit)
    server = BotApiServer(args.token, rate_limit=rate_limit, username=args.username)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await server.start(host=args.host, port=args.port)
    try:
        print(server.url, flush=True)
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``python -m tests.botapi``."""
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
