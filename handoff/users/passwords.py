"""Password policy: long enough, and not common or trivial (zxcvbn's estimate)."""

from __future__ import annotations

import secrets

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn: 0 (too guessable) … 4 (very unguessable)
# zxcvbn refuses longer input; longer passwords are judged by their start.
CHECKED_CHARS = 72


class WeakPassword(ValueError):
    """The password is too short, common or trivial."""


def check(password: str, *, username: str = "") -> None:
    """Raise WeakPassword with the reason if the password may not be used."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password needs at least {MIN_LENGTH} characters")
    if not password.strip():
        raise WeakPassword("the password is only spaces")
    try:
        password.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise WeakPassword("the password holds characters that cannot be stored") from exc
    result = zxcvbn(password[:CHECKED_CHARS], user_inputs=[username] if username else [])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"].get("warning") or "it is too easy to guess"
        raise WeakPassword(f"the password is too weak: {warning.rstrip('.')}")


def generate() -> str:
    """A new random password that passes the policy (shown to the admin once)."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))
