"""Who is calling: employees (signed intranet token), the action server (service token)."""
