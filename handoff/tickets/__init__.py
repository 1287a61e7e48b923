"""Tickets (ITIL-style incidents): numbering, priority matrix, SLA, activity log."""
