"""Health, search API, settings and the knowledge base's source format."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from handoff.config import Settings
from handoff.kb import indexing, source
from handoff.kb import service as kb_service

from .conftest import Helpdesk, make_settings, running_helpdesk

CATALOG_SLUGS = 41


async def test_health_reports_every_part(helpdesk: Helpdesk) -> None:
    response = await helpdesk.client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["search"]["documents"] == CATALOG_SLUGS * 2
    assert body["checks"]["bot"] == "ok"


async def test_health_is_unavailable_while_the_bot_is_down(sqlite_helpdesk: Helpdesk) -> None:
    sqlite_helpdesk.rasa.down = True
    response = await sqlite_helpdesk.client.get("/health")
    assert response.status_code == 503
    assert response.json()["checks"]["bot"] == "Rasa is not reachable"


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
    outcome = await indexing.rebuild_live(
        sessions=app.state.open_db,
        index_dir=sqlite_helpdesk.settings.index_dir,
        embedder=app.state.search.embedder,
        force=True,
    )
    assert outcome.build.id != good
    (Path(outcome.build.path) / "vectors.npy").write_bytes(b"garbage")
    response = await sqlite_helpdesk.client.get("/api/kb/search", params={"q": "VPN"})
    assert response.status_code == 200
    assert app.state.search.build_id == good
    assert "checksum" in (app.state.search.last_error or "")


def test_placeholder_secrets_are_refused_outside_dev_mode(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="HELPDESK_SECRET_KEY"):
        Settings(env="production", data_dir=tmp_path)
    assert Settings(env="dev", data_dir=tmp_path).dev_mode


async def test_dev_token_endpoint_exists_only_in_dev_mode(tmp_path: Path) -> None:
    async with running_helpdesk(make_settings(tmp_path)) as helpdesk:
        response = await helpdesk.client.post(
            "/api/dev/token", json={"email": "a@brandt.example", "name": "A"}
        )
        assert response.status_code == 404
    async with running_helpdesk(make_settings(tmp_path / "dev", env="dev")) as helpdesk:
        response = await helpdesk.client.post(
            "/api/dev/token", json={"email": "a@brandt.example", "name": "A"}
        )
        assert response.status_code == 200
        token = response.json()["token"]
        chat = await helpdesk.client.post(
            "/api/chat/sessions", headers={"Authorization": f"Bearer {token}"}
        )
        assert chat.status_code == 201


async def test_export_writes_back_what_the_seed_import_read(
    sqlite_helpdesk: Helpdesk, tmp_path: Path
) -> None:
    async with sqlite_helpdesk.app.state.open_db() as db:
        exported = await kb_service.export_articles(db=db)
    for article, status in exported:
        source.write_article(tmp_path / "export", article, status)
    original = {a.slug: (a, s) for a, s in source.read_all(sqlite_helpdesk.settings.kb_seed_dir)}
    again = {a.slug: (a, s) for a, s in source.read_all(tmp_path / "export")}
    assert len(again) == CATALOG_SLUGS
    assert again == original


async def test_import_adds_a_version_only_for_changed_articles(
    sqlite_helpdesk: Helpdesk,
) -> None:
    articles = source.read_all(sqlite_helpdesk.settings.kb_seed_dir)
    changed = articles[0][0].model_copy(update={"tags": [*articles[0][0].tags, "neu"]})
    async with sqlite_helpdesk.app.state.open_db() as db:
        report = await kb_service.import_articles(
            db=db, articles=[(changed, "published"), *articles[1:]], author="test"
        )
        article = await kb_service.get_article(db=db, slug=changed.slug)
    assert (report.created, report.updated, report.unchanged) == (0, 1, CATALOG_SLUGS - 1)
    assert article.latest_version == 2 and article.published_version == 2
