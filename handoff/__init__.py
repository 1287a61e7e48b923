"""The helpdesk service: conversations, tickets, live handoff, knowledge base."""
