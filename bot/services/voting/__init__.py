"""The council's review round (issue 19), without Telegram: `VotingService` is the face the handlers call.

Rooms (each with one reason to change):
- `round`: the council (members, chair), recusal, opening and closing, the re-ballot, the timed work;
- `ballot`: casting and changing a vote, the secretary's written vote; the seals (never a choice in clear);
- `tally`: pure, counts in and results out (`fractions.Fraction`), property-tested;
- `criteria`: pure, the plan's `criteria_rules` against what is known (`facts` reads it from the database);
- `results`: the tally of a closed vote written down, the seals forgotten, ties settled;
- `review`: a member's sheet of dossiers (the cards' data) and the progress;
- `rules`: the plan's values copied at opening, and the reload refused while a vote runs;
- `notices`: what the vote says on its own initiative, as data; the wording is handed in;
- `desk`: the secretary's (and the chair's) lists: rounds, votes, who has voted on how many, never how;
- `audiences`: the reminders' `council_members` and `pending` of `voting_open` and `voting_close`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.context import Ctx
from bot.services.voting import audiences
from bot.services.voting.ballot import BallotBox, Progress, Receipt
from bot.services.voting.common import MANAGE, VOTE
from bot.services.voting.desk import Desk, DossierName, MemberProgress, Standing, VoteItem
from bot.services.voting.errors import VotingNotFound
from bot.services.voting.notices import ResultsView, use_texts
from bot.services.voting.results import Results
from bot.services.voting.review import DossierFull, DossierView, Review, Sheet, full
from bot.services.voting.round import (
    Council,
    CouncilView,
    MemberView,
    close_voting,
    open_voting,
    reballot,
    voting_due,
)
from storage.models.plan import PlanRound
from storage.repositories.voting import VotingRepo


class VotingService:
    """Everything a handler asks of the vote; each call checks the person, the role, the vote's state."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx

    # -- the council, before opening (the secretary) -------------------------------------------------------
    async def council(self, round_id: int) -> CouncilView:
        return await Council(self.ctx).view(round_id)

    async def add_member(self, round_id: int, person_id: int) -> CouncilView:
        return await Council(self.ctx).add(round_id, person_id)

    async def remove_member(self, round_id: int, person_id: int) -> CouncilView:
        return await Council(self.ctx).remove(round_id, person_id)

    async def name_chair(self, round_id: int, person_id: int) -> CouncilView:
        return await Council(self.ctx).name_chair(round_id, person_id)

    async def vote_of_round(self, round_id: int) -> int:
        """The id of the round's vote (made, preparing, if there is none yet)."""
        voting = await VotingRepo(self.ctx.session).of_round(round_id)
        if voting is None:
            raise VotingNotFound()
        return voting.id

    # -- opening and closing -----------------------------------------------------------------------------
    async def open_early(self, round_id: int) -> None:
        """The secretary opens voting before the plan's date (the existing /rounds path, which opens the
        vote in the same unit of work)."""
        from bot.services.plan import WindowService

        await WindowService(self.ctx).open_voting_early(round_id)

    async def close_early(self, voting_id: int) -> ResultsView | None:
        """The secretary closes once every member has voted on every dossier; the tally follows."""
        await close_voting(self.ctx, voting_id, early=True)
        return await Results(self.ctx).view(voting_id) if await self._tallied(voting_id) else None

    async def _tallied(self, voting_id: int) -> bool:
        voting = await VotingRepo(self.ctx.session).get(voting_id)
        return voting is not None and voting.state == "tallied"

    # -- a member's review -----------------------------------------------------------------------------
    async def my_votes(self) -> list[int]:
        return await Review(self.ctx).my_votes()

    async def sheet(self, voting_id: int) -> Sheet:
        return await Review(self.ctx).sheet(voting_id)

    async def cast(self, voting_id: int, dossier_id: int, choice: str) -> Receipt:
        """agree | disagree | undecided ("Chưa quyết": not a vote). A member who has now voted on every
        dossier is dropped from the voting reminders queued for them."""
        receipt = await BallotBox(self.ctx).cast(voting_id, dossier_id, choice)
        if receipt.progress.finished and self.ctx.actor is not None:
            await self._finished(voting_id, self.ctx.actor.person_id)
        return receipt

    async def _finished(self, voting_id: int, member_id: int) -> None:
        voting = await VotingRepo(self.ctx.session).get(voting_id)
        if voting is not None and voting.scope == "round":
            await audiences.drop_finished(self.ctx, voting.round_id, member_id)

    async def full(self, voting_id: int, dossier_id: int) -> DossierFull:
        return await full(self.ctx, voting_id, dossier_id)

    async def progress(self, voting_id: int) -> Progress:
        if self.ctx.actor is None:
            raise VotingNotFound()
        return await BallotBox(self.ctx).progress(voting_id, self.ctx.actor.person_id)

    async def pending_members(self, voting_id: int) -> list[int]:
        return await Review(self.ctx).pending_members(voting_id)

    # -- the secretary ---------------------------------------------------------------------------------
    async def enter_written(self, voting_id: int, dossier_id: int, member_id: int, choice: str) -> Receipt:
        receipt = await BallotBox(self.ctx).written(voting_id, dossier_id, member_id, choice)
        if receipt.progress.finished:
            await self._finished(voting_id, member_id)
        return receipt

    # -- the desk: the secretary's (and the chair's) lists ------------------------------------------------
    async def council_rounds(self) -> list[PlanRound]:
        return await Desk(self.ctx).council_rounds()

    async def votes(self) -> list[VoteItem]:
        return await Desk(self.ctx).votes()

    async def item(self, voting_id: int) -> VoteItem:
        return await Desk(self.ctx).item(voting_id)

    async def standing(self, voting_id: int) -> Standing:
        return await Desk(self.ctx).standing(voting_id)

    async def missing(self, voting_id: int, member_id: int) -> list[DossierName]:
        return await Desk(self.ctx).missing(voting_id, member_id)

    async def member_name(self, person_id: int) -> str:
        return await Desk(self.ctx).member_name(person_id)

    async def plan_round(self, round_id: int) -> PlanRound:
        return await Desk(self.ctx).plan_round(round_id)

    async def search(self, query: str) -> list[tuple[int, str, str]]:
        return await Desk(self.ctx).search(query)

    async def results(self, voting_id: int) -> ResultsView:
        return await Results(self.ctx).view(voting_id)

    async def settle_tie(self, voting_id: int, title: str, chosen: Sequence[int], reason: str) -> ResultsView:
        return await Results(self.ctx).settle(voting_id, title, chosen, reason)

    async def reballot(self, voting_id: int, dossier_id: int, closes_at: datetime) -> int:
        return (await reballot(self.ctx, voting_id, dossier_id, closes_at)).id


__all__ = [
    "MANAGE",
    "VOTE",
    "CouncilView",
    "DossierFull",
    "DossierName",
    "DossierView",
    "MemberProgress",
    "MemberView",
    "Progress",
    "Receipt",
    "ResultsView",
    "Sheet",
    "Standing",
    "VoteItem",
    "VotingService",
    "open_voting",
    "use_texts",
    "voting_due",
]
