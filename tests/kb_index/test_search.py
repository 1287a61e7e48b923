"""Searching: bad input, language choice, cross-language, the confident rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kb_index import (
    ConfidenceRule,
    Document,
    KbIndex,
    QueryError,
    Scoring,
    SearchHit,
    build_index,
    store,
)
from kb_index.query import MAX_K, MAX_QUERY_CHARS, clean_query

from .conftest import FakeEmbedder


@pytest.mark.parametrize("query", ["", "   ", "\n\t ", "\x00\x01", "\u200b"])
def test_empty_queries_are_refused(index: KbIndex, query: str) -> None:
    with pytest.raises(QueryError, match="the query is empty"):
        index.search(query)


def test_over_long_query_names_the_limit(index: KbIndex) -> None:
    with pytest.raises(QueryError, match=f"the limit is {MAX_QUERY_CHARS}"):
        index.search("vpn " * 200)


def test_a_query_of_exactly_the_limit_is_fine(index: KbIndex) -> None:
    assert index.search("v" * MAX_QUERY_CHARS).hits is not None


def test_control_characters_are_cleaned() -> None:
    assert clean_query("vpn\x00geht\x07nicht\r\n") == "vpn geht nicht"
    assert clean_query("Pass\u00adwort\u200b vergessen") == "Passwort vergessen"


def test_control_characters_do_not_change_the_result(index: KbIndex) -> None:
    clean = index.search("printer paper jam", lang="en")
    dirty = index.search("printer\x00 paper\x1b jam\n", lang="en")
    assert dirty.hits == clean.hits


def test_markup_is_searched_as_text(index: KbIndex) -> None:
    result = index.search("<script>alert('vpn')</script> <b>GlobalProtect</b>", lang="en")
    assert result.hits[0].slug == "vpn-connect"
    assert clean_query("<b>vpn</b> & co") == "<b>vpn</b> & co"


def test_non_text_query_is_refused(index: KbIndex) -> None:
    with pytest.raises(QueryError, match="must be text"):
        index.search(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["fr", "DE", "", "english"])
def test_unknown_language_is_refused(index: KbIndex, lang: str) -> None:
    with pytest.raises(QueryError, match="unsupported language .* use one of de, en"):
        index.search("vpn", lang=lang)


@pytest.mark.parametrize("k", [0, -1, MAX_K + 1, 2.5, True])
def test_k_out_of_range_is_refused(index: KbIndex, k: object) -> None:
    with pytest.raises(QueryError, match=f"k must be a whole number from 1 to {MAX_K}"):
        index.search("vpn", k=k)  # type: ignore[arg-type]


def test_an_undetected_language_is_searched_as_written(index: KbIndex) -> None:
    result = index.search("GlobalProtect")
    assert result.lang is None and result.translations == {}
    assert result.hits[0].slug == "vpn-connect"


def test_german_query_gets_the_german_text(index: KbIndex) -> None:
    result = index.search("Ich habe mein Passwort vergessen")
    assert result.lang == "de"
    assert (result.hits[0].slug, result.hits[0].lang) == ("password-reset", "de")
    assert result.hits[0].title == "Passwort vergessen: selbst zurücksetzen"


def test_english_query_gets_the_english_text(index: KbIndex) -> None:
    result = index.search("I forgot my password")
    assert result.lang == "en"
    assert (result.hits[0].slug, result.hits[0].lang) == ("password-reset", "en")


def test_given_language_wins_over_detection(index: KbIndex) -> None:
    assert index.search("vpn", lang="de").hits[0].lang == "de"
    assert index.search("vpn", lang="en").hits[0].lang == "en"


def test_english_question_finds_an_article_only_in_german(index: KbIndex) -> None:
    result = index.search("where is my bitlocker recovery key", lang="en")
    assert result.translations["de"]  # searched in German through the glossary
    assert (result.hits[0].slug, result.hits[0].lang) == ("bitlocker-recovery", "de")


def test_german_question_finds_an_article_only_in_english(index: KbIndex) -> None:
    result = index.search("kein Ton im Teams Meeting", lang="de")
    assert (result.hits[0].slug, result.hits[0].lang) == ("teams-audio", "en")


def test_one_hit_per_article_best_first(index: KbIndex) -> None:
    hits = index.search("printer paper jam", k=10, lang="en").hits
    assert len({h.slug for h in hits}) == len(hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].slug == "printer-jam"


def test_k_limits_the_hits_but_not_the_decision(index: KbIndex) -> None:
    loose = index.with_rule(ConfidenceRule(threshold=0.0, margin=0.05))
    one, five = loose.search("printer paper jam", k=1), loose.search("printer paper jam", k=5)
    assert len(one.hits) == 1 and one.confident == five.confident
    assert one.hits[0] == five.hits[0]


def test_search_many_keeps_the_order(index: KbIndex) -> None:
    queries = ["teams no sound", "printer paper jam", "vpn not working"]
    results = index.search_many(queries, lang="en")
    assert [r.hits[0].slug for r in results] == ["teams-audio", "printer-jam", "vpn-connect"]
    assert [r.hits for r in results] == [index.search(q, lang="en").hits for q in queries]


def test_lexical_only_does_not_embed_the_query(index: KbIndex) -> None:
    lexical = index.with_scoring(Scoring(dense_weight=0.0))
    embedder = lexical._embedder  # noqa: SLF001 - the fake records what it embeds
    before = len(embedder.seen)  # type: ignore[attr-defined]
    assert lexical.search("vpn.brandt.example", lang="en").hits[0].slug == "vpn-connect"
    assert len(embedder.seen) == before  # type: ignore[attr-defined]


def test_query_without_any_known_word_has_no_lexical_hits(index: KbIndex) -> None:
    lexical = index.with_scoring(Scoring(dense_weight=0.0))
    assert lexical.search("zzzz qqqq", lang="en").hits == []


def hit(score: float, slug: str = "a") -> SearchHit:
    return SearchHit(slug, slug, "de", score)


@pytest.mark.parametrize(
    ("hits", "confident"),
    [
        ([], False),
        ([hit(0.9)], True),
        ([hit(0.5)], False),
        ([hit(0.9), hit(0.8, "b")], True),
        ([hit(0.9), hit(0.88, "b")], False),
        ([hit(0.6), hit(0.5, "b")], True),
    ],
)
def test_confidence_rule(hits: list[SearchHit], confident: bool) -> None:
    assert ConfidenceRule(threshold=0.6, margin=0.04)(hits) is confident


def test_result_json_is_the_cli_contract(index: KbIndex) -> None:
    data = index.search("vpn not working", lang="en").to_json()
    assert set(data) == {"hits", "confident"}
    assert set(data["hits"][0]) == {"slug", "title", "lang", "score"}  # type: ignore[index]


def test_an_article_in_both_languages_mixes_their_scores(
    index: KbIndex, documents: list[Document], embedder: FakeEmbedder, tmp_path: Path
) -> None:
    alone = {}
    for lang in ("de", "en"):
        build_index([d for d in documents if d.lang == lang], tmp_path / lang, embedder=embedder)
        hits = KbIndex.load(tmp_path / lang, embedder).search("Drucker Papierstau", lang="de").hits
        alone[lang] = next(h.score for h in hits if h.slug == "printer-jam")
    mixed = next(
        h for h in index.search("Drucker Papierstau", lang="de").hits if h.slug == "printer-jam"
    )
    weight = index.scoring.other_language_weight
    assert mixed.score == pytest.approx((1 - weight) * alone["de"] + weight * alone["en"], abs=1e-5)
    best_only = index.with_scoring(Scoring(other_language_weight=0.0))
    top = best_only.search("Drucker Papierstau", lang="de").hits[0]
    assert top.score == pytest.approx(max(alone.values()), abs=1e-5)


def test_memory_mapped_vectors_search_the_same(
    index_dir: Path, embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_memory = KbIndex.load(index_dir, embedder).search("printer paper jam", lang="en")
    monkeypatch.setattr(store, "MMAP_FROM_BYTES", 0)
    mapped = KbIndex.load(index_dir, embedder)
    assert isinstance(mapped._stored.vectors, np.memmap)  # noqa: SLF001
    assert mapped.search("printer paper jam", lang="en").hits == in_memory.hits
