"""Demo data: both languages, every outcome, a spike now; a database with chats is refused."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from pathlib import Path

import pytest

from handoff.database import utcnow
from handoff.insights import demo, facts, summary, trends

from ..conftest import Helpdesk
from ..factories import cli_env, run_cli


async def test_demo_data_shows_every_outcome_and_one_spike(sqlite_helpdesk: Helpdesk) -> None:
    now = utcnow()
    async with sqlite_helpdesk.app.state.open_db() as db:
        made = await demo.generate(db=db, days=21, rng=random.Random(1), now=now)
        today = now.date()
        s = await summary.summary(db=db, period=facts.Period(today - timedelta(days=21), today))
        spikes = await trends.current_spikes(db=db, now=now)
        with pytest.raises(ValueError, match="fresh"):
            await demo.generate(db=db, days=1, rng=random.Random(1), now=now)
    assert s["conversations"] == made > 300
    assert set(s["by_language"]) == {"de", "en"}
    assert 0 < s["self_solved"] < s["conversations"] and s["escalated_to_level_2"] > 0
    assert all(count > 0 for count in s["handoff_reasons"].values())
    assert s["csat_by_handler"]["bot"]["responses"] and s["csat_by_handler"]["agent"]["responses"]
    assert {spike["kind"] for spike in spikes} == {"article", "category"}
    assert spikes[0]["reports"] >= demo.SPIKE_REPORTS


async def test_demo_chats_read_like_real_ones(sqlite_helpdesk: Helpdesk) -> None:
    """People's names, the knowledge base's example questions, tickets named after them."""
    import re

    from sqlalchemy import select

    from handoff.conversations.models import Conversation, Message
    from handoff.tickets.models import Ticket

    async with sqlite_helpdesk.app.state.open_db() as db:
        await demo.generate(db=db, days=3, rng=random.Random(2), now=utcnow())
        people = set(await db.scalars(select(Conversation.employee_name)))
        asked = set(await db.scalars(select(Message.text).where(Message.sender == "user")))
        subjects = set(await db.scalars(select(Ticket.subject)))
        found = await demo.catalog(db=db)
    assert all(re.fullmatch(r"[A-ZÄÖÜ][a-zäöü]+ [A-ZÄÖÜ][a-zäöüß]+", name) for name in people)
    examples = {q for by_lang in found.questions.values() for qs in by_lang.values() for q in qs}
    assert asked <= examples and len(asked) > 20
    assert subjects and not any(subject.endswith(": help") for subject in subjects)


def test_the_rollup_command_rolls_up_the_demo_data(tmp_path: Path) -> None:
    env = cli_env(tmp_path)

    def cli(*args: str) -> str:
        done = run_cli(env, *args, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("prepare", "--no-index")
    assert "conversations" in cli("demo-data", "--days", "20")
    first = cli("insights", "rollup")
    since = (utcnow() - timedelta(days=7)).date().isoformat()  # the 8 open days, kept per chat
    assert re.fullmatch(
        rf"rolled up (1[1-3]) days and \d+ article-hours; open days kept from {since}\n", first
    ), first
    assert cli("insights", "rollup").startswith("rolled up 0 days")  # the days are up to date
    assert cli("insights", "rollup", "--rebuild").startswith(first.split(" and ")[0])
