"""Which topic a request for a person is about (topics.for_handoff), without a database."""

from __future__ import annotations

from handoff.conversations import topics
from handoff.conversations.models import Topic


def _topic(number: int, slugs: list[str], state: str = "open") -> Topic:
    return Topic(id=number, number=number, slugs=slugs, state=state, failures=0, query="")


VPN = _topic(1, ["vpn-disconnects", "vpn-connect", "wifi-office"])
PRINTER = _topic(2, ["printer-add", "printer-not-printing", "scanner"], state="solved")


def test_a_request_is_split_into_sentences_but_not_at_an_ordinal() -> None:
    text = "Kann ich bitte mit jemandem sprechen?  Der Drucker im 3. Stock geht nicht. Danke! x"
    assert topics.sentences(text) == [
        "Kann ich bitte mit jemandem sprechen?",
        "Der Drucker im 3. Stock geht nicht.",
        "Danke!",
    ]


def test_the_newest_topic_the_request_names_is_the_one() -> None:
    older_vpn = _topic(0, ["vpn-connect"])
    found = [("WLAN?", ["wifi-home"]), ("Das VPN bricht ab", ["vpn-disconnects"])]
    assert topics.named([older_vpn, VPN, PRINTER], found) == (VPN, "Das VPN bricht ab")
    assert topics.named([VPN, PRINTER], [("Passwort", ["password-reset"])]) == (None, "")
    assert topics.named([VPN, PRINTER], []) == (None, "")
    # Only a sentence's best article names a topic: "Kann ich mit einem Mitarbeiter
    # sprechen?" finds new-employee-account first and the printer article only second.
    request = ("Mitarbeiter sprechen?", ["new-employee-account", "printer-add"])
    assert topics.named([VPN, PRINTER], [request]) == (None, "")
    # Where it ranks higher wins over the newer topic.
    wifi = _topic(3, ["wifi-office", "vpn-disconnects"])
    assert topics.named([VPN, PRINTER, wifi], [("VPN", ["vpn-disconnects"])])[0] is VPN


def test_naming_nothing_skips_a_topic_called_solved_for_the_newest_open_one() -> None:
    assert topics.for_handoff([VPN, PRINTER], PRINTER, None) is VPN
    assert topics.for_handoff([VPN, PRINTER], VPN, None) is VPN
    only_solved = _topic(3, ["printer-add"], state="solved")
    assert topics.for_handoff([only_solved], only_solved, None) is None
    assert topics.for_handoff([], None, None) is None


def test_a_solved_topic_the_request_names_is_reopened() -> None:
    printer = _topic(2, ["printer-add"], state="solved")
    assert topics.for_handoff([VPN, printer], printer, printer) is printer
    assert printer.state == "open"


def test_a_sure_answer_is_the_same_subject_only_if_the_old_search_found_it() -> None:
    mouse = ["keyboard-mouse", "mobile-email-setup", "browser-issues"]
    printer = ["printer-not-printing", "printer-add", "keyboard-mouse"]
    assert topics.same_subject(mouse, printer)  # unsure: the mouse article among its hits
    assert not topics.same_subject(mouse, printer, sure=True)
    rephrased = ["printer-add", "printer-not-printing"]
    assert topics.same_subject(printer, rephrased, sure=True)
