"""Invites: looked up by the hash of their token; a use is consumed with one conditional UPDATE. Claims."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invite, JoinClaim, Person


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

    async def give_back(self, invite_id: int) -> bool:
        """Undo `consume`: within the same transaction (the join could not finish after all), or later,
        when the head refuses the claim that took the use. False when there was no use to give back."""
        result = await self.session.execute(
            update(Invite)
            .where(Invite.id == invite_id, Invite.uses > 0)
            .values(uses=Invite.uses - 1)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


class JoinClaimsRepo:
    """Claims of an account: to be a roster person, or (no person yet) to join as someone not on the list."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, telegram_id: int, person_id: int) -> JoinClaim | None:
        return await self.session.scalar(
            select(JoinClaim).where(JoinClaim.telegram_id == telegram_id, JoinClaim.person_id == person_id)
        )

    async def fresh(self, claim_id: int) -> JoinClaim | None:
        return await self.session.get(JoinClaim, claim_id, populate_existing=True)

    async def waiting_of(self, telegram_id: int) -> list[JoinClaim]:
        """The account's claims waiting for a head: while there is one, the account may do nothing else."""
        stmt = select(JoinClaim).where(JoinClaim.telegram_id == telegram_id, JoinClaim.state == "pending")
        return list((await self.session.scalars(stmt.order_by(JoinClaim.id))).all())

    async def refused_as_new(self, telegram_id: int, unit_id: int) -> bool:
        """The unit's head said this account, not on the roster, is not of the unit."""
        stmt = select(JoinClaim.id).where(
            JoinClaim.telegram_id == telegram_id,
            JoinClaim.person_id.is_(None),
            JoinClaim.unit_id == unit_id,
            JoinClaim.state == "refused",
        )
        return await self.session.scalar(stmt.limit(1)) is not None

    async def move(self, claim_id: int, before: str, after: str, now: datetime) -> bool:
        """Change a claim's state only while it is still `before`: of two heads pressing at once (or one
        pressing twice), one wins and the other is told it was already settled."""
        result = await self.session.execute(
            update(JoinClaim)
            .where(JoinClaim.id == claim_id, JoinClaim.state == before)
            .values(state=after, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def waiting_in(self, units: Collection[int]) -> list[JoinClaim]:
        """Claims waiting for the head of one of `units` (the claimed person's unit, or the unit asked)."""
        wanted = sorted(units)
        stmt = (
            select(JoinClaim)
            .outerjoin(Person, Person.id == JoinClaim.person_id)
            .where(JoinClaim.state == "pending")
            .where(or_(JoinClaim.unit_id.in_(wanted), Person.unit_id.in_(wanted)))
            .order_by(JoinClaim.created_at, JoinClaim.id)
        )
        return list((await self.session.scalars(stmt)).all())
