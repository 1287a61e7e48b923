"""Import every domain's models so that Base.metadata knows all tables."""


def load_all_models() -> None:
    """Import the model modules (for Alembic and for creating test schemas)."""
    from handoff.attachments import models as attachment_models  # noqa: F401
    from handoff.audit import models as audit_models  # noqa: F401
    from handoff.conversations import models as conversation_models  # noqa: F401
    from handoff.insights import models as insight_models  # noqa: F401
    from handoff.kb import models as kb_models  # noqa: F401
    from handoff.problems import models as problem_models  # noqa: F401
    from handoff.tickets import models as ticket_models  # noqa: F401
    from handoff.users import models as user_models  # noqa: F401
