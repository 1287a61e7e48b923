"""Knowledge editors: articles with versions, import/export, rebuilds with a quality gate."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from ..conftest import Helpdesk
from ..factories import staff

NEW_ARTICLE = {
    "slug": "beamer-connect",
    "category": "hardware",
    "tags": ["beamer", "projector"],
    "translations": {
        "de": {
            "title": "Beamer im Besprechungsraum verbinden",
            "body": "Kurz.\n\n## Zuerst prüfen\n- Kabel\n\n## Schritte\n1. HDMI einstecken\n"
            "2. Windows-Taste + P drücken\n\n## Klappt es nicht?\nRufen Sie 4357 an.",
            "questions": ["Beamer zeigt kein Bild", "Wie verbinde ich den Beamer?"],
        },
    },
}


FINISHED = ("succeeded", "failed", "rejected")


async def _wait_job(
    helpdesk: Helpdesk,
    job_id: str,
    headers: dict[str, str],
    seconds: float = 120,
    meanwhile: Callable[[], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """Poll a job until it has finished (at most `seconds`), running `meanwhile` each round."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if meanwhile is not None:
            await meanwhile()
        job = (await helpdesk.client.get(f"/api/kb/index/jobs/{job_id}", headers=headers)).json()
        if job["state"] in FINISHED:
            return dict(job)
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish within {seconds} s")


async def test_employees_and_agents_cannot_edit(sqlite_helpdesk: Helpdesk) -> None:
    agent = await staff(sqlite_helpdesk, "agent")
    paths = [
        (m.upper(), p)
        for p, item in sqlite_helpdesk.app.openapi()["paths"].items()
        if p.startswith("/api/kb") and p != "/api/kb/search"
        for m in item
    ]
    assert len(paths) >= 18
    for method, path in paths:
        url = (
            path.replace("{slug}", "vpn-connect")
            .replace("{number}", "1")
            .replace("{job_id}", "x")
            .replace("{conversation_id}", "x")
        )
        for headers, expected in (
            (sqlite_helpdesk.as_employee(), 401),
            ({}, 401),
            (agent["headers"], 403),
        ):
            response = await sqlite_helpdesk.client.request(method, url, headers=headers, json={})
            assert response.status_code == expected, (method, url, response.status_code)


async def test_an_article_lives_through_draft_publish_edit_restore_delete(
    helpdesk: Helpdesk,
) -> None:
    editor = (await staff(helpdesk, "editor"))["headers"]
    client = helpdesk.client
    created = await client.post("/api/kb/articles", json=NEW_ARTICLE, headers=editor)
    assert created.status_code == 201
    assert created.json()["status"] == "draft" and created.json()["version"] == 1
    again = await client.post("/api/kb/articles", json=NEW_ARTICLE, headers=editor)
    assert again.status_code == 409
    bad = await client.post(
        "/api/kb/articles", json={**NEW_ARTICLE, "slug": "Not A Slug"}, headers=editor
    )
    assert bad.status_code == 422
    drafts = await client.get("/api/kb/articles", params={"status": "draft"}, headers=editor)
    assert [a["slug"] for a in drafts.json()["articles"]] == ["beamer-connect"]
    published = await client.post("/api/kb/articles/beamer-connect/publish", headers=editor)
    assert published.json()["published_version"] == 1
    edit = {
        **NEW_ARTICLE,
        "note": "English text added",
        "translations": {
            **NEW_ARTICLE["translations"],  # type: ignore[dict-item]
            "en": {
                "title": "Connect the projector",
                "body": "Short.\n\n## Steps\n1. Plug in HDMI",
                "questions": ["projector shows nothing"],
            },
        },
    }
    edit.pop("slug")
    edited = (await client.put("/api/kb/articles/beamer-connect", json=edit, headers=editor)).json()
    assert edited["version"] == 2 and edited["published_version"] == 1
    assert edited["unpublished_changes"] is True
    history = (await client.get("/api/kb/articles/beamer-connect/versions", headers=editor)).json()[
        "versions"
    ]
    assert [(v["number"], v["published"], v["note"]) for v in history] == [
        (2, False, "English text added"),
        (1, True, "created"),
    ]
    assert history[0]["author"].startswith("editor")
    diff = (
        await client.get(
            "/api/kb/articles/beamer-connect/diff", params={"from": 1, "to": 2}, headers=editor
        )
    ).json()["diff"]
    assert "+[en] title: Connect the projector" in diff
    restored = (
        await client.post("/api/kb/articles/beamer-connect/versions/1/restore", headers=editor)
    ).json()
    assert restored["version"] == 3 and set(restored["translations"]) == {"de"}
    assert (
        await client.delete("/api/kb/articles/beamer-connect", headers=editor)
    ).status_code == 204
    assert (await client.get("/api/kb/articles/beamer-connect", headers=editor)).status_code == 404


