"""A real uvicorn process: credentials never reach its logs; refused sockets get their codes."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from handoff.auth.employees import issue_token

from .live_server import live_server


def _token(env: dict[str, str], email: str = "anna.berger@brandt.example") -> str:
    return issue_token(
        secret=env["HELPDESK_EMPLOYEE_TOKEN_SECRET"], issuer="intranet", email=email, name="Anna"
    )


async def _closed_with(url: str) -> int | None:
    async with websockets.connect(url) as ws:
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        return ws.close_code


async def test_tokens_never_reach_the_logs_and_refusals_carry_codes(tmp_path: Path) -> None:
    with live_server(tmp_path) as server:
        token = _token(server.env)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            cid = (await http.post("/api/chat/sessions", json={}, headers=headers)).json()[
                "conversation_id"
            ]
            await http.get("/health", params={"token": "query-secret-1234"})
        async with websockets.connect(f"{server.ws_url}/ws/chat/{cid}?token={token}") as ws:
            await ws.send(json.dumps({"type": "ping"}))
            assert json.loads(await ws.recv()) == {"type": "pong"}
            await ws.send(b"\x00\x01binary")
            assert json.loads(await ws.recv())["type"] == "error"
            await ws.send(json.dumps({"type": "ping"}))
            assert json.loads(await ws.recv()) == {"type": "pong"}  # still open
        base = f"{server.ws_url}/ws/chat/{cid}"
        assert await _closed_with(f"{base}?token=forged") == 4401
        assert await _closed_with(f"{base}?token={token}&after=x") == 4400
        other = _token(server.env, "bob@brandt.example")
        assert await _closed_with(f"{base}?token={other}") == 4404
        assert await _closed_with(f"{server.ws_url}/ws/agent?token=not-a-login") == 4401
        output = server.output()
    assert "token=***" in output  # the socket lines are logged, without their credentials
    assert token not in output
    assert "query-secret-1234" not in output
    assert "Traceback" not in output


async def test_oversized_socket_frames_are_refused(tmp_path: Path) -> None:
    """Over 16,384 characters: an error frame, the socket stays; over 256 KiB: closed (1009)."""
    with live_server(tmp_path) as server:
        token = _token(server.env)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            cid = (await http.post("/api/chat/sessions", json={}, headers=headers)).json()[
                "conversation_id"
            ]
        url = f"{server.ws_url}/ws/chat/{cid}?token={token}"
        async with websockets.connect(url, max_size=None) as ws:
            await ws.send(json.dumps({"type": "ping", "pad": "x" * 20_000}))
            error = json.loads(await ws.recv())
            assert error["type"] == "error" and "16384" in error["detail"]
            await ws.send(json.dumps({"type": "ping"}))
            assert json.loads(await ws.recv()) == {"type": "pong"}
            await ws.send("y" * (300 * 1024))
            with pytest.raises(ConnectionClosed):
                await ws.recv()
            assert ws.close_code == 1009  # message too big
        assert "Traceback" not in server.output()
