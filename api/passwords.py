"""Password hashing: bcrypt in a worker thread, over a SHA-256 pre-hash so long passwords stay whole.

bcrypt reads at most 72 bytes of its input and ignores the rest, so two long passphrases that share
their first 72 bytes would collide. Every password is therefore first hashed with SHA-256 and
base64-encoded (44 ASCII bytes, no NUL) and that string goes to bcrypt: a password of any length is
checked in full. The accepted length is still capped (MAX_PASSWORD_CHARS) so nobody can make us hash
megabytes. bcrypt costs tens of milliseconds by design, so it never runs on the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib

import bcrypt
from zxcvbn import zxcvbn

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024
DEFAULT_ROUNDS = 12
# zxcvbn's score (0-4): 0 and 1 are passwords found in its lists of common passwords, words and names,
# or patterns (keyboard rows, repeats, dates) guessed in under a million tries.
MIN_STRENGTH = 2
STRENGTH_CHARS = 72  # zxcvbn refuses longer inputs (it slows down on them): their beginning is judged


def weakness(password: str, *, email: str = "") -> str | None:
    """Why the password is too easy to guess (zxcvbn's feedback), or None when it is fine. The email
    and its parts count as known words, so "ada@example.com" cannot use "ada1234!"."""
    hints = [email, *email.replace("@", " ").replace(".", " ").split()] if email else []
    result = zxcvbn(password[:STRENGTH_CHARS], user_inputs=hints)
    if result["score"] >= MIN_STRENGTH:
        return None
    feedback = result["feedback"]
    return feedback.get("warning") or "This password is too easy to guess"


def _prehash(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(password.encode()).digest())


class PasswordHasher:
    """Hash and verify passwords off the event loop; `rounds` is bcrypt's cost (2^rounds iterations)."""

    def __init__(self, rounds: int = DEFAULT_ROUNDS) -> None:
        self.rounds = rounds
        # Verified against when an account does not exist, so a miss takes as long as a wrong password.
        self._dummy: bytes | None = None

    async def hash(self, password: str) -> str:
        salt = bcrypt.gensalt(self.rounds)
        hashed = await asyncio.to_thread(bcrypt.hashpw, _prehash(password), salt)
        return hashed.decode()

    async def verify(self, password: str, hashed: str | None) -> bool:
        """Whether `password` matches; `hashed=None` (no such account) still spends the same time."""
        if hashed:
            target = hashed.encode()
        else:
            if self._dummy is None:
                self._dummy = (await self.hash("dummy")).encode()
            target = self._dummy
        try:
            matches = await asyncio.to_thread(bcrypt.checkpw, _prehash(password), target)
        except ValueError:  # a corrupt stored hash: treat as a mismatch, never crash the login
            return False
        return matches and hashed is not None
