"""Insight from the conversations: knowledge gaps (what the bot could not answer).

It sits above `conversations` and `kb`: it reads both, and neither imports it.
"""
