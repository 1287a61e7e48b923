"""What the bot asks of the service: answers from the knowledge base, feedback, handoff, tickets.

Each question belongs to a topic (topics.py); the failures the bot decides a handoff on are
the topic's, counted here once: answers and candidates the employee rejected.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.kb import service as kb_service
from handoff.kb.search import IndexUnavailable, LiveSearch
from handoff.kb.sections import split_sections
from handoff.tickets import priority as prio
from handoff.tickets import service as ticket_service
from handoff.tickets.models import Ticket
from handoff.tickets.priority import Sla
from handoff.tickets.schemas import TicketDraft, ticket_json
from kb_index import MeaningRule, QueryError, RelatedRule

from . import ownership, store, texts, ticketing, topics
from .models import Conversation, Feedback, Topic
from .notices import NoticeFlow
from .queue import QueueFlow

ANSWER_HITS = 3
# An employee's words this soon after their own file are taken as said about the file.
WORDS_TO_A_FILE = timedelta(minutes=2)
RELATED = RelatedRule()
MEANING = MeaningRule()


@dataclass(frozen=True)
class Answer:
    confident: bool
    lang: str
    article: dict[str, Any] | None
    hits: list[dict[str, Any]]
    related: bool  # confident, or candidates close enough to show; else the question is off-topic
    consecutive_failures: int  # of this question's topic: what the employee rejected so far
    topic: int | None  # the topic's number in the conversation
    new_topic: bool
    # Off-topic in a chat that has a ticket: most likely about that ticket ("how long will
    # it take?"), so the bot says where it stands instead of only "I only handle IT".
    follow_up: str | None = None
    # Words said about the employee's file ("Hier die Fehlermeldung"), kept with the open
    # topic: the bot offers people to look at the file, not articles for the words alone.
    about_file: bool = False


def article_json(text: kb_service.PublishedText, public_url: str) -> dict[str, Any]:
    """An article cut into the parts the bot shows one by one."""
    parts = split_sections(text.body)
    return {
        "slug": text.slug,
        "title": text.title,
        "lang": text.lang,
        "intro": parts["intro"],
        "check_first": parts["check_first"],
        "steps": parts["steps"],
        "still_not_working": parts["still_not_working"],
        "url": f"{public_url}/kb/{text.slug}?lang={text.lang}",
    }


class AssistantFlow:
    """The service side of the bot's actions (the internal API calls one method each)."""

    def __init__(
        self,
        *,
        open_db: async_sessionmaker[AsyncSession],
        search: LiveSearch,
        queue: QueueFlow,
        public_url: str,
        sla: Sla,
        notices: NoticeFlow | None = None,
    ) -> None:
        self.open_db = open_db
        self.search = search
        self.queue = queue
        self.public_url = public_url
        self.sla = sla
        self.notices = notices  # known problems: their notice comes before the bot's answer

    async def answer(
        self,
        *,
        db: AsyncSession,
        conversation: Conversation,
        query: str,
        lang: str,
        off_topic: bool = False,
    ) -> Answer:
        """Search for the question; the article comes along when the search is confident.

        `off_topic`: the bot's NLU read the message as not about IT. Then a result whose best
        article does not match by meaning alone (MeaningRule: only a shared word carries it,
        as "Urlaub" in "wie viel Urlaub habe ich noch") is neither an answer nor candidates.
        """
        # No database connection is held while the question waits for the search's threads:
        # under load, requests waiting for a search would otherwise empty the pool.
        await db.commit()
        # Only published articles come back (LiveSearch drops those archived or unpublished
        # since the last rebuild; a withdrawn best hit is no answer).
        result = await self.search.search(query, k=ANSWER_HITS, lang=lang)
        # A word shared with an article is no answer to a message about something else, and
        # makes its articles no candidates either.
        worded_only = off_topic and not MEANING(result.hits)
        if worded_only:
            result = replace(result, confident=False)
        article = None
        if result.confident:
            best = result.hits[0].slug
            try:
                text = await kb_service.published_text(db=db, slug=best, lang=lang)
                article = article_json(text, self.public_url)
            except kb_service.ArticleNotFound:  # archived in the moment since the search
                rest = [h for h in result.hits if h.slug != best]
                result = replace(result, hits=rest, confident=False)
        hits = [h.to_json() for h in result.hits]
        related = not worded_only and (result.confident or RELATED(result.hits))
        turn = await store.pending_turn(db=db, conversation_id=conversation.id)
        topic, new, about_file = None, False, False
        if related:  # an off-topic question opens no topic and counts toward nothing
            before = conversation.topic_id
            seq = turn.message_seq if turn is not None else conversation.last_seq
            # Words sent with a file that search is unsure of describe the file: the problem
            # of the open topic, not a new one (the ticket's subject stays that problem).
            about_file = (
                not result.confident
                and before is not None
                and await store.about_files(
                    db=db, conversation_id=conversation.id, seq=seq, within=WORDS_TO_A_FILE
                )
            )
            topic = await topics.for_question(
                db=db,
                conversation=conversation,
                query=query,
                slugs=[h.slug for h in result.hits],
                seq=seq,
                about_file=about_file,
                sure=result.confident,
            )
            new = topic.id != before
        if turn is not None:
            turn.kb_query, turn.kb_confident, turn.kb_hits = query, result.confident, hits
            turn.topic_id = topic.id if topic is not None else None
        await db.commit()
        if self.notices is not None:  # a known problem about the best hit: tell the employee
            await self.notices.after_search(db=db, conversation=conversation, hits=hits, lang=lang)
        return Answer(
            confident=result.confident,
            lang=lang,
            article=article,
            hits=hits,
            related=related,
            consecutive_failures=topic.failures if topic is not None else 0,
            topic=topic.number if topic is not None else None,
            new_topic=new,
            follow_up=None if related else await self._follow_up(db, conversation, lang),
            about_file=about_file and not new,  # stayed with the open topic
        )

    async def _follow_up(
        self, db: AsyncSession, conversation: Conversation, lang: str
    ) -> str | None:
        """Where the chat's ticket stands, for a message that is about no IT topic."""
        if conversation.ticket_id is None:
            return None
        ticket = await ticket_service.get(db=db, number=conversation.ticket_id)
        resolution = ticket.resolution.strip() if ticket.status in ("resolved", "closed") else ""
        if resolution and resolution[-1] not in ".!?":
            resolution += "."
        return texts.text(
            "follow_up_ticket",
            lang,
            number=ticket.number,
            subject=ticket.subject,
            status=texts.status(ticket.status, lang),
            resolution=texts.text("follow_up_resolution", lang, resolution=resolution)
            if resolution
            else "",
        )

    async def article(self, *, db: AsyncSession, slug: str, lang: str) -> dict[str, Any]:
        """A published article, in lang if it exists (ArticleNotFound otherwise)."""
        text = await kb_service.published_text(db=db, slug=slug, lang=lang)
        return article_json(text, self.public_url)

    async def feedback(
        self, *, db: AsyncSession, conversation: Conversation, helpful: bool, slug: str | None
    ) -> int:
        """Record "did this help?" about the current topic; return the topic's failures."""
        query = await store.last_kb_query(db=db, conversation_id=conversation.id)
        topic = await topics.current(db=db, conversation=conversation)
        db.add(
            Feedback(
                conversation_id=conversation.id,
                topic_id=topic.id if topic is not None else None,
                slug=slug,
                helpful=helpful,
                query=query,
            )
        )
        failures = topics.judge(topic, helpful=helpful) if topic is not None else 0
        await db.commit()
        return failures

    async def hand_off(
        self, *, db: AsyncSession, conversation: Conversation, reason: str
    ) -> dict[str, Any]:
        """Queue the conversation for a live agent, with a ticket that keeps the transcript.

        The handoff is about the topic the request names, else the one the employee is on
        (topics.for_handoff); the ticket's category comes from that topic (as its subject
        does), not from everything said in the chat.
        """
        topic, naming = await self._handoff_topic(db, conversation)
        if topic is not None:  # with the words that named it ("Outlook geht immer noch nicht")
            about = f"{topic.query} {naming}".strip()
        else:
            said = await store.employee_messages(db=db, conversation_id=conversation.id)
            about = " ".join(said)[-500:]
        category = await ticketing.derive_category(db=db, search=self.search, text=about or "help")
        result = await ownership.to_queue(
            db=db, conversation=conversation, reason=reason, category=category, sla=self.sla
        )
        await db.commit()
        if result.changed:
            await self.queue.announce(conversation)
        agents = await self.queue.agents_online()
        outcome = self.queue.outcome(agents) if result.changed else "already_queued"
        if outcome in ("no_agents", "out_of_hours"):
            # The bot tells the employee now; the waiting-too-long notice would repeat it.
            conversation.notified_unattended = True
            await db.commit()
        position = await store.queue_position(db=db, conversation=conversation)
        return {
            "state": conversation.state,
            "outcome": outcome,
            "ticket_number": result.ticket.number,
            "queue_position": position,
            "agents_online": agents,
            "estimated_wait_minutes": await self.queue.estimated_wait(position, agents),
            "desk": self.queue.desk(agents),
            "opens_at_text": self.queue.opening_text(conversation.locale),
        }

    async def _handoff_topic(
        self, db: AsyncSession, conversation: Conversation
    ) -> tuple[Topic | None, str]:
        """The topic a request for a person is about, and the request's words that named it.

        The request's sentences are searched one by one ("Kann ich jemanden sprechen?
        Outlook geht immer noch nicht"): a topic of the chat they find is the one. The
        conversation is on the topic afterwards.
        """
        all_topics = await topics.of_conversation(db=db, conversation_id=conversation.id)
        current = await topics.current(db=db, conversation=conversation)
        turn = await store.pending_turn(db=db, conversation_id=conversation.id)
        request = turn.text if turn is not None else ""
        found: list[tuple[str, list[str]]] = []
        if all_topics and request and not request.startswith("/"):
            await db.commit()  # no connection held while the search waits for its threads
            for sentence in topics.sentences(request):
                try:
                    result = await self.search.search(
                        sentence, k=ANSWER_HITS, lang=conversation.locale
                    )
                except (IndexUnavailable, QueryError):
                    break  # the handoff goes on without: the topic the employee is on
                if result.confident or RELATED(result.hits):
                    found.append((sentence, [h.slug for h in result.hits]))
        named, naming = topics.named(all_topics, found)
        topic = topics.for_handoff(all_topics, current, named)
        conversation.topic_id = topic.id if topic is not None else None
        return topic, naming

    async def preview_ticket(
        self, *, db: AsyncSession, conversation: Conversation, draft: TicketDraft
    ) -> dict[str, Any]:
        """What the ticket would look like: summary, category, priority (nothing stored)."""
        derived = await ticketing.derive(db=db, search=self.search, draft=draft)
        return {
            **asdict(derived),
            "priority_label": prio.label(derived.priority, conversation.locale),
        }

    async def open_ticket(
        self, *, db: AsyncSession, conversation: Conversation, draft: TicketDraft
    ) -> Ticket:
        """Open the ticket the employee described, with the transcript so far."""
        topic = await self._draft_topic(db, conversation, draft)
        derived = await ticketing.derive(db=db, search=self.search, draft=draft)
        ticket = await ticketing.open_from_draft(
            db=db,
            conversation=conversation,
            topic=topic,
            draft=draft,
            derived=derived,
            sla=self.sla,
        )
        await db.commit()
        return ticket

    async def _draft_topic(
        self, db: AsyncSession, conversation: Conversation, draft: TicketDraft
    ) -> Topic | None:
        """The topic a ticket from the form is about.

        The one in hand when the description is its question (the form took it from there)
        or about the same subject; otherwise the description is a problem of its own ("Ich
        möchte eine Störung melden: der Beamer zeigt kein Bild" after a VPN question), a new
        topic, so that a later handoff about the VPN does not take the projector's ticket.
        """
        current = await topics.current(db=db, conversation=conversation)
        description = " ".join(draft.description.split())
        if current is not None and description == " ".join(current.query.split()):
            return current
        turn = await store.pending_turn(db=db, conversation_id=conversation.id)
        seq = turn.message_seq if turn is not None else conversation.last_seq
        await db.commit()  # no connection held while the search waits for its threads
        try:
            result = await self.search.search(
                description[:500], k=ANSWER_HITS, lang=conversation.locale
            )
        except (IndexUnavailable, QueryError):
            return current  # nothing to tell them apart by: the one in hand, as before
        return await topics.for_question(
            db=db,
            conversation=conversation,
            query=description,
            slugs=[h.slug for h in result.hits],
            seq=seq,
            sure=result.confident,
        )

    async def tickets(
        self, *, db: AsyncSession, conversation: Conversation, open_only: bool
    ) -> list[dict[str, Any]]:
        """The conversation's employee's tickets, in the conversation's language."""
        rows = await ticket_service.list_for_requester(
            db=db, requester_id=conversation.employee_id, open_only=open_only
        )
        return [ticket_json(t, conversation.locale) for t in rows]

    async def ticket(
        self, *, db: AsyncSession, conversation: Conversation, number: str
    ) -> dict[str, Any]:
        """One ticket of the conversation's employee (TicketNotFound / NotYourTicket)."""
        ticket = await ticket_service.get_for_requester(
            db=db, number=number, requester_id=conversation.employee_id
        )
        return ticket_json(ticket, conversation.locale)
