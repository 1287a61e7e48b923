"""Every response the actions use exists, in German and in English."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
ACTIONS_SOURCE = "\n".join(p.read_text("utf-8") for p in (ROOT / "bot" / "actions").glob("*.py"))


def _used_responses() -> set[str]:
    used = set(re.findall(r'response="(utter_\w+)"', ACTIONS_SOURCE))
    for pair in re.findall(r'"(utter_\w+)" if \w+ else "(utter_\w+)"', ACTIONS_SOURCE):
        used |= set(pair)
    # hand_off() builds utter_handoff_{outcome} for these two outcomes.
    used |= {"utter_handoff_no_agents", "utter_handoff_out_of_hours"}
    return used


def test_actions_use_only_existing_responses() -> None:
    missing = _used_responses() - set(DOMAIN["responses"])
    assert not missing


def test_every_response_has_english_and_a_german_fallback() -> None:
    for name, variants in DOMAIN["responses"].items():
        english = [
            v
            for v in variants
            if v.get("condition") == [{"type": "slot", "name": "language", "value": "en"}]
        ]
        fallback = [v for v in variants if "condition" not in v]
        assert len(english) == 1, name
        assert len(fallback) == 1, name
        placeholders = [set(re.findall(r"{(\w+)}", v["text"])) for v in english + fallback]
        assert placeholders[0] == placeholders[1], name
        assert len(english[0].get("buttons", [])) == len(fallback[0].get("buttons", [])), name


def test_the_actions_in_the_domain_are_the_actions_in_the_code() -> None:
    in_code = set(re.findall(r'return "((?:action|validate)_\w+)"', ACTIONS_SOURCE))
    assert in_code == set(DOMAIN["actions"])


def test_no_plain_text_is_split_by_the_rest_channel() -> None:
    # CollectingOutputChannel sends a text without buttons as one message per
    # paragraph; the kb_article JSON would then follow only the last piece.
    for name, variants in DOMAIN["responses"].items():
        for variant in variants:
            if not variant.get("buttons"):
                assert "\n\n" not in variant["text"], name
