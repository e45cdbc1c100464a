"""The child processes of the fan-out benches: `smarthabit` roles and the loopback Bot API, each with
its output in a log file, stopped with SIGTERM (killed if they do not stop in time)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class Proc:
    """A child process with its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("ab")
        self.popen = subprocess.Popen(args, env=env, cwd=REPO, stdout=self._out, stderr=subprocess.STDOUT)

    @classmethod
    def smarthabit(cls, args: list[str], env: dict[str, str], log: Path) -> Proc:
        """`smarthabit <args>` with this interpreter (the bench's own checkout)."""
        return cls([sys.executable, "-m", "launcher.cli", *args], env, log)

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def lines(self) -> int:
        return len(self.text().splitlines())

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40) -> int:
        """Signal, wait up to `timeout` s (then kill); returns the exit status."""
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._out.close()
        return self.popen.returncode


def start_botapi(root: Path, token: str, limit: int) -> tuple[subprocess.Popen[str], str]:
    """The loopback Bot API (tests/botapi) in its own process with Telegram's limits (`limit`
    messages a second for the bot, one a second per chat); returns it and its URL."""
    return start_server(["tests.botapi", "--token", token, "--rate-limit", str(limit), "--chat-rate-limit", "1"],
                        root / "botapi.log")


def start_server(module_args: list[str], log: Path) -> tuple[subprocess.Popen[str], str]:
    """`python -m <module_args>` from this checkout, a server that prints its URL on its first line
    of stdout; returns the process and that URL."""
    server = subprocess.Popen([sys.executable, "-m", *module_args], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=log.open("ab"), text=True)
    assert server.stdout is not None
    url = server.stdout.readline().strip()
    if not url.startswith("http"):
        raise RuntimeError(f"{module_args[0]} did not start: {url!r} (see {log})")
    return server, url
