"""Audit log: who did what and when (append-only; admins read and export it)."""