async def test_export_and_import_as_zip_and_csv(sqlite_helpdesk: Helpdesk) -> None:
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    client = sqlite_helpdesk.client
    archive = await client.get("/api/kb/export", params={"format": "zip"}, headers=editor)
    assert archive.headers["content-type"] == "application/zip"
    same = await client.post(
        "/api/kb/import", files={"file": ("kb.zip", archive.content)}, headers=editor
    )
    assert same.json() == {"created": 0, "updated": 0, "unchanged": 42}
    table = (await client.get("/api/kb/export", params={"format": "csv"}, headers=editor)).text
    rows = list(csv.DictReader(io.StringIO(table)))
    assert len(rows) == 84 and {r["lang"] for r in rows} == {"de", "en"}
    rows = [r for r in rows if r["slug"] == "vpn-connect"]
    rows[0]["slug"] = rows[1]["slug"] = "vpn-connect-copy"
    rows[0]["status"] = rows[1]["status"] = "draft"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    imported = await client.post(
        "/api/kb/import",
        files={"file": ("faq.csv", out.getvalue().encode(), "text/csv")},
        headers=editor,
    )
    assert imported.json() == {"created": 1, "updated": 0, "unchanged": 0}
    copy = (await client.get("/api/kb/articles/vpn-connect-copy", headers=editor)).json()
    assert copy["status"] == "draft" and set(copy["translations"]) == {"de", "en"}
    broken = await client.post(
        "/api/kb/import",
        files={"file": ("faq.csv", b"slug,title\nx,y\n", "text/csv")},
        headers=editor,
    )
    assert broken.status_code == 422 and "missing CSV columns" in broken.json()["detail"]
    not_zip = await client.post(
        "/api/kb/import", files={"file": ("kb.zip", b"nope")}, headers=editor
    )
    assert not_zip.status_code == 422


async def test_a_rebuild_makes_a_published_article_searchable(helpdesk: Helpdesk) -> None:
    editor = (await staff(helpdesk, "editor"))["headers"]
    client = helpdesk.client
    await client.post("/api/kb/articles", json=NEW_ARTICLE, headers=editor)
    await client.post("/api/kb/articles/beamer-connect/publish", headers=editor)
    tried = (
        await client.get(
            "/api/kb/try", params={"q": "Beamer zeigt kein Bild", "lang": "de"}, headers=editor
        )
    ).json()
    assert tried["draft"]["hits"][0]["slug"] == "beamer-connect"
    assert all(h["slug"] != "beamer-connect" for h in tried["live"]["hits"])
    started = await client.post("/api/kb/index/rebuild", headers=editor)
    assert started.status_code == 202
    joined = await client.post("/api/kb/index/rebuild", headers=editor)
    assert joined.json()["id"] == started.json()["id"]
    job = await _wait_job(helpdesk, started.json()["id"], editor)
    assert job["state"] == "succeeded" and job["progress"] == 1.0
    assert job["embedded"] < job["documents"]  # only the new article was embedded
    assert job["quality"]["passed"] is True
    found = (
        await client.get("/api/kb/search", params={"q": "Beamer zeigt kein Bild", "lang": "de"})
    ).json()
    assert found["hits"][0]["slug"] == "beamer-connect"


async def test_the_quality_gate_blocks_a_harmful_edit_until_an_admin_overrides(
    sqlite_helpdesk: Helpdesk,
) -> None:
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    admin = (await staff(sqlite_helpdesk, "admin"))["headers"]
    client = sqlite_helpdesk.client
    for slug in ("password-reset", "printer-not-printing", "vpn-connect", "outlook-not-syncing"):
        junk = {
            "category": "general",
            "tags": [],
            "translations": {
                lang: {
                    "title": "Kantine Speiseplan",
                    "body": "Heute gibt es Suppe.",
                    "questions": [],
                }
                for lang in ("de", "en")
            },
        }
        await client.put(f"/api/kb/articles/{slug}", json=junk, headers=editor)
        await client.post(f"/api/kb/articles/{slug}/publish", headers=editor)
    live_before = sqlite_helpdesk.app.state.search.build_id
    started = (await client.post("/api/kb/index/rebuild", headers=editor)).json()
    job = await _wait_job(sqlite_helpdesk, started["id"], editor)
    assert job["state"] == "rejected"
    assert job["quality"]["candidate"] < job["quality"]["baseline"] - 0.02
    worse = {r["expected"] for r in job["quality"]["regressions"]}
    assert "password-reset" in worse and "printer-not-printing" in worse
    assert sqlite_helpdesk.app.state.search.build_id == live_before
    denied = await client.post(
        f"/api/kb/index/jobs/{job['id']}/override", json={"reason": "on purpose"}, headers=editor
    )
    assert denied.status_code == 403
    forced = await client.post(
        f"/api/kb/index/jobs/{job['id']}/override",
        json={"reason": "Kantine statt IT, gewollt"},
        headers=admin,
    )
    assert forced.status_code == 200 and forced.json()["override"]["reason"]
    await client.get("/api/kb/search", params={"q": "VPN"})
    assert sqlite_helpdesk.app.state.search.build_id == job["id"]


