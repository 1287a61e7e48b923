"""The three sections every article body has (see kb/README.md)."""

from __future__ import annotations

import re

HEADINGS = {
    "check_first": ("zuerst prüfen", "check first"),
    "steps": ("schritte", "steps"),
    "still_not_working": ("klappt es nicht?", "still not working?"),
}
_HEADING = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)


def split_sections(body: str) -> dict[str, str]:
    """Return {"intro", "check_first", "steps", "still_not_working"} (missing ones empty)."""
    out = {"intro": "", "check_first": "", "steps": "", "still_not_working": ""}
    matches = list(_HEADING.finditer(body))
    out["intro"] = body[: matches[0].start()].strip() if matches else body.strip()
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        heading = match.group(1).strip().lower()
        for key, names in HEADINGS.items():
            if heading in names:
                out[key] = body[match.end() : end].strip()
    return out
