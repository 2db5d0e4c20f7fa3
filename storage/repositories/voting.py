"""The council's votes: rounds, members, dossiers, ballots and results. Reads and adds; never commits.

A race (two processes opening or closing, a double tap) is settled by a conditional UPDATE that says
whether it won (`advance`); a ballot is written with INSERT … ON CONFLICT, so two presses leave one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.plan import PlanRound, PlanSchoolYear
from storage.models.voting import (
    MAIN_SCOPE,
    Ballot,
    VotingDossier,
    VotingMember,
    VotingResult,
    VotingRound,
    VotingState,
)

RUNNING = (VotingState.OPEN.value, VotingState.CLOSED.value)  # opened, not yet tallied
OVER = (VotingState.CLOSED.value, VotingState.TALLIED.value)


class VotingRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self, table: Any) -> Any:
        dialect = self.session.get_bind().dialect.name
        return (postgresql if dialect == "postgresql" else sqlite).insert(table)

    async def _all(self, stmt: Any) -> list[Any]:
        return list((await self.session.scalars(stmt)).all())

    # -- votes ----------------------------------------------------------------------------------------
    async def get(self, voting_id: int) -> VotingRound | None:
        return await self.session.get(VotingRound, voting_id)

    async def refresh(self, row: VotingRound) -> VotingRound:
        await self.session.refresh(row)
        return row

    async def of_round(self, round_id: int, scope: str = MAIN_SCOPE) -> VotingRound | None:
        return await self.session.scalar(
            select(VotingRound).where(VotingRound.round_id == round_id, VotingRound.scope == scope)
        )

    async def ensure(self, round_id: int, scope: str, now: datetime, **values: Any) -> VotingRound:
        """The vote of `round_id` and `scope`, made (preparing) if there is none: two at once make one."""
        stmt = (
            self._insert(VotingRound)
            .values(
                round_id=round_id,
                scope=scope,
                state=VotingState.PREPARING.value,
                rules={},
                opened_early=False,
                created_at=now,
                **values,
            )
            .on_conflict_do_nothing(index_elements=["round_id", "scope"])
        )
        await self.session.execute(stmt)
        row = await self.of_round(round_id, scope)
        assert row is not None
        return row

    async def advance(self, voting_id: int, states: Sequence[str], **values: Any) -> bool:
        """Set `values` if the vote is still in one of `states`: False when another process was first."""
        result = await self.session.execute(
            update(VotingRound)
            .where(VotingRound.id == voting_id, VotingRound.state.in_(list(states)))
            .values(**values)
            .returning(VotingRound.id)
            .execution_options(synchronize_session=False)
        )
        return result.scalar() is not None

    async def of_rounds(self, round_ids: Sequence[int]) -> list[VotingRound]:
        if not round_ids:
            return []
        return await self._all(select(VotingRound).where(VotingRound.round_id.in_(list(round_ids))))

    async def in_states(self, states: Sequence[str]) -> list[VotingRound]:
        return await self._all(
            select(VotingRound).where(VotingRound.state.in_(list(states))).order_by(VotingRound.id)
        )

    async def running_in_period(self, period_id: int) -> list[tuple[VotingRound, PlanRound]]:
        """The votes of the period that have opened and are not tallied, with their plan round."""
        rows = await self.session.execute(
            select(VotingRound, PlanRound)
            .join(PlanRound, PlanRound.id == VotingRound.round_id)
            .where(PlanRound.period_id == period_id, VotingRound.state.in_(RUNNING))
            .order_by(VotingRound.id)
        )
        return [(v, r) for v, r in rows.all()]

    async def rounds_to_open(self, now: datetime) -> list[PlanRound]:
        """Plan rounds whose voting window holds `now` and whose vote has not opened."""
        opened = (
            select(VotingRound.id)
            .where(
                VotingRound.round_id == PlanRound.id,
                VotingRound.scope == MAIN_SCOPE,
                VotingRound.state != VotingState.PREPARING.value,
            )
            .exists()
        )
        stmt = select(PlanRound).where(  # the window as effective_voting_window has it, early and extended
            or_(PlanRound.voting_open_at <= now, PlanRound.voting_opened_early_at <= now),
            or_(PlanRound.voting_close_at >= now, PlanRound.voting_extended_to >= now),
            ~opened,
        )
        return await self._all(stmt.order_by(PlanRound.voting_open_at, PlanRound.id))

    async def is_over(self, round_id: int) -> bool:
        """The round's vote has closed (or been tallied)."""
        row = await self.of_round(round_id)
        return row is not None and row.state in OVER

    # -- members --------------------------------------------------------------------------------------
    async def member_rows(self, voting_id: int) -> list[VotingMember]:
        return await self._all(
            select(VotingMember)
            .where(VotingMember.voting_id == voting_id)
            .order_by(VotingMember.id)
            .execution_options(populate_existing=True)  # a member may be written by core SQL (set_member)
        )

    async def member_ids(self, voting_id: int) -> list[int]:
        return [m.person_id for m in await self.member_rows(voting_id) if not m.removed]

    async def member_row(self, voting_id: int, person_id: int) -> VotingMember | None:
        return await self.session.scalar(
            select(VotingMember).where(
                VotingMember.voting_id == voting_id, VotingMember.person_id == person_id
            )
        )

    async def set_member(
        self, voting_id: int, person_id: int, *, origin: str, removed: bool, by: int | None, now: datetime
    ) -> bool:
        """A member added or removed (INSERT … ON CONFLICT): True when this call changed it, False when it
        was so already (a double tap, or two secretaries at once: one of them changes it)."""
        stmt = (
            self._insert(VotingMember)
            .values(
                voting_id=voting_id,
                person_id=person_id,
                origin=origin,
                removed=removed,
                changed_by=by,
                changed_at=now,
            )
            .on_conflict_do_update(
                index_elements=["voting_id", "person_id"],
                set_={"removed": removed, "changed_by": by, "changed_at": now},
                where=VotingMember.removed != removed,
            )
            .returning(VotingMember.id)
        )
        return (await self.session.execute(stmt)).scalar() is not None

    def add(self, row: Any) -> Any:
        self.session.add(row)
        return row

    # -- dossiers -------------------------------------------------------------------------------------
    async def dossiers(self, voting_id: int) -> list[VotingDossier]:
        return await self._all(
            select(VotingDossier)
            .where(VotingDossier.voting_id == voting_id)
            .order_by(VotingDossier.position, VotingDossier.id)
        )

    async def dossier(self, dossier_id: int) -> VotingDossier | None:
        return await self.session.get(VotingDossier, dossier_id)

    # -- ballots --------------------------------------------------------------------------------------
    async def ballots(self, voting_id: int) -> list[Ballot]:
        return await self._all(select(Ballot).where(Ballot.voting_id == voting_id).order_by(Ballot.id))

    async def ballot(self, dossier_id: int, member_id: int) -> Ballot | None:
        return await self.session.scalar(
            select(Ballot).where(Ballot.dossier_id == dossier_id, Ballot.member_id == member_id)
        )

    async def has_ballot(self, dossier_id: int, member_id: int) -> bool:
        """Whether the member has voted on the dossier (the row is not loaded: it is written by core SQL)."""
        found = await self.session.scalar(
            select(Ballot.id).where(Ballot.dossier_id == dossier_id, Ballot.member_id == member_id)
        )
        return found is not None

    async def put_ballot(self, values: dict[str, Any]) -> None:
        """Insert a ballot, or replace the nonce and seal of the one already there (one row whatever)."""
        changing = {k: values[k] for k in ("nonce", "seal", "written", "entered_by", "cast_at")}
        stmt = (
            self._insert(Ballot)
            .values(**values)
            .on_conflict_do_update(index_elements=["dossier_id", "member_id"], set_=changing)
        )
        await self.session.execute(stmt)

    async def drop_ballot(self, dossier_id: int, member_id: int) -> bool:
        result = await self.session.execute(
            delete(Ballot)
            .where(Ballot.dossier_id == dossier_id, Ballot.member_id == member_id)
            .returning(Ballot.id)
            .execution_options(synchronize_session=False)
        )
        return result.scalar() is not None

    async def ballots_of(self, voting_id: int, member_id: int) -> list[int]:
        """The dossiers `member_id` has voted on."""
        rows = await self.session.scalars(
            select(Ballot.dossier_id).where(Ballot.voting_id == voting_id, Ballot.member_id == member_id)
        )
        return list(rows.all())

    async def seals_of(
        self, voting_id: int, member_id: int, dossier_id: int | None = None
    ) -> list[tuple[int, str, str]]:
        """(dossier, nonce, seal) of one member's ballots, read as columns (a ballot is written by core SQL:
        an ORM row loaded earlier in the unit of work would be stale)."""
        stmt = select(Ballot.dossier_id, Ballot.nonce, Ballot.seal).where(
            Ballot.voting_id == voting_id,
            Ballot.member_id == member_id,
            Ballot.nonce.is_not(None),
            Ballot.seal.is_not(None),
        )
        if dossier_id is not None:
            stmt = stmt.where(Ballot.dossier_id == dossier_id)
        return [(d, n, s) for d, n, s in (await self.session.execute(stmt)).all()]

    async def voted_pairs(self, voting_id: int) -> set[tuple[int, int]]:
        """(dossier, member) of every ballot of the vote: who voted on what, never how."""
        rows = await self.session.execute(
            select(Ballot.dossier_id, Ballot.member_id).where(Ballot.voting_id == voting_id)
        )
        return {(d, m) for d, m in rows.all()}

    async def forget_seals(self, voting_id: int) -> int:
        """Every seal and nonce of the vote set to NULL: after the tally nothing links anyone to a choice."""
        result = await self.session.execute(
            update(Ballot).where(Ballot.voting_id == voting_id).values(nonce=None, seal=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # -- results --------------------------------------------------------------------------------------
    async def history(self, owners: Sequence[str], but: int) -> list[tuple[str, str, int, bool]]:
        """(owner, title, school year's first year, passed) of the tallied votes but `but`, for `owners`."""
        if not owners:
            return []
        rows = await self.session.execute(
            select(
                VotingDossier.owner,
                VotingDossier.commendation_code,
                PlanSchoolYear.start,
                VotingResult.outcome,
                VotingResult.settled_outcome,
            )
            .join(VotingDossier, VotingDossier.id == VotingResult.dossier_id)
            .join(VotingRound, VotingRound.id == VotingResult.voting_id)
            .join(PlanRound, PlanRound.id == VotingRound.round_id)
            .join(PlanSchoolYear, PlanSchoolYear.id == PlanRound.school_year_id)
            .where(
                VotingDossier.owner.in_(list(owners)),
                VotingRound.state == VotingState.TALLIED.value,
                VotingRound.id != but,
            )
        )
        return [
            (o, c, start.year, (settled or outcome) == "passed")
            for o, c, start, outcome, settled in rows.all()
        ]

    async def results(self, voting_id: int) -> list[VotingResult]:
        return await self._all(
            select(VotingResult).where(VotingResult.voting_id == voting_id).order_by(VotingResult.id)
        )
