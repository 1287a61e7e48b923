"""System messages the service itself writes into a chat, in German and English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TEXTS: dict[str, dict[str, str]] = {
    "bot_unavailable": {
        "de": "Der Assistent ist gerade nicht erreichbar. Ihre Nachricht ist gespeichert – "
        "bitte schreiben Sie gleich noch einmal oder rufen Sie den IT Service Desk an "
        "(intern 4357).",
        "en": "The assistant cannot be reached right now. Your message is saved – please "
        "write again in a moment or call the IT Service Desk (internal 4357).",
    },
    "queued": {
        "de": "Sie sind in der Warteschlange (Position {position}). Sie können weiter "
        "schreiben – Ihre Nachrichten gehen an die Kollegin oder den Kollegen, der den Chat "
        "übernimmt.",
        "en": "You are in the queue (position {position}). You can keep writing – your "
        "messages go to the colleague who takes over the chat.",
    },
    "follow_up_ticket": {
        "de": "Falls Sie Ihr Ticket meinen: {number} „{subject}“ – {status}.{resolution} "
        "Geht es um etwas anderes, beschreiben Sie Ihr IT-Anliegen gern in ein paar Worten.",
        "en": "In case you mean your ticket: {number} “{subject}” – {status}.{resolution} "
        "If it is about something else, please describe your IT issue in a few words.",
    },
    "follow_up_resolution": {"de": " Lösung: {resolution}", "en": " Resolution: {resolution}"},
    "agent_joined": {
        "de": "{agent} vom IT Service Desk hat den Chat übernommen.",
        "en": "{agent} from the IT Service Desk has joined the chat.",
    },
    "agent_left": {
        "de": "{agent} hat den Chat zurück in die Warteschlange gegeben.",
        "en": "{agent} has put the chat back in the queue.",
    },
    "handed_back": {
        "de": "{agent} hat den Chat an den Assistenten zurückgegeben.",
        "en": "{agent} has handed the chat back to the assistant.",
    },
    "closed": {
        "de": "Der Chat wurde beendet. Schreiben Sie einfach, wenn Sie noch etwas brauchen.",
        "en": "The chat has been closed. Just write if you need anything else.",
    },
    "unattended": {
        "de": "Gerade ist leider niemand vom IT Service Desk frei ({reason}). Ihr Anliegen "
        "ist als Ticket {ticket} mit dem ganzen Chatverlauf gespeichert. Sie bekommen die "
        "Antwort hier im Chat und im Ticket.",
        "en": "Unfortunately nobody from the IT Service Desk is free right now ({reason}). "
        "Your request is saved as ticket {ticket} with the whole conversation. You will get "
        "the answer here in the chat and on the ticket.",
    },
    "escalated": {
        "de": "Ihr Anliegen wurde mit Ticket {ticket} an das Fachteam ({level}. Level) "
        "übergeben. Sie bekommen die Antwort hier im Chat und im Ticket.",
        "en": "Your request has been passed to level-{level} support as ticket {ticket}. You "
        "will get the answer here in the chat and on the ticket.",
    },
    "reply_on_ticket": {
        "de": "Danke – Ihre Antwort ist bei Ticket {ticket}. Die Kollegin oder der Kollege "
        "vom IT Service Desk meldet sich hier.",
        "en": "Thank you – your reply is on ticket {ticket}. The IT Service Desk will get back "
        "to you here.",
    },
    "reply_on_ticket_live": {
        "de": "Ihre Antwort ist auch bei Ticket {ticket}.",
        "en": "Your reply is on ticket {ticket} too.",
    },
    "attachment_on_ticket": {
        "de": "Danke, die Datei ist beim Ticket {ticket}.",
        "en": "Thank you, the file is on ticket {ticket}.",
    },
    "attachment_kept": {
        "de": "Danke, die Datei ist im Chat gespeichert. Wird ein Ticket daraus, kommt sie mit.",
        "en": "Thank you, the file is saved with the chat. If a ticket is opened, it goes with it.",
    },
    "ticket_reply": {
        "de": "Antwort zu Ticket {ticket}:",
        "en": "Reply on ticket {ticket}:",
    },
}

# The ticket statuses as the widget shows them (handoff/web/static/widget/i18n.js).
STATUSES: dict[str, dict[str, str]] = {
    "new": {"de": "Neu", "en": "New"},
    "in_progress": {"de": "In Bearbeitung", "en": "In progress"},
    "on_hold": {"de": "Wartet auf Ihre Rückmeldung", "en": "Waiting for your reply"},
    "resolved": {"de": "Gelöst", "en": "Resolved"},
    "closed": {"de": "Geschlossen", "en": "Closed"},
    "cancelled": {"de": "Storniert", "en": "Cancelled"},
}

REASONS: dict[str, dict[str, str]] = {
    "timeout": {"de": "die Wartezeit ist zu lang", "en": "the wait has been too long"},
}


def text(key: str, lang: str, **values: object) -> str:
    """Return a system text in lang (German if lang is unknown), filled in."""
    variants = TEXTS[key]
    return variants.get(lang, variants["de"]).format(**values)


def status(key: str, lang: str) -> str:
    labels = STATUSES.get(key)
    return labels.get(lang, labels["de"]) if labels else key


def reason(key: str, lang: str) -> str:
    return REASONS[key].get(lang, REASONS[key]["de"])


WEEKDAYS = {
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def opening(moment: datetime, timezone: str, lang: str) -> str:
    """When the desk opens, as people say it: "Montag, 07:00 Uhr" / "Monday at 07:00"."""
    local = moment.astimezone(ZoneInfo(timezone))
    day = WEEKDAYS.get(lang, WEEKDAYS["de"])[local.weekday()]
    date = local.strftime("%d.%m." if lang == "de" else "%d/%m")
    if lang == "en":
        return f"{day} {date} at {local:%H:%M}"
    return f"{day}, {date}, um {local:%H:%M} Uhr"
