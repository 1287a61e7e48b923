"""Who may see insights: the service desk lead (admins too), and staff of given roles.

An employee's intranet token is a valid identity that lacks the role, so it gets 403
(not 401, which would invite logging in again).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from handoff.auth.dependencies import Credentials, employee_from_token
from handoff.auth.employees import InvalidEmployeeToken
from handoff.deps import OpenDbDep, SettingsDep
from handoff.users.dependencies import current_staff
from handoff.users.models import User


def staff_of(*roles: str) -> Any:
    """A dependency: the logged-in staff member if they have one of roles (admins always)."""
    needed = ", ".join(roles)

    async def check(
        request: Request, open_db: OpenDbDep, settings: SettingsDep, credentials: Credentials
    ) -> User:
        try:
            staff = await current_staff(request, open_db, credentials)
        except HTTPException as exc:
            if exc.status_code == 401 and credentials is not None:
                try:
                    employee_from_token(credentials.credentials, settings)
                except InvalidEmployeeToken:
                    raise exc from None
                raise HTTPException(403, f"this needs one of the roles {needed}") from exc
            raise
        if not any(staff.user.can(role) for role in roles):
            raise HTTPException(403, f"this needs one of the roles {needed}")
        return staff.user

    return Depends(check)


def CurrentStaffOf(*roles: str) -> Any:  # noqa: N802 - reads like the other Current* aliases
    """An Annotated alias for staff of one of roles: `CurrentStaffOf("agent", "lead")`."""
    return Annotated[User, staff_of(*roles)]


CurrentLead = Annotated[User, staff_of("lead")]
AgentOrLead = Annotated[User, staff_of("agent", "lead")]
