"""Each defect test must fail without its fix: this puts the old behaviour back, one fix at a time,
in a throw-away worktree at HEAD and runs that defect's tests there.

    .venv/bin/python -m tests.bot.defect_reverts [NAME ...]     (names: keys of defect_reverts.json)

`defect_reverts.json` holds, per defect, what the revert does, the exact lines it replaces and the
tests it must break. A revert whose lines are gone (the code moved) stops with the lines it missed,
so the evidence is redone rather than kept stale. Prints one line per revert: its tests' outcome
(every one should fail) and the first failing assertions. Needs the test services, like the tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REVERTS = json.loads((Path(__file__).parent / "defect_reverts.json").read_text())


def _apply(tree: Path, edits: list[list[str]]) -> None:
    for path, old, new in edits:
        file = tree / path
        text = file.read_text()
        if text.count(old) != 1:
            raise SystemExit(f"{path}: the fix's lines are not there once: {old[:80]!r}")
        file.write_text(text.replace(old, new))


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True)  # noqa: S603, S607 - git with our own arguments


def _run(tree: Path, name: str) -> str:
    revert = REVERTS[name]
    _apply(tree, revert["edits"])
    try:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *revert["tests"]]
        result = subprocess.run(command, cwd=tree, capture_output=True, text=True, env=os.environ.copy(),  # noqa: S603
                                check=False)
    finally:
        _git("checkout", "-q", "--", ".", cwd=tree)
    lines = result.stdout.strip().splitlines()
    errors = [line.strip()[:160] for line in lines if line.startswith("E   ")][:2]
    return f"{name}: {lines[-1] if lines else '?'}\n    " + "\n    ".join(errors)


def main() -> None:
    names = sys.argv[1:] or list(REVERTS)
    with tempfile.TemporaryDirectory(prefix="smarthabit-reverts-") as scratch:
        tree = Path(scratch) / "tree"
        _git("worktree", "add", "-q", "--detach", str(tree), "HEAD", cwd=ROOT)
        try:
            for name in names:
                print(_run(tree, name), flush=True)
        finally:
            _git("worktree", "remove", "--force", str(tree), cwd=ROOT)


if __name__ == "__main__":
    main()
