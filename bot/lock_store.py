"""Rasa's Redis lock store, with every change of a conversation's lock made atomically.

Several Rasa processes serialise each conversation's turns through one lock in Redis: a
ticket per message, served in order. Rasa 3.6's `RedisLockStore` changes that lock by
reading it, changing it in the process and writing it back. Two processes that issue a
ticket for the same conversation at the same moment then both read N tickets and both
write N + 1, with the same number: both are served at once, and one turn's events
overwrite the other's in the tracker store (a message is lost). Finishing a ticket can
likewise write back a lock read before another process issued one, dropping that ticket.
Rasa's own fix for this (`ConcurrentRedisLockStore`) was reverted before 3.6.

`AtomicRedisLockStore` makes each such read, change and write one Redis transaction
(WATCH the lock's key, MULTI, EXEC, again from the read if another process wrote the key
meanwhile). Its endpoint entry takes the same settings as Rasa's `type: redis`:

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: <host>
      port: 6379
      db: 0
      key_prefix: helpdesk
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import WatchError

T = TypeVar("T")
# What a change returns: the lock to keep (None: delete it) and the caller's result.
Change = Callable[[TicketLock | None], tuple[TicketLock | None, T]]


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket issuing, expiry and finishing are Redis transactions."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # as Rasa creates a lock store named by its class
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _atomically(self, conversation_id: str, change: Change[T]) -> T:
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else None
                    kept, result = change(lock)
                    pipe.multi()
                    if kept is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, kept.dumps())
                    pipe.execute()
                    return result
                except WatchError:  # another process changed the lock: read it again
                    continue

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._atomically(conversation_id, issue)
        except Exception as exc:  # as Rasa's: the channel answers with its error
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        def expire(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._atomically(conversation_id, expire)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._atomically(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish the ticket; delete the lock if no one waits, in the same transaction."""

        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._atomically(conversation_id, finish)
