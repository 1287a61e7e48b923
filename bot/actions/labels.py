"""Labels for values the helpdesk returns as codes, in the employee's language.

The sentences themselves are responses in domain.yml; these are the words
that go into their {placeholders}.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PERSON_BUTTON = {"de": "Mit einer Person sprechen", "en": "Talk to a person"}

PRIORITY = {
    1: {"de": "1 – kritisch", "en": "1 – critical"},
    2: {"de": "2 – hoch", "en": "2 – high"},
    3: {"de": "3 – mittel", "en": "3 – medium"},
    4: {"de": "4 – niedrig", "en": "4 – low"},
}
CATEGORY = {
    "account": {"de": "Benutzerkonto & Zugang", "en": "Accounts & access"},
    "network": {"de": "Netzwerk & VPN", "en": "Network & VPN"},
    "email": {"de": "E-Mail & Kalender", "en": "E-mail & calendar"},
    "collaboration": {"de": "Teams & Zusammenarbeit", "en": "Teams & collaboration"},
    "hardware": {"de": "Hardware", "en": "Hardware"},
    "software": {"de": "Software", "en": "Software"},
    "mobile": {"de": "Mobilgeräte", "en": "Mobile devices"},
    "security": {"de": "IT-Sicherheit", "en": "IT security"},
    "general": {"de": "Allgemein", "en": "General"},
}
STATUS = {
    "new": {"de": "neu", "en": "new"},
    "in_progress": {"de": "in Bearbeitung", "en": "in progress"},
    "on_hold": {"de": "wartet auf Ihre Rückmeldung", "en": "waiting for your reply"},
    "resolved": {"de": "gelöst", "en": "resolved"},
    "closed": {"de": "geschlossen", "en": "closed"},
    "cancelled": {"de": "storniert", "en": "cancelled"},
}
LEVEL = {
    1: {"de": "1st Level (IT Service Desk)", "en": "1st level (IT Service Desk)"},
    2: {"de": "2nd Level (Fachteam)", "en": "2nd level (specialist team)"},
    3: {"de": "3rd Level (Hersteller/Entwicklung)", "en": "3rd level (vendor/engineering)"},
}
MONTHS_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _pick(table: dict, key: object, lang: str) -> str | None:
    entry = table.get(key)
    return entry[lang] if entry else None


def priority_label(priority: object, lang: str, fallback: object = None) -> str:
    try:
        label = _pick(PRIORITY, int(priority), lang)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        label = None
    return label or str(fallback or priority or "–")


def category_label(category: object, lang: str) -> str:
    return _pick(CATEGORY, category, lang) or str(category or "–")


def status_label(status: object, lang: str) -> str:
    return _pick(STATUS, status, lang) or str(status or "–")


def level_label(level: object, lang: str) -> str:
    try:
        label = _pick(LEVEL, int(level), lang)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        label = None
    return label or str(level or "–")


def _company_zone() -> tzinfo:
    try:
        return ZoneInfo("Europe/Berlin")
    except ZoneInfoNotFoundError:  # no tz database on this machine
        return timezone.utc


def format_when(value: object, lang: str) -> str | None:
    """ISO 8601 -> '01.12.2026, 10:00 Uhr' / '1 Dec 2026, 10:00' (German time).

    A time without an offset is taken as UTC, as the helpdesk stores it.
    """
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(_company_zone())
    if lang == "en":
        return f"{local.day} {MONTHS_EN[local.month - 1]} {local.year}, {local:%H:%M}"
    return f"{local:%d.%m.%Y}, {local:%H:%M} Uhr"
