"""Conversations: ownership state (bot, queued, agent, closed), transcript, bot relay."""
