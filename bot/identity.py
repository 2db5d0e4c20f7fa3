"""Who is the sender: an in-process cache of Members, invalidated when a person changes.

With Redis, an invalidation is also published to every instance (bot/identity_bus.py), whose caches drop
the entry too; without it there is one process, and its cache is the only one.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol

from bot.roles import Member


class Publisher(Protocol):
    def publish(self, telegram_id: int | None) -> None: ...


_MISSING = object()


class IdentityCache:
    """telegram id → Member, or None for someone not linked (outsiders are cached too).

    Entries live `ttl` seconds so that dated delegations start and end on time; services invalidate
    an entry after the commit that changes the person (`uow.on_commit(...)`).
    """

    def __init__(self, ttl: float = 300.0, max_size: int = 20_000) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._items: OrderedDict[int, tuple[float, Member | None]] = OrderedDict()
        self.bus: Publisher | None = None  # tells the other instances (bot/identity_bus.py)

    def get(self, telegram_id: int) -> Member | object | None:
        item = self._items.get(telegram_id)
        if item is None or item[0] < time.monotonic():
            return _MISSING
        return item[1]

    def put(self, telegram_id: int, member: Member | None) -> None:
        self._items[telegram_id] = (time.monotonic() + self.ttl, member)
        self._items.move_to_end(telegram_id)
        while len(self._items) > self.max_size:
            self._items.popitem(last=False)

    def invalidate(self, telegram_id: int | None = None) -> None:
        """Drop `telegram_id` (None: everyone) here and, through the bus, in every instance."""
        self.drop(telegram_id)
        if self.bus is not None:
            self.bus.publish(telegram_id)

    def drop(self, telegram_id: int | None = None) -> None:
        """Drop `telegram_id` (None: everyone) from this process's cache only."""
        if telegram_id is None:
            self._items.clear()
        else:
            self._items.pop(telegram_id, None)


MISSING = _MISSING
