"""Difficulties: queries and conditional state changes. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, Unit
from storage.models.difficulty import Difficulty, DifficultyState
from storage.repositories.people import PeopleRepo

UNANSWERED = (DifficultyState.OPEN.value, DifficultyState.FORWARDED.value)


class DifficultyRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, item: Difficulty) -> Difficulty:
        self.session.add(item)
        return item

    async def get(self, item_id: int) -> Difficulty | None:
        return await self.session.get(Difficulty, item_id)

    async def refresh(self, item: Difficulty) -> Difficulty:
        await self.session.refresh(item)
        return item

    # -- conditional changes: the WHERE clause decides who wins a race ----------------------------------
    async def _change(
        self, item_id: int, where: Sequence[ColumnElement[bool]], values: dict[str, Any]
    ) -> bool:
        result = await self.session.execute(
            update(Difficulty)
            .where(Difficulty.id == item_id, *where)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mark_answered(self, item_id: int, answer: str, by: int, at: datetime) -> bool:
        return await self._change(
            item_id,
            [Difficulty.state.in_(UNANSWERED)],
            {"state": DifficultyState.ANSWERED.value, "answer": answer, "answered_by": by, "answered_at": at},
        )

    async def mark_forwarded(self, item_id: int, by: int, at: datetime) -> bool:
        return await self._change(
            item_id,
            [Difficulty.state == DifficultyState.OPEN.value],
            {"state": DifficultyState.FORWARDED.value, "forwarded_by": by, "forwarded_at": at},
        )

    async def set_principal_reply(self, item_id: int, reply: str, by: int, at: datetime) -> bool:
        return await self._change(
            item_id,
            [Difficulty.forwarded_at.is_not(None), Difficulty.principal_reply.is_(None)],
            {"principal_reply": reply, "principal_reply_by": by, "principal_replied_at": at},
        )

    # -- lists ---------------------------------------------------------------------------------------
    @staticmethod
    def _filters(
        states: Sequence[str] | None, unit_id: int | None, author_id: int | None, forwarded: bool = False
    ) -> list[Any]:
        where: list[Any] = []
        if states:
            where.append(Difficulty.state.in_(list(states)))
        if unit_id is not None:
            where.append(Difficulty.unit_id == unit_id)
        if author_id is not None:
            where.append(Difficulty.author_id == author_id)
        if forwarded:
            where.append(Difficulty.forwarded_at.is_not(None))
        return where

    async def page(
        self,
        *,
        states: Sequence[str] | None = None,
        unit_id: int | None = None,
        author_id: int | None = None,
        forwarded: bool = False,
        offset: int = 0,
        limit: int = 5,
    ) -> tuple[list[Difficulty], int]:
        """One page, newest first, and the number of all items that match (`forwarded`: to the principal)."""
        where = self._filters(states, unit_id, author_id, forwarded)
        total = await self.session.scalar(select(func.count()).select_from(Difficulty).where(*where)) or 0
        rows = await self.session.scalars(
            select(Difficulty)
            .where(*where)
            .order_by(Difficulty.created_at.desc(), Difficulty.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(rows.all()), int(total)

    async def units_with_items(self) -> list[Unit]:
        stmt = (
            select(Unit)
            .where(Unit.id.in_(select(Difficulty.unit_id).where(Difficulty.unit_id.is_not(None))))
            .order_by(Unit.name)
        )
        return list((await self.session.scalars(stmt)).all())

    async def people(self, ids: Sequence[int | None]) -> dict[int, Person]:
        return await PeopleRepo(self.session).people_by_id(ids)

    async def units(self, ids: Sequence[int | None]) -> dict[int, Unit]:
        return await PeopleRepo(self.session).units_by_id(ids)

    # -- counting (the yearly report) ------------------------------------------------------------------
    async def counts(self, start: datetime, end: datetime) -> list[tuple[int | None, str, int]]:
        """(unit id, state, number) of the items raised in [start, end)."""
        stmt = (
            select(Difficulty.unit_id, Difficulty.state, func.count())
            .where(Difficulty.created_at >= start, Difficulty.created_at < end)
            .group_by(Difficulty.unit_id, Difficulty.state)
        )
        return [(u, s, int(n)) for u, s, n in (await self.session.execute(stmt)).all()]
