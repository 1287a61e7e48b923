"""FastAPI dependencies for employee and service authentication."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from handoff.config import Settings
from handoff.deps import SettingsDep

from .employees import Employee, InvalidEmployeeToken, same_secret, verify_token

bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]

UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


def employee_from_token(token: str, settings: Settings) -> Employee:
    return verify_token(
        token,
        secret=settings.employee_token_secret.get_secret_value(),
        issuer=settings.employee_token_issuer,
        max_hours=settings.employee_token_max_hours,
    )


def current_employee(settings: SettingsDep, credentials: Credentials) -> Employee:
    """The employee named by the bearer token (401 otherwise)."""
    if credentials is None:
        raise HTTPException(401, "employee token required", headers=UNAUTHORIZED)
    try:
        return employee_from_token(credentials.credentials, settings)
    except InvalidEmployeeToken as exc:
        raise HTTPException(401, f"invalid employee token: {exc}", headers=UNAUTHORIZED) from exc


def employee_for_websocket(token: str | None, settings: Settings) -> Employee | None:
    """The employee of a socket's token, or None."""
    if not token:
        return None
    try:
        return employee_from_token(token, settings)
    except InvalidEmployeeToken:
        return None


def require_service(settings: SettingsDep, credentials: Credentials) -> None:
    """Only the action server, with the service token (401 otherwise)."""
    expected = settings.service_token.get_secret_value()
    if credentials is None or not same_secret(credentials.credentials, expected):
        raise HTTPException(401, "service token required", headers=UNAUTHORIZED)


CurrentEmployee = Annotated[Employee, Depends(current_employee)]
ServiceOnly = [Depends(require_service)]
