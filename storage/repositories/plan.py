"""Queries on the plan's rows. They read and add; they never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.plan import (
    PlanAwardFactor,
    PlanCommendation,
    PlanDocumentFile,
    PlanMoneyValue,
    PlanMovement,
    PlanPeriod,
    PlanReminderRule,
    PlanRound,
    PlanSchoolYear,
)

M = TypeVar("M")

LUONG_CO_SO = "luong_co_so"
AWARD_ROUND_UP = "award_round_up"  # award money rounded up to a multiple of `amount` đồng (issue 20)
HIGHEST_ONLY = "highest_only"  # 1: of several titles in one round, only the highest is paid
MONEY_KINDS = (LUONG_CO_SO, AWARD_ROUND_UP, HIGHEST_ONLY)


class PlanRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, stmt: Select[Any]) -> list[Any]:
        return list((await self.session.scalars(stmt)).all())

    # -- periods ------------------------------------------------------------------------------------
    async def period(self, period_id: int) -> PlanPeriod | None:
        return await self.session.get(PlanPeriod, period_id)

    async def period_by_code(self, code: str) -> PlanPeriod | None:
        return await self.session.scalar(select(PlanPeriod).where(PlanPeriod.code == code))

    async def periods(self) -> list[PlanPeriod]:
        return await self._all(select(PlanPeriod).order_by(PlanPeriod.start_year, PlanPeriod.code))

    async def period_of_year(self, year: int) -> PlanPeriod | None:
        """The period whose years include `year` (the latest starting one when periods overlap)."""
        stmt = (
            select(PlanPeriod)
            .where(PlanPeriod.start_year <= year, PlanPeriod.end_year >= year)
            .order_by(PlanPeriod.start_year.desc(), PlanPeriod.id.desc())
            .limit(1)
        )
        return await self.session.scalar(stmt)

    async def latest_period(self) -> PlanPeriod | None:
        stmt = select(PlanPeriod).order_by(PlanPeriod.start_year.desc(), PlanPeriod.id.desc()).limit(1)
        return await self.session.scalar(stmt)

    # -- rows of a period ---------------------------------------------------------------------------
    async def of_period(self, model: type[M], period_id: int) -> list[M]:
        order = [model.position] if hasattr(model, "position") else []  # type: ignore[attr-defined]
        stmt = select(model).where(model.period_id == period_id)  # type: ignore[attr-defined]
        return await self._all(stmt.order_by(*order, model.id))  # type: ignore[attr-defined]

    async def movements(self, period_id: int) -> list[PlanMovement]:
        return await self.of_period(PlanMovement, period_id)

    async def commendations(self, period_id: int, kind: str | None = None) -> list[PlanCommendation]:
        rows = await self.of_period(PlanCommendation, period_id)
        if kind is not None:
            rows = [r for r in rows if r.kind == kind]
        return sorted(rows, key=lambda r: (r.kind != "title", r.level or 0, r.position))

    async def commendation_by_code(self, period_id: int, code: str) -> PlanCommendation | None:
        stmt = select(PlanCommendation).where(
            PlanCommendation.period_id == period_id, PlanCommendation.code == code
        )
        return await self.session.scalar(stmt)

    async def factors(self, commendation_ids: Sequence[int]) -> list[PlanAwardFactor]:
        if not commendation_ids:
            return []
        stmt = select(PlanAwardFactor).where(PlanAwardFactor.commendation_id.in_(commendation_ids))
        return await self._all(stmt.order_by(PlanAwardFactor.commendation_id, PlanAwardFactor.effective_from))

    async def money(self, period_id: int, kind: str = LUONG_CO_SO) -> list[PlanMoneyValue]:
        stmt = select(PlanMoneyValue).where(
            PlanMoneyValue.period_id == period_id, PlanMoneyValue.kind == kind
        )
        return await self._all(stmt.order_by(PlanMoneyValue.effective_from))

    async def money_in_force(self, day: date, period_id: int | None = None, kind: str = LUONG_CO_SO) -> Any:
        stmt = select(PlanMoneyValue).where(PlanMoneyValue.kind == kind, PlanMoneyValue.effective_from <= day)
        if period_id is not None:
            stmt = stmt.where(PlanMoneyValue.period_id == period_id)
        stmt = stmt.order_by(PlanMoneyValue.effective_from.desc(), PlanMoneyValue.id.desc()).limit(1)
        return await self.session.scalar(stmt)

    async def school_years(self, period_id: int) -> list[PlanSchoolYear]:
        stmt = select(PlanSchoolYear).where(PlanSchoolYear.period_id == period_id)
        return await self._all(stmt.order_by(PlanSchoolYear.start))

    async def school_year_on(self, day: date) -> PlanSchoolYear | None:
        stmt = (
            select(PlanSchoolYear)
            .where(PlanSchoolYear.start <= day, PlanSchoolYear.end >= day)
            .order_by(PlanSchoolYear.start.desc(), PlanSchoolYear.id.desc())
            .limit(1)
        )
        return await self.session.scalar(stmt)

    async def rounds(self, period_id: int) -> list[PlanRound]:
        stmt = select(PlanRound).where(PlanRound.period_id == period_id)
        return await self._all(stmt.order_by(PlanRound.nominations_open_at, PlanRound.code))

    async def rounds_of_school_year(self, school_year_id: int) -> list[PlanRound]:
        stmt = select(PlanRound).where(PlanRound.school_year_id == school_year_id)
        return await self._all(stmt.order_by(PlanRound.nominations_open_at, PlanRound.code))

    async def rounds_around(self, now: datetime) -> list[PlanRound]:
        """Rounds whose nominations have opened and whose ceremony was at most a day ago (to refine)."""
        stmt = select(PlanRound).where(
            PlanRound.nominations_open_at <= now, PlanRound.ceremony_at >= now - timedelta(days=2)
        )
        return await self._all(stmt.order_by(PlanRound.nominations_open_at, PlanRound.code))

    async def round(self, round_id: int) -> PlanRound | None:
        return await self.session.get(PlanRound, round_id)

    async def refresh(self, round_: PlanRound) -> PlanRound:
        await self.session.refresh(round_)
        return round_

    async def open_voting_early(self, round_id: int, now: datetime) -> bool:
        """Open the voting at `now` if the round is still between its nominations and its voting and
        nobody opened it early yet: the WHERE clause decides a race (False: someone else won)."""
        result = await self.session.execute(
            update(PlanRound)
            .where(
                PlanRound.id == round_id,
                PlanRound.voting_opened_early_at.is_(None),
                PlanRound.nominations_close_at < now,
                PlanRound.voting_open_at > now,
            )
            .values(voting_opened_early_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def reminder_rules(self, period_id: int) -> list[PlanReminderRule]:
        return await self.of_period(PlanReminderRule, period_id)

    # -- the document's file_id ---------------------------------------------------------------------
    async def document_file(self, period_id: int, bot_id: int) -> PlanDocumentFile | None:
        stmt = select(PlanDocumentFile).where(
            PlanDocumentFile.period_id == period_id, PlanDocumentFile.bot_id == bot_id
        )
        return await self.session.scalar(stmt)

    # -- references from other features -------------------------------------------------------------
    async def count_references(self, column: Any, ids: Sequence[int]) -> dict[int, int]:
        """How many rows of `column`'s table point at each of `ids`."""
        if not ids:
            return {}
        stmt = select(column, func.count()).where(column.in_(list(ids))).group_by(column)
        return {int(target): int(n) for target, n in (await self.session.execute(stmt)).all()}

    def add(self, row: Any) -> Any:
        self.session.add(row)
        return row
