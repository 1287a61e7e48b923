"""Staff accounts (agents, editors, admins), their sessions and presence."""
