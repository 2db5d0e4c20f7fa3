"""The outer middlewares every update passes, in this order:
dedup → (aiogram: user context, FSM + per-chat event isolation) → unit of work → identity → i18n.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update, User
from aiogram.utils.i18n import I18nMiddleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.context import Ctx
from bot.dedup import DedupStore
from bot.i18n import normalize_locale
from bot.identity import MISSING, IdentityCache
from bot.replies import ReplyBuffer, pending_replies
from bot.roles import Member
from bot.services.audit import Audit
from storage.models import Person
from storage.repositories.people import PeopleRepo
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DedupMiddleware(BaseMiddleware):
    def __init__(self, store: DedupStore) -> None:
        self.store = store

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        if not await self.store.first_time(event.update_id):
            log.info("update %s already handled; skipped", event.update_id)
            return None
        return await handler(event, data)


class UnitOfWorkMiddleware(BaseMiddleware):
    """One session per update; commits once after the handler returns, rolls back on error."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        dedup: DedupStore,
        clock: Clock,
        identity: IdentityCache,
        settings: Settings,
        outbox_wake: asyncio.Event,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.dedup = dedup
        self.clock = clock
        self.identity = identity
        self.settings = settings
        self.outbox_wake = outbox_wake

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        uow = UnitOfWork(self.sessionmaker)
        data["uow"] = uow
        data["ctx"] = Ctx(uow, self.clock, self.identity, self.settings, None, self.outbox_wake)
        replies = ReplyBuffer(uow)
        token = pending_replies.set(replies)
        try:
            async with uow:
                result = await handler(event, data)
                self.dedup.persist(uow, event.update_id)
        except BaseException:
            replies.drop()  # nothing was saved: no confirmation goes out, the error handler apologises
            self.dedup.persist(uow, event.update_id)  # nothing was written: only the id is deferred
            raise
        finally:
            pending_replies.reset(token)
        await replies.send()  # committed: now the person may be told, and a 429 waits outside any transaction
        return result


class IdentityMiddleware(BaseMiddleware):
    """Puts `me` (a Member, or None for someone not linked) into the handler data, cached in process."""

    def __init__(self, identity: IdentityCache, clock: Clock) -> None:
        self.identity = identity
        self.clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        me: Member | None = None
        if user is not None and not user.is_bot:
            cached = self.identity.get(user.id)
            if cached is MISSING:
                uow: UnitOfWork = data["uow"]
                me = await PeopleRepo(uow.session).member(user.id, self.clock.today())
                chat: Chat | None = data.get("event_chat")
                if me is not None and chat is not None and chat.type == "private":
                    await self._reachable_again(data["ctx"], me)
                self.identity.put(user.id, me)
            else:
                me = cached  # type: ignore[assignment]
        data["me"] = me
        ctx: Ctx | None = data.get("ctx")
        if ctx is not None:
            ctx.actor = me
        return await handler(event, data)

    @staticmethod
    async def _reachable_again(ctx: Ctx, me: Member) -> None:
        """Someone marked unreachable (they had blocked the bot) who writes to it again can be reached.

        Checked only when the identity is loaded (the sender drops the cached one on a 403), so it
        costs no round trip: the person is already in the session."""
        person = await ctx.session.get(Person, me.person_id)
        if person is not None and person.unreachable:
            person.unreachable = False
            Audit(ctx).record(
                "person.reachable",
                "person",
                person.id,
                before={"unreachable": True},
                after={"unreachable": False},
                actor_id=person.id,
            )


class LocaleMiddleware(I18nMiddleware):
    """The person's chosen language; before joining, their Telegram language when it is vi or en."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        me: Member | None = data.get("me")
        if me is not None:
            return me.language
        user: User | None = data.get("event_from_user")
        return normalize_locale(user.language_code if user else None)
