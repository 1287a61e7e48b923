"""Rasa fills every response of the domain without a templating error.

Rasa reads each {...} in a response, button payloads included, as a slot template;
a payload such as /inform{"impact":"low"} made it log an error for every button
(finding 25). Literal braces are doubled in domain.yml and come out single.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from rasa.core.nlg import TemplatedNaturalLanguageGenerator, interpolator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
PAYLOAD = re.compile(r"/(\w+)(\{.*\})?")
PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)\}")


class Recorder:
    """Stands in for the interpolator's structlog logger and keeps what it logged."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def _record(self, event: str, **fields: Any) -> None:
        self.events.append((event, fields))

    exception = error = warning = _record


def _generate(language: str) -> list[dict[str, Any]]:
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    tracker = DialogueStateTracker.from_events(
        "templates", [SlotSet("language", language)], slots=DOMAIN.slots
    )

    async def every_response() -> list[dict[str, Any]]:
        out = []
        for name, variants in DOMAIN.responses.items():
            # The actions fill these placeholders when they utter the response.
            names = {p for v in variants for p in PLACEHOLDER.findall(v.get("text") or "")}
            values = {p: f"<{p}>" for p in names}
            out.append(await nlg.generate(name, tracker, "rest", **values) or {})
        return out

    return asyncio.run(every_response())


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_response_is_filled_without_an_error(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    monkeypatch.setattr(interpolator, "structlogger", recorder)
    generated = _generate(language)
    assert not recorder.events, recorder.events
    payloads = [b["payload"] for r in generated for b in r.get("buttons") or []]
    assert '/inform{"impact":"low"}' in payloads and '/inform{"urgency":"high"}' in payloads
    for payload in payloads:
        found = PAYLOAD.fullmatch(payload)
        assert found, payload
        if found.group(2):
            assert isinstance(json.loads(found.group(2)), dict), payload


def test_the_recorder_sees_an_unescaped_payload(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    monkeypatch.setattr(interpolator, "structlogger", recorder)
    interpolator.interpolate_text('/inform{"impact":"low"}', {"language": "en"})
    assert [event for event, _ in recorder.events] == ["interpolator.interpolate.text"]
