"""Rasa reads the endpoints files of make run, make cluster and the containers as meant."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import read_endpoint_config

from scripts import rasa_stores

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    path = tmp_path / "endpoints.yml"
    path.write_text(
        rasa_stores.endpoints_yaml(
            actions_url="http://127.0.0.1:5055/webhook",
            sqlite_file=tmp_path / "tracker.db",
            tracker_url="postgresql://helpdesk@db:5432/helpdesk_rasa",
            lock_url="redis://cache:6380/2",
        )
    )
    return path


def test_secrets_come_from_rasas_environment(
    written: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_ACTIONS_SECRET", "the-shared-secret")
    monkeypatch.setenv("HELPDESK_RASA_TRACKER_URL", "postgresql://u:pw@db:5432/helpdesk_rasa")
    actions = read_endpoint_config(str(written), "action_endpoint")
    assert actions is not None
    assert actions.headers == {"X-Action-Token": "the-shared-secret"}
    tracker = read_endpoint_config(str(written), "tracker_store")
    assert tracker is not None
    assert tracker.url == "postgresql://u:pw@db:5432/helpdesk_rasa"
    lock = read_endpoint_config(str(written), "lock_store")
    assert lock is not None
    assert (lock.type, lock.url, lock.kwargs["port"], lock.kwargs["db"]) == (
        "bot.lock_store.AtomicRedisLockStore",
        "cache",
        6380,
        2,
    )
    assert "the-shared-secret" not in written.read_text()


def test_a_missing_secret_stops_rasa(written: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HELPDESK_ACTIONS_SECRET", raising=False)
    monkeypatch.setenv("HELPDESK_RASA_TRACKER_URL", "postgresql://u@db:5432/helpdesk_rasa")
    with pytest.raises(RasaException, match="HELPDESK_ACTIONS_SECRET"):
        read_endpoint_config(str(written), "action_endpoint")


def test_the_container_endpoints_expand_too(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "HELPDESK_ACTIONS_URL": "http://actions:5055/webhook",
        "HELPDESK_ACTIONS_SECRET": "s",
        "HELPDESK_RASA_TRACKER_URL": "postgresql://h@postgres/helpdesk_rasa",
        "HELPDESK_RASA_LOCK_HOST": "redis",
    }.items():
        monkeypatch.setenv(name, value)
    path = str(ROOT / "deploy" / "rasa" / "endpoints.yml")
    actions = read_endpoint_config(path, "action_endpoint")
    assert actions is not None and actions.url == "http://actions:5055/webhook"
    lock = read_endpoint_config(path, "lock_store")
    assert lock is not None and lock.url == "redis"
