"""Invites: looked up by the hash of their token; a use is consumed with one conditional UPDATE."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invite


class InvitesRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, invite: Invite) -> Invite:
        self.session.add(invite)
        return invite

    async def by_hash(self, token_hash: str) -> Invite | None:
        return await self.session.scalar(select(Invite).where(Invite.token_hash == token_hash))

    async def fresh(self, invite_id: int) -> Invite | None:
        """The invite as the database has it now (not the copy the session may hold)."""
        return await self.session.scalar(
            select(Invite).where(Invite.id == invite_id).execution_options(populate_existing=True)
        )

    async def consume(self, invite_id: int, now: datetime) -> bool:
        """Take one use, atomically: False when it is used up, revoked or expired (someone else won)."""
        result = await self.session.execute(
            update(Invite)
            .where(
                Invite.id == invite_id,
                Invite.uses < Invite.max_uses,
                Invite.revoked.is_(False),
                Invite.expires_at > now,
            )
            .values(uses=Invite.uses + 1)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def give_back(self, invite_id: int) -> None:
        """Undo `consume` within the same transaction (the join could not finish after all)."""
        await self.session.execute(
            update(Invite)
            .where(Invite.id == invite_id)
            .values(uses=Invite.uses - 1)
            .execution_options(synchronize_session=False)
        )
