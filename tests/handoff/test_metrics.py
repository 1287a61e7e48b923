"""GET /metrics: request metrics, the bot's round trip, search time and database gauges."""

from __future__ import annotations

import re

from .conftest import Helpdesk


def _value(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert match, f"{name} missing from /metrics"
    return float(match.group(1))


async def test_metrics_count_what_happened(helpdesk: Helpdesk) -> None:
    headers = helpdesk.as_employee()
    cid = await helpdesk.start_chat(headers)
    sent = await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages",
        json={"text": "Mein Drucker druckt nicht"},
        headers=headers,
    )
    assert sent.status_code == 200
    found = await helpdesk.client.get("/api/kb/search", params={"q": "VPN", "k": 3})
    assert found.status_code == 200

    response = await helpdesk.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert _value(text, 'helpdesk_conversations{state="bot"}') == 1
    assert _value(text, 'helpdesk_employee_messages{status="answered"}') == 1
    assert _value(text, "helpdesk_queue_length") == 0
    assert _value(text, 'helpdesk_bot_round_trip_seconds_count{call="message"}') == 1
    assert _value(text, "helpdesk_search_seconds_count") >= 1
    assert re.search(
        r'^http_requests_total\{handler="/api/kb/search",method="GET",status="2xx"\} 1\.0$',
        text,
        re.MULTILINE,
    )


async def test_gauges_follow_the_database(sqlite_helpdesk: Helpdesk) -> None:
    headers = sqlite_helpdesk.as_employee()
    await sqlite_helpdesk.start_chat(headers)
    await sqlite_helpdesk.start_chat(sqlite_helpdesk.as_employee("b@brandt.example", "B"))
    sqlite_helpdesk.app.state.metrics.refreshed_at = 0.0
    text = (await sqlite_helpdesk.client.get("/metrics")).text
    assert _value(text, 'helpdesk_conversations{state="bot"}') == 2
    jobs = re.findall(r"^helpdesk_index_rebuild_jobs\{state=\"(\w+)\"\} ([0-9.]+)$", text, re.M)
    assert sum(float(count) for _, count in jobs) >= 1  # the index built at start-up


async def test_metrics_stay_out_of_the_api_documentation(sqlite_helpdesk: Helpdesk) -> None:
    schema = (await sqlite_helpdesk.client.get("/openapi.json")).json()
    assert "/metrics" not in schema["paths"]