async def test_searches_during_a_rebuild_all_succeed(helpdesk: Helpdesk) -> None:
    editor = (await staff(helpdesk, "editor"))["headers"]
    client = helpdesk.client
    await client.post("/api/kb/articles", json=NEW_ARTICLE, headers=editor)
    await client.post("/api/kb/articles/beamer-connect/publish", headers=editor)
    before = (await client.get("/api/kb/search", params={"q": "Beamer zeigt kein Bild"})).json()
    started = (await client.post("/api/kb/index/rebuild", headers=editor)).json()
    answers = []

    async def search() -> None:
        response = await client.get("/api/kb/search", params={"q": "Beamer zeigt kein Bild"})
        assert response.status_code == 200
        answers.append(response.json()["hits"][0]["slug"])

    state = (await _wait_job(helpdesk, started["id"], editor, meanwhile=search))["state"]
    after = (await client.get("/api/kb/search", params={"q": "Beamer zeigt kein Bild"})).json()
    assert state == "succeeded" and len(answers) >= 2
    assert set(answers) <= {before["hits"][0]["slug"], after["hits"][0]["slug"]}
    assert after["hits"][0]["slug"] == "beamer-connect"


async def test_a_crash_mid_build_leaves_the_old_index_serving(
    sqlite_helpdesk: Helpdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    client = sqlite_helpdesk.client
    await client.post("/api/kb/articles", json=NEW_ARTICLE, headers=editor)
    await client.post("/api/kb/articles/beamer-connect/publish", headers=editor)
    embedder = sqlite_helpdesk.app.state.search.embedder
    original = embedder.encode

    def crash(texts: Any, **kwargs: Any) -> Any:
        if kwargs.get("progress"):
            raise MemoryError("simulated crash while embedding")
        return original(texts, **kwargs)

    monkeypatch.setattr(embedder, "encode", crash)
    live = sqlite_helpdesk.app.state.search.build_id
    job = await _wait_job(
        sqlite_helpdesk,
        (await client.post("/api/kb/index/rebuild", headers=editor)).json()["id"],
        editor,
    )
    assert job["state"] == "failed" and "simulated crash" in job["message"]
    search = await client.get("/api/kb/search", params={"q": "VPN"})
    assert search.status_code == 200 and sqlite_helpdesk.app.state.search.build_id == live
    monkeypatch.setattr(embedder, "encode", original)
    retry = await _wait_job(
        sqlite_helpdesk,
        (await client.post("/api/kb/index/rebuild", headers=editor)).json()["id"],
        editor,
    )
    assert retry["state"] == "succeeded"


async def test_version_numbers_beyond_any_version_are_refused_not_500(
    sqlite_helpdesk: Helpdesk,
) -> None:
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    huge = "298522084161913510159095693312"
    base = "/api/kb/articles/vpn-connect"
    for method, url, params in (
        ("GET", f"{base}/versions/{huge}", {}),
        ("POST", f"{base}/versions/{huge}/restore", {}),
        ("GET", f"{base}/diff", {"from": huge, "to": "1"}),
    ):
        response = await sqlite_helpdesk.client.request(method, url, params=params, headers=editor)
        assert response.status_code == 422, (url, response.status_code)
    missing = await sqlite_helpdesk.client.get(f"{base}/versions/999", headers=editor)
    assert missing.status_code == 404


def _indexed_slugs(helpdesk: Helpdesk, path: str) -> set[str]:
    from kb_index import store

    embedder = helpdesk.app.state.search.embedder
    stored = store.read(Path(path), model_id=embedder.model_id, dimension=embedder.dimension)
    return {d.id for d in stored.documents}


async def test_deleting_archives_a_rebuild_drops_it_and_restoring_brings_it_back(
    sqlite_helpdesk: Helpdesk,
) -> None:
    from handoff.kb.rebuild import Rebuilder

    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    client, app = sqlite_helpdesk.client, sqlite_helpdesk.app
    rebuilder = Rebuilder(
        open_db=app.state.open_db,
        settings=sqlite_helpdesk.settings,
        embedder=app.state.search.embedder,
    )
    before = (await client.get("/api/kb/articles/vpn-connect", headers=editor)).json()
    assert before["status"] == "published"
    assert (await client.delete("/api/kb/articles/vpn-connect", headers=editor)).status_code == 204
    assert (await client.get("/api/kb/articles/vpn-connect", headers=editor)).status_code == 404
    archive = (await client.get("/api/kb/archive", headers=editor)).json()["articles"]
    assert [(a["slug"], a["status"]) for a in archive] == [("vpn-connect", "published")]
    listed = (await client.get("/api/kb/articles", headers=editor)).json()["articles"]
    assert "vpn-connect" not in [a["slug"] for a in listed]

    dropped = await rebuilder.rebuild(requested_by="cli", quality_gate=False, force=True)
    assert dropped.build.state == "succeeded"
    indexed = _indexed_slugs(sqlite_helpdesk, dropped.build.path)
    assert "vpn-connect" not in indexed and "vpn-disconnects" in indexed

    restored = await client.post("/api/kb/archive/vpn-connect/restore", headers=editor)
    assert restored.status_code == 200
    keep = ("status", "version", "published_version", "translations")
    assert {k: restored.json()[k] for k in keep} == {k: before[k] for k in keep}
    assert (await client.get("/api/kb/archive", headers=editor)).json()["articles"] == []
    again = await client.post("/api/kb/archive/vpn-connect/restore", headers=editor)
    assert again.status_code == 404
    back = await rebuilder.rebuild(requested_by="cli", quality_gate=False, force=True)
    assert "vpn-connect" in _indexed_slugs(sqlite_helpdesk, back.build.path)
    events = (
        await client.get("/api/admin/audit", params={"target": "vpn-connect"}, headers=editor)
    ).status_code
    assert events == 403  # editors do not read the audit log; admins do (below)
    admin = (await staff(sqlite_helpdesk, "admin"))["headers"]
    logged = await client.get("/api/admin/audit", params={"target": "vpn-connect"}, headers=admin)
    assert [e["action"] for e in logged.json()["events"]][:2] == ["kb.restore", "kb.archive"]


async def _slugs_found(helpdesk: Helpdesk, q: str) -> list[str]:
    found = await helpdesk.client.get("/api/kb/search", params={"q": q, "lang": "de", "k": 10})
    assert found.status_code == 200, found.text
    return [h["slug"] for h in found.json()["hits"]]


async def test_an_archived_article_leaves_search_at_once_and_restoring_brings_it_back(
    sqlite_helpdesk: Helpdesk,
) -> None:
    """No rebuild runs meanwhile (another process holds the slot): the live index still
    holds the article, search leaves it out; once that rebuild ends, one more follows."""
    from handoff.kb.rebuild import Rebuilder

    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    app = sqlite_helpdesk.app
    other = Rebuilder(
        open_db=app.state.open_db,
        settings=sqlite_helpdesk.settings,
        embedder=app.state.search.embedder,
    )
    live = app.state.search.build_id
    assert "vpn-connect" in await _slugs_found(sqlite_helpdesk, "VPN verbindet nicht")
    held, started = await other.claim(requested_by="editor-elsewhere")
    assert started

    archived = await sqlite_helpdesk.client.delete("/api/kb/articles/vpn-connect", headers=editor)
    assert archived.status_code == 204
    found = await _slugs_found(sqlite_helpdesk, "VPN verbindet nicht")
    assert "vpn-connect" not in found and len(found) == 10  # the others fill up to k
    assert app.state.search.build_id == live
    assert "vpn-connect" in _indexed_slugs(sqlite_helpdesk, app.state.search.index.path)

    restored = await sqlite_helpdesk.client.post(
        "/api/kb/archive/vpn-connect/restore", headers=editor
    )
    assert restored.status_code == 200
    assert "vpn-connect" in await _slugs_found(sqlite_helpdesk, "VPN verbindet nicht")
    # Both changes joined the held rebuild; when it has ended, one follow-up rebuild (if the
    # articles differ from the live index) keeps the index in step.
    jobs = app.state.rebuild_jobs
    assert len(jobs.follow_ups) == 1
    await other.run(build_id=held.id, quality_gate=False)
    await asyncio.wait_for(asyncio.gather(*jobs.follow_ups), 60)
    assert "vpn-connect" in await _slugs_found(sqlite_helpdesk, "VPN verbindet nicht")


async def test_archiving_a_published_article_starts_a_rebuild_that_drops_it(
    sqlite_helpdesk: Helpdesk,
) -> None:
    editor_user = await staff(sqlite_helpdesk, "editor")
    editor = editor_user["headers"]
    client, app = sqlite_helpdesk.client, sqlite_helpdesk.app
    before = (await client.get("/api/kb/index", headers=editor)).json()
    await client.post("/api/kb/articles", json=NEW_ARTICLE, headers=editor)
    draft = await client.delete("/api/kb/articles/beamer-connect", headers=editor)
    assert draft.status_code == 204  # never published: nothing to rebuild
    assert (await client.get("/api/kb/index", headers=editor)).json()["jobs"] == before["jobs"]

    assert (await client.delete("/api/kb/articles/vpn-connect", headers=editor)).status_code == 204
    jobs = (await client.get("/api/kb/index", headers=editor)).json()["jobs"]
    started = [j for j in jobs if j["id"] not in {b["id"] for b in before["jobs"]}]
    assert len(started) == 1 and started[0]["requested_by"] == editor_user["username"]
    job = await _wait_job(sqlite_helpdesk, started[0]["id"], editor)
    assert job["state"] == "succeeded", job
    await client.get("/api/kb/search", params={"q": "VPN"})
    assert app.state.search.build_id == job["id"]
    assert "vpn-connect" not in _indexed_slugs(sqlite_helpdesk, app.state.search.index.path)

    restored = await client.post("/api/kb/archive/vpn-connect/restore", headers=editor)
    assert restored.status_code == 200
    again = (await client.get("/api/kb/index", headers=editor)).json()["jobs"][0]
    assert again["id"] != job["id"]
    back = await _wait_job(sqlite_helpdesk, again["id"], editor)
    assert back["state"] == "succeeded", back
    assert "vpn-connect" in await _slugs_found(sqlite_helpdesk, "VPN verbindet nicht")


async def test_archived_articles_are_no_regression_for_the_quality_gate(
    sqlite_helpdesk: Helpdesk,
) -> None:
    """Archiving the articles with the most evaluation questions is what the editor wanted:
    the gate leaves their questions out instead of rejecting every later rebuild."""
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    client, app = sqlite_helpdesk.client, sqlite_helpdesk.app
    archived = {"password-reset", "printer-not-printing", "vpn-connect", "outlook-not-syncing"}
    for slug in sorted(archived):
        assert (await client.delete(f"/api/kb/articles/{slug}", headers=editor)).status_code == 204
    jobs = app.state.rebuild_jobs
    while jobs.follow_ups or any(not t.done() for t in jobs.tasks.values()):
        await asyncio.wait_for(asyncio.gather(*jobs.tasks.values(), *jobs.follow_ups), 240)
    overview = (await client.get("/api/kb/index", headers=editor)).json()
    latest = overview["jobs"][0]
    job = await _wait_job(sqlite_helpdesk, latest["id"], editor)
    assert job["state"] == "succeeded", job
    assert job["quality"]["passed"] is True
    assert not {r["expected"] for r in job["quality"]["regressions"]} & archived
    await client.get("/api/kb/search", params={"q": "VPN"})
    assert not archived & _indexed_slugs(sqlite_helpdesk, app.state.search.index.path)


async def test_an_export_is_in_the_audit_log(sqlite_helpdesk: Helpdesk) -> None:
    editor_user = await staff(sqlite_helpdesk, "editor")
    admin = (await staff(sqlite_helpdesk, "admin"))["headers"]
    client = sqlite_helpdesk.client
    for format in ("zip", "csv"):
        exported = await client.get(
            "/api/kb/export", params={"format": format}, headers=editor_user["headers"]
        )
        assert exported.status_code == 200
    logged = await client.get("/api/admin/audit", params={"action": "kb.export"}, headers=admin)
    events = logged.json()["events"]
    assert [(e["actor"], e["target"], e["detail"]["format"]) for e in events] == [
        (f"user:{editor_user['username']}", "kb.csv", "csv"),
        (f"user:{editor_user['username']}", "kb.zip", "zip"),
    ]
    assert events[0]["detail"]["articles"] > 0
