"""Language detection and the glossary translation."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_index import detect_language, is_clearly
from kb_index.language import fold, translate

GLOSSARY = Path(__file__).resolve().parents[2] / "kb_index" / "glossary.tsv"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ich habe mein Passwort vergessen", "de"),
        ("Drucker druckt nicht mehr", "de"),
        ("Schlüssel für BitLocker", "de"),
        ("I forgot my password", "en"),
        ("printer does not print anymore", "en"),
        ("VPN", None),
        ("GlobalProtect 0x80070005", None),
    ],
)
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


def test_is_clearly_needs_enough_evidence() -> None:
    assert is_clearly("Ich kann mich nicht anmelden", "de")
    assert not is_clearly("VPN kaputt", "de")
    assert not is_clearly("I can not sign in", "de")


def test_fold_handles_umlauts_and_accents() -> None:
    assert fold("Größe Übersicht café") == "groesse uebersicht cafe"


def test_translation_uses_phrases_before_words() -> None:
    assert translate("Drucker funktioniert nicht", source="de", target="en") == (
        "printer not working"
    )
    assert translate("out of office reply", source="en", target="de").startswith(
        "abwesenheitsnotiz"
    )


def test_translation_handles_inflection_and_keeps_unknown_words() -> None:
    assert translate("Druckers GlobalProtect", source="de", target="en") == "printer globalprotect"
    assert translate("printing", source="en", target="de") == "drucken"


def test_translation_to_the_same_or_an_unknown_language_is_identity() -> None:
    assert translate("Passwort", source="de", target="de") == "Passwort"
    assert translate("Passwort", source="de", target="fr") == "Passwort"


def test_glossary_lines_have_two_columns() -> None:
    for number, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t")
            assert len(parts) == 2 and all(p.strip() for p in parts), f"line {number}: {line!r}"
