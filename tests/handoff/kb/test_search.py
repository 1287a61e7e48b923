"""The search API over the live index, and a broken new build."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.kb.rebuild import Rebuilder

from ..conftest import Helpdesk


async def test_search_finds_a_seeded_article_in_the_query_language(helpdesk: Helpdesk) -> None:
    response = await helpdesk.client.get(
        "/api/kb/search", params={"q": "Drucker druckt nicht", "k": 3, "lang": "de"}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"hits", "confident"}
    assert len(body["hits"]) == 3
    top = body["hits"][0]
    assert set(top) == {"slug", "title", "lang", "score"}
    assert top["slug"] == "printer-not-printing"
    assert top["lang"] == "de"
    assert body["hits"][0]["score"] >= body["hits"][1]["score"]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"q": ""}, "the query is empty"),
        ({"q": "   \t "}, "the query is empty"),
        ({"q": "x" * 501}, "the limit is 500"),
    ],
)
async def test_search_refuses_bad_queries_clearly(
    sqlite_helpdesk: Helpdesk, params: dict[str, str], detail: str
) -> None:
    response = await sqlite_helpdesk.client.get("/api/kb/search", params=params)
    assert response.status_code == 422
    assert detail in response.json()["detail"]


async def test_search_refuses_unknown_language_and_k(sqlite_helpdesk: Helpdesk) -> None:
    client = sqlite_helpdesk.client
    assert (
        await client.get("/api/kb/search", params={"q": "vpn", "lang": "fr"})
    ).status_code == 422
    assert (await client.get("/api/kb/search", params={"q": "vpn", "k": 0})).status_code == 422
    assert (await client.get("/api/kb/search", params={"q": "vpn", "k": 51})).status_code == 422


async def test_markup_in_a_query_is_just_text(sqlite_helpdesk: Helpdesk) -> None:
    response = await sqlite_helpdesk.client.get(
        "/api/kb/search", params={"q": "<script>alert(1)</script> VPN"}
    )
    assert response.status_code == 200
    assert response.json()["hits"]


async def test_a_corrupt_new_build_leaves_the_last_good_index_serving(
    sqlite_helpdesk: Helpdesk,
) -> None:
    app = sqlite_helpdesk.app
    good = app.state.search.build_id
    # A second process's rebuild: this process's search learns of it on its next search.
    rebuilder = Rebuilder(
        open_db=app.state.open_db,
        settings=sqlite_helpdesk.settings,
        embedder=app.state.search.embedder,
    )
    outcome = await rebuilder.rebuild(requested_by="test", quality_gate=False, force=True)
    assert outcome.build.id != good and outcome.build.live
    (Path(outcome.build.path) / "vectors.npy").write_bytes(b"garbage")
    response = await sqlite_helpdesk.client.get("/api/kb/search", params={"q": "VPN"})
    assert response.status_code == 200
    assert app.state.search.build_id == good
    assert "checksum" in (app.state.search.last_error or "")
