"""Names of the pub/sub channels, built in one place.

- ``conversation:<id>``: the employee's widget and every agent watching that chat
- ``agent-conversation:<id>``: staff only (internal notes, the employee typing)
- ``agents``: every agent console (queue, presence, new chats)
- ``employee:<id>``: every widget of one employee (ticket updates)
"""

from __future__ import annotations

AGENTS = "agents"


def conversation(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


def agent_conversation(conversation_id: str) -> str:
    return f"agent-conversation:{conversation_id}"


def employee(employee_id: str) -> str:
    return f"employee:{employee_id}"
