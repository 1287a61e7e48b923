"""The helpdesk's channel: Rasa's REST webhook that also says what the bot understood.

The helpdesk records, for every bot turn, the intent and confidence the NLU read and the
action that answered. Through the plain REST channel that needs a second request
(`GET /conversations/{id}/tracker`), for which Rasa loads and replays the whole tracker
from its store again: about a third of Rasa's work per message. This channel runs the
message exactly as Rasa's `Agent.handle_message` does (under the conversation's lock,
the same processor steps) and answers, from the tracker it already holds:

    POST /webhooks/helpdesk/webhook  {"sender": id, "message": text, "metadata": {...}}
    -> {"messages": [... as the REST channel ...],
        "understood": {"intent": str | None, "confidence": float | None,
                       "entities": [{"entity", "value"}]},
        "action": "the last action of the turn before listening" | None,
        "form": "the form the bot is filling after the turn" | None}

With `form` the helpdesk knows whether the ticket form is asking when a file arrives, without
another tracker request.

The processor steps are those of Rasa 3.6's `MessageProcessor.handle_message`
(requirements/bot-lock.txt pins it); where they are missing, the channel falls back to
`Agent.handle_message` and answers without `understood`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

log = logging.getLogger(__name__)

LISTEN = "action_listen"


def understood(tracker: DialogueStateTracker) -> dict[str, Any]:
    """The NLU's reading of the turn's message, in the helpdesk's shape."""
    latest = tracker.latest_message
    parse = latest.parse_data if latest is not None else {}
    intent = parse.get("intent") or {}
    return {
        "intent": intent.get("name"),
        "confidence": intent.get("confidence"),
        "entities": [
            {"entity": e.get("entity"), "value": e.get("value")}
            for e in parse.get("entities") or []
        ],
    }


def answering_action(tracker: DialogueStateTracker) -> str | None:
    """The last action after the turn's message that is not listening (None: none ran)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return None
        if isinstance(event, ActionExecuted) and event.action_name not in (LISTEN, None):
            return event.action_name
    return None


def turn_summary(tracker: DialogueStateTracker) -> dict[str, Any]:
    """What the channel answers besides the messages: `understood`, `action` and `form`."""
    return {
        "understood": understood(tracker),
        "action": answering_action(tracker),
        "form": tracker.active_loop_name,
    }


class HelpdeskInput(RestInput):
    """`/webhooks/helpdesk/webhook`: the REST webhook plus what the bot understood."""

    @classmethod
    def name(cls) -> str:
        return "helpdesk"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("helpdesk_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            sender = await self._extract_sender(request)
            text = self._extract_message(request)
            if not sender or text is None:
                return response.json({"error": "sender and message are required"}, status=400)
            collector = CollectingOutputChannel()
            message = UserMessage(
                text,
                collector,
                sender,
                input_channel=self.name(),
                metadata=self.get_metadata(request),
            )
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"error": "no model loaded"}, status=503)
            tracker = await _handle(agent, message)
            body: dict[str, Any] = {"messages": collector.messages}
            if tracker is not None:
                body.update(turn_summary(tracker))
            return response.json(body)

        return hook


async def _handle(agent: Any, message: UserMessage) -> DialogueStateTracker | None:
    """Agent.handle_message, keeping the tracker (Rasa 3.6's processor steps)."""
    processor = agent.processor
    if not hasattr(processor, "_run_prediction_loop"):
        await agent.handle_message(message)
        return None
    async with agent.lock_store.lock(message.sender_id):
        tracker = await processor.log_message(message, should_save_tracker=False)
        tracker = await processor.run_action_extract_slots(message.output_channel, tracker)
        await processor._run_prediction_loop(message.output_channel, tracker)
        await processor.run_anonymization_pipeline(tracker)
        await processor.save_tracker(tracker)
    return tracker
