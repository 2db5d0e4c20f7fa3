"""The decisions' rows (issue 20): comment periods, objections, decisions and their items, commendations,
signing delegations, proposals upward. Never commits; a race is a conditional UPDATE (`move`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.decisions import (
    Commendation,
    CommentPeriod,
    Decision,
    DecisionItem,
    Objection,
    Proposal,
    SigningDelegation,
)

UNSETTLED = ("open", "documents", "supplied")  # an objection not answered for good


class DecisionRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: Any) -> Any:
        self.session.add(row)
        return row

    async def _all(self, stmt: Any) -> list[Any]:
        return list((await self.session.scalars(stmt)).all())

    async def move(self, model: Any, row_id: int, states: Sequence[str], **values: Any) -> bool:
        """Change a row whose state is one of `states`; False when another got there first."""
        result = await self.session.execute(
            update(model)
            .where(model.id == row_id, model.state.in_(list(states)))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def correct(self, decision_id: int, version: int, **values: Any) -> bool:
        """A decision's number, date or signer changed from `version` to the next; False when another
        correction got there first."""
        result = await self.session.execute(
            update(Decision)
            .where(Decision.id == decision_id, Decision.version == version)
            .values(version=version + 1, **values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def repaid(self, commendation_id: int, when: Any) -> bool:
        """A revoked commendation's money marked recovered, once (two presses at once: one)."""
        result = await self.session.execute(
            update(Commendation)
            .where(Commendation.id == commendation_id, Commendation.recovery == "to_recover")
            .values(recovery="recovered", recovered_at=when)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def refresh(self, row: Any) -> Any:
        await self.session.refresh(row)
        return row

    # -- the comment period and objections ----------------------------------------------------------------
    async def period(self, round_id: int) -> CommentPeriod | None:
        return await self.session.scalar(select(CommentPeriod).where(CommentPeriod.round_id == round_id))

    async def objection(self, objection_id: int) -> Objection | None:
        return await self.session.get(Objection, objection_id)

    async def objections(self, round_id: int | None = None, states: Sequence[str] = ()) -> list[Objection]:
        stmt = select(Objection)
        if round_id is not None:
            stmt = stmt.where(Objection.round_id == round_id)
        if states:
            stmt = stmt.where(Objection.state.in_(list(states)))
        return await self._all(stmt.order_by(Objection.id))

    async def unsettled(self, round_id: int) -> int:
        stmt = select(func.count(Objection.id)).where(
            Objection.round_id == round_id, Objection.state.in_(UNSETTLED)
        )
        return int(await self.session.scalar(stmt) or 0)

    # -- decisions ------------------------------------------------------------------------------------------
    async def decision(self, decision_id: int) -> Decision | None:
        return await self.session.get(Decision, decision_id)

    async def decisions(self, round_id: int | None = None) -> list[Decision]:
        stmt = select(Decision)
        if round_id is not None:
            stmt = stmt.where(Decision.round_id == round_id)
        return await self._all(stmt.order_by(Decision.decided_on, Decision.id))

    async def number_used(self, year: int, key: str, but: int | None = None) -> Decision | None:
        stmt = select(Decision).where(Decision.year == year, Decision.number_key == key)
        if but is not None:
            stmt = stmt.where(Decision.id != but)
        return await self.session.scalar(stmt)

    async def items(self, decision_id: int) -> list[DecisionItem]:
        return await self._all(
            select(DecisionItem).where(DecisionItem.decision_id == decision_id).order_by(DecisionItem.id)
        )

    async def decided(self, nomination_ids: Iterable[int]) -> set[int]:
        """The nominations a recorded decision already lists or left out."""
        ids = list(nomination_ids)
        if not ids:
            return set()
        rows = await self.session.scalars(
            select(DecisionItem.nomination_id).where(DecisionItem.nomination_id.in_(ids))
        )
        return set(rows.all())

    async def delegation_on(self, deputy_id: int, day: date) -> SigningDelegation | None:
        stmt = select(SigningDelegation).where(
            SigningDelegation.deputy_id == deputy_id,
            SigningDelegation.valid_from <= day,
            SigningDelegation.valid_to >= day,
        )
        return await self.session.scalar(stmt.order_by(SigningDelegation.id.desc()).limit(1))

    async def delegations_on(self, day: date) -> list[SigningDelegation]:
        stmt = select(SigningDelegation).where(
            SigningDelegation.valid_from <= day, SigningDelegation.valid_to >= day
        )
        return await self._all(stmt.order_by(SigningDelegation.id))

    # -- commendations and proposals --------------------------------------------------------------------
    async def commendation(self, commendation_id: int) -> Commendation | None:
        return await self.session.get(Commendation, commendation_id)

    async def commendations(self, decision_id: int) -> list[Commendation]:
        return await self._all(
            select(Commendation).where(Commendation.decision_id == decision_id).order_by(Commendation.id)
        )

    async def commendations_of(
        self, person_ids: Sequence[int] = (), unit_ids: Sequence[int] = ()
    ) -> list[Commendation]:
        stmt = select(Commendation).where(
            Commendation.person_id.in_(list(person_ids)) | Commendation.unit_id.in_(list(unit_ids))
        )
        return await self._all(stmt.order_by(Commendation.decision_date, Commendation.id))

    async def proposal(self, proposal_id: int) -> Proposal | None:
        return await self.session.get(Proposal, proposal_id)

    async def proposals(self, states: Sequence[str] = ()) -> list[Proposal]:
        stmt = select(Proposal)
        if states:
            stmt = stmt.where(Proposal.state.in_(list(states)))
        return await self._all(stmt.order_by(Proposal.id))

    async def proposed(self, nomination_ids: Iterable[int]) -> set[int]:
        ids = list(nomination_ids)
        if not ids:
            return set()
        rows = await self.session.scalars(
            select(Proposal.nomination_id).where(Proposal.nomination_id.in_(ids))
        )
        return set(rows.all())
