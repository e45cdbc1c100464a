"""The development signing key: made once, kept in the data directory, shared by every process.

Without JWT_SECRET a development install still needs one key that survives restarts (or every
restart logs every client out) and that all API_PROCESSES processes share (or they reject each
other's tokens). Production never gets here: it refuses to start without JWT_SECRET.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from smarthabit.errors import StartupError

DEV_KEY_FILE = ".smarthabit-dev-jwt-key"
MIN_KEY_CHARS = 32


def development_key(path: Path) -> str:
    """The key stored at `path`, created on first use. Concurrent first starts agree on one key: each
    writes its own temporary file and links it into place; a link that finds the file there loses."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        try:
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < MIN_KEY_CHARS:
        raise StartupError(f"the development signing key in {path} is damaged: delete the file (clients log in again)")
    return key
