"""Employee identity: an HS256 JWT issued by the company intranet."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

import jwt

from handoff.database import utcnow

ALGORITHM = "HS256"
DEV_TOKEN_HOURS = 12


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


def verify_token(token: str, *, secret: str, issuer: str) -> Employee:
    """Return the employee a token names, or raise InvalidEmployeeToken."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"require": ["sub", "exp"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidEmployeeToken(str(exc)) from exc
    subject, name, email = claims.get("sub"), claims.get("name"), claims.get("email")
    if not all(isinstance(v, str) and v.strip() for v in (subject, name, email)):
        raise InvalidEmployeeToken("token needs sub, name and email claims")
    return Employee(id=str(subject), name=str(name), email=str(email))


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
