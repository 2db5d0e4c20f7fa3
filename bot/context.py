"""What a service needs for one unit of work: the session, the clock, caches and the actor."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.identity import IdentityCache
from bot.roles import Member
from storage.uow import UnitOfWork


@dataclass
class Ctx:
    uow: UnitOfWork
    clock: Clock
    identity: IdentityCache
    settings: Settings
    actor: Member | None = None
    outbox_wake: asyncio.Event | None = field(default=None, repr=False)

    @property
    def session(self) -> AsyncSession:
        return self.uow.session

    def forget_person(self, telegram_id: int | None) -> None:
        """Drop the cached identity once the change that concerns it is committed."""
        if telegram_id is not None:
            self.uow.on_commit(lambda: self.identity.invalidate(telegram_id))
