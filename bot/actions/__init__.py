"""Custom actions of the IT assistant: thin, async clients of the helpdesk service.

The action server (`rasa run actions --actions bot.actions`) imports this package
at start-up. Reading the settings here makes a misconfigured deployment (the
development service token outside dev) fail when it starts, with a clear
message, instead of on the first chat.
"""

from bot.actions.settings import get_settings

get_settings()
