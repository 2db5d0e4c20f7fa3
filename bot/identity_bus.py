"""The identity cache invalidated across instances through Redis pub/sub (issue 22).

Every instance keeps its own cache of who is who (bot/identity.py). A change of a person or a role is
invalidated after its commit; with Redis, `IdentityBus.publish` also sends the telegram id (or `*`,
everyone) on the channel `<REDIS_PREFIX>:identity`, and every instance's `listen` drops it from its cache.
Pub/sub keeps nothing for a subscriber that is away, so each (re)subscription, which Redis confirms with a
`subscribe` message (redis-py subscribes again by itself after a reconnection), clears the whole cache:
what was published meanwhile is not known. The operator's commands publish too (bot/cli/common.py).

The same subscription carries the outbox's wake-up (`SharedWake`, channel `<REDIS_PREFIX>:outbox`): a row
committed on a follower wakes the leader's sender at once rather than at its next look (5 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from bot.identity import IdentityCache

log = logging.getLogger(__name__)
EVERYONE = b"*"


def channel_of(prefix: str) -> str:
    return f"{prefix}:identity"


def wake_channel_of(prefix: str) -> str:
    return f"{prefix}:outbox"


class SharedWake(asyncio.Event):
    """The outbox's wake-up event, also published to every instance (the leader's sender waits on it)."""

    def __init__(self, redis: Any, prefix: str) -> None:
        super().__init__()
        self.redis = redis
        self.channel = wake_channel_of(prefix)
        self._pending: set[asyncio.Task[None]] = set()

    def set(self) -> None:
        super().set()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self._publish())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def wake_here(self) -> None:
        super().set()

    async def _publish(self) -> None:
        try:
            await self.redis.publish(self.channel, b"1")
        except Exception as e:  # the leader's sender looks again within 5 s anyway
            log.warning("outbox wake-up not published (%s)", type(e).__name__)


class IdentityBus:
    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis = redis
        self.channel = channel_of(prefix)
        self._pending: set[asyncio.Task[None]] = set()
        self.subscribed = asyncio.Event()  # set at each (re)subscription, for tests and /healthz

    def publish(self, telegram_id: int | None) -> None:
        """Tell every instance, in the background (called from after-commit hooks, which do not wait)."""
        message = EVERYONE if telegram_id is None else str(telegram_id).encode()
        task = asyncio.get_running_loop().create_task(self._publish(message))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _publish(self, message: bytes) -> None:
        try:
            await self.redis.publish(self.channel, message)
        except Exception as e:  # the entry still expires after the cache's ttl
            log.warning("identity invalidation not published (%s)", type(e).__name__)

    async def flush(self) -> None:
        """Wait for what was published (a CLI command, before its loop ends)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def listen(
        self, cache: IdentityCache, *, retry: float = 1.0, wake: SharedWake | None = None
    ) -> None:
        """Forever: drop from `cache` what any instance invalidates (and wake `wake` when any instance
        queued a message); cancelled at shutdown."""
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(self.channel, *([wake.channel] if wake is not None else []))
                async for message in pubsub.listen():
                    if wake is not None and _channel(message) == wake.channel:
                        if message["type"] == "message":
                            wake.wake_here()
                        continue
                    self.handle(cache, message)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                self.subscribed.clear()
                log.warning("identity invalidations: Redis lost (%s); subscribing again", type(e).__name__)
                await asyncio.sleep(retry)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def handle(self, cache: IdentityCache, message: dict[str, Any]) -> None:
        if message["type"] == "subscribe":
            cache.drop()  # what was published while away is lost: forget everyone
            self.subscribed.set()
            log.info("identity invalidations: subscribed to %s; cache cleared", self.channel)
        elif message["type"] == "message":
            data = message["data"]
            if data == EVERYONE:
                cache.drop()
            else:
                with contextlib.suppress(ValueError, TypeError):
                    cache.drop(int(data))


def _channel(message: dict[str, Any]) -> str:
    channel = message.get("channel")
    return channel.decode() if isinstance(channel, bytes) else str(channel)
