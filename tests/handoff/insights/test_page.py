"""The Insights page: for leads and admins, with the vendored chart library and its licence."""

from __future__ import annotations

import re

from handoff.web import assets

from ..conftest import Helpdesk
from ..factories import staff


async def test_the_page_is_for_leads_and_admins(sqlite_helpdesk: Helpdesk) -> None:
    client = sqlite_helpdesk.client
    anonymous = await client.get("/console/insights", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/console/login?next=/console/insights")
    agent = await staff(sqlite_helpdesk, "agent")
    client.cookies.update(agent["cookies"])
    assert (await client.get("/console/insights")).status_code == 403
    assert 'href="/console/insights"' not in (await client.get("/console")).text
    client.cookies.clear()
    lead = await staff(sqlite_helpdesk, "lead")
    client.cookies.update(lead["cookies"])
    page = await client.get("/console/insights")
    assert page.status_code == 200
    assert 'href="/console/insights" aria-current="page"' in page.text
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', page.text)
    assert assets.url("vendor/chart.js/chart.umd.js") in scripts
    for src in scripts:  # served by the service itself: no CDN
        assert src.startswith("/static/"), src
        assert (await client.get(src)).status_code == 200, src
    assert (
        (assets.STATIC_DIR / "vendor/chart.js/LICENSE.md").read_text().startswith("The MIT License")
    )
