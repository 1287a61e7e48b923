"""Synthetic IT-support documents, articles and queries for the speed benchmarks (deterministic)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kb_index import Document

PRODUCTS = """Outlook Teams Excel Word PowerPoint OneDrive SharePoint GlobalProtect VPN Wi-Fi
printer scanner docking-station monitor headset webcam keyboard mouse laptop BitLocker
Authenticator MFA SAP Salesforce Zoom Chrome Edge Firefox Windows macOS iPhone Android
Intune Defender Acrobat Visio Jira Confluence Citrix RDP Dropbox Slack badge-reader""".split()
PROBLEMS = """does-not-start crashes freezes is-slow shows-an-error cannot-connect disconnects
keeps-asking-for-password is-locked has-expired is-missing does-not-sync will-not-print
has-no-sound flickers overheats drains-the-battery is-blocked cannot-install needs-a-licence
lost-the-settings is-full cannot-find-the-file was-deleted was-stolen got-a-virus""".split()
CONTEXTS = """after-the-update at-home in-the-office on-the-train since-this-morning after-a-restart
with-the-new-laptop on-the-guest-network when-presenting in-a-meeting for-the-whole-team
after-the-password-change on-battery with-the-docking-station abroad over-the-vpn""".split()
DETAILS = """error 0x80070005 error 809 code 53003 AADSTS50076 event-id 4740 status 0x8004de40
the-icon-is-red the-screen-stays-black a-popup-appears nothing-happens it-says-access-denied
the-queue-is-stuck the-light-blinks it-worked-yesterday colleagues-have-the-same-problem
only-this-device only-one-user the-reset-did-not-help the-cable-is-plugged-in""".split()
ACTIONS = """restart-the-device sign-out-and-in-again clear-the-cache reinstall-the-app
open-a-ticket call-the-service-desk check-the-status-page update-the-driver reset-the-password
reconnect-the-cable remove-and-add-the-account request-access-in-the-portal""".split()


def _words(token: str) -> str:
    return token.replace("-", " ")


def synthetic_documents(n: int, *, seed: int = 7) -> list[Document]:
    """n short English support notes (about 15 words): problem, context, detail, fix."""
    rng = np.random.default_rng(seed)
    picks = [
        rng.integers(0, len(vocabulary), n)
        for vocabulary in (PRODUCTS, PROBLEMS, CONTEXTS, DETAILS, ACTIONS, PRODUCTS)
    ]
    docs = []
    for i in range(n):
        product, problem, context, detail, action, other = (p[i] for p in picks)
        text = (
            f"{PRODUCTS[product]} {_words(PROBLEMS[problem])} {_words(CONTEXTS[context])}, "
            f"{_words(DETAILS[detail])}: {_words(ACTIONS[action])} ({PRODUCTS[other]} {i})"
        )
        docs.append(Document(id=f"doc-{i}", text=text, lang="en"))
    return docs


def synthetic_articles(n: int, *, seed: int = 3) -> list[Document]:
    """n articles as editors write them: title, two example questions, a three-part body."""
    rng = np.random.default_rng(seed)
    docs = []
    for i in range(n):
        product = PRODUCTS[rng.integers(len(PRODUCTS))]
        problem = _words(PROBLEMS[rng.integers(len(PROBLEMS))])
        context = _words(CONTEXTS[rng.integers(len(CONTEXTS))])
        detail = _words(DETAILS[rng.integers(len(DETAILS))])
        action = _words(ACTIONS[rng.integers(len(ACTIONS))])
        docs.append(
            Document(
                id=f"article-{i}",
                lang="en",
                title=f"{product} {problem} ({i})",
                questions=(f"my {product} {problem}", f"{product} {problem} {context}"),
                text=(
                    f"## Check first\n- {detail}\n\n## Steps\n1. {action}\n2. restart the "
                    f"{product}\n\n## Still not working?\nOpen a ticket and mention {detail}."
                ),
            )
        )
    return docs


def synthetic_queries(n: int, *, seed: int = 11) -> list[str]:
    """n employee-style queries over the same vocabulary."""
    rng = np.random.default_rng(seed)
    queries = []
    for _ in range(n):
        product = PRODUCTS[rng.integers(len(PRODUCTS))]
        problem = _words(PROBLEMS[rng.integers(len(PROBLEMS))])
        context = _words(CONTEXTS[rng.integers(len(CONTEXTS))])
        queries.append(f"my {product} {problem} {context}")
    return queries


def edited(docs: list[Document], count: int) -> list[Document]:
    """The same collection with `count` documents edited (spread over it)."""
    step = max(1, len(docs) // count)
    return [
        replace(d, text=d.text + " (updated)") if i % step == 0 and i // step < count else d
        for i, d in enumerate(docs)
    ]
