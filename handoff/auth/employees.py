"""Employee identity: an HS256 JWT issued by the company intranet."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt

from handoff.database import utcnow

ALGORITHM = "HS256"
DEV_TOKEN_HOURS = 12
DEFAULT_MAX_HOURS = 24.0
CLOCK_SKEW_SECONDS = 300


class InvalidEmployeeToken(ValueError):
    """The bearer token is missing, expired, forged or lacks a claim."""


@dataclass(frozen=True)
class Employee:
    id: str
    name: str
    email: str


def issue_token(*, secret: str, issuer: str, email: str, name: str) -> str:
    """Issue a token as the intranet would (dev mode and tests only)."""
    now = utcnow()
    claims = {
        "sub": email.strip().lower(),
        "name": name.strip(),
        "email": email.strip().lower(),
        "iss": issuer,
        "iat": now,
        "exp": now + timedelta(hours=DEV_TOKEN_HOURS),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(
    token: str, *, secret: str, issuer: str, max_hours: float = DEFAULT_MAX_HOURS
) -> Employee:
    """Return the employee a token names, or raise InvalidEmployeeToken."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"require": ["sub", "exp", "iat"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidEmployeeToken(str(exc)) from exc
    _check_lifetime(claims, max_hours)
    subject, name, email = claims.get("sub"), claims.get("name"), claims.get("email")
    if not all(isinstance(v, str) and v.strip() for v in (subject, name, email)):
        raise InvalidEmployeeToken("token needs sub, name and email claims")
    # One employee, one id: the intranet may write the same address in another case.
    return Employee(
        id=str(subject).strip().lower(), name=str(name).strip(), email=str(email).strip().lower()
    )


def _check_lifetime(claims: dict[str, Any], max_hours: float) -> None:
    """Refuse tokens that live longer than max_hours (or claim to be issued in the future)."""
    issued, expires = claims["iat"], claims["exp"]
    if not isinstance(issued, int | float) or not isinstance(expires, int | float):
        raise InvalidEmployeeToken("iat and exp must be numbers")
    if expires - issued > max_hours * 3600:
        raise InvalidEmployeeToken(f"token lifetime over {max_hours:g} hours")
    if issued > utcnow().timestamp() + CLOCK_SKEW_SECONDS:
        raise InvalidEmployeeToken("token issued in the future")


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
