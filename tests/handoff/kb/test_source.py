"""The knowledge base's source format: export writes back what import read."""

from __future__ import annotations

from pathlib import Path

from handoff.kb import service as kb_service
from handoff.kb import source

from ..conftest import Helpdesk

SEED_ARTICLES = 42  # the catalog's 41, and how to send a screenshot


async def test_export_writes_back_what_the_seed_import_read(
    sqlite_helpdesk: Helpdesk, tmp_path: Path
) -> None:
    async with sqlite_helpdesk.app.state.open_db() as db:
        exported = await kb_service.export_articles(db=db)
    for article, status in exported:
        source.write_article(tmp_path / "export", article, status)
    original = {a.slug: (a, s) for a, s in source.read_all(sqlite_helpdesk.settings.kb_seed_dir)}
    again = {a.slug: (a, s) for a, s in source.read_all(tmp_path / "export")}
    assert len(again) == SEED_ARTICLES
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
    assert (report.created, report.updated, report.unchanged) == (0, 1, SEED_ARTICLES - 1)
    assert article.latest_version == 2 and article.published_version == 2
