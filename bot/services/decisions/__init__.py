"""Decisions and what follows them (issue 20), without Telegram: `DecisionService` is the face the handlers
call.

Rooms (each with one reason to change):
- `common`: the actions, the errors, the round's list as the vote left it (ties settled, re-ballots);
- `comment`: the public comment period (published through BroadcastService) and the objections;
- `record`: the decision recorded (number, date, signer, list, money confirmed), commendations, proposals;
- `money`: each award's amount, the highest only paid, one achievement proposed for two award forms;
- `notices`: the outcomes through the outbox; `later`: proposals upward, corrections, revocations;
- `reading`: /summary, /history, the announce room's "decision" source.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.context import Ctx
from bot.services.decisions.comment import CommentService, ObjectionView, Publication, link_payload
from bot.services.decisions.common import (
    DECIDE,
    HISTORY,
    OBJECT,
    REASON_MAX,
    REASON_MIN,
    SUMMARY,
    Candidate,
    DecisionError,
    round_list,
)
from bot.services.decisions.later import CommendedView, DecisionView, Later, ProposalView
from bot.services.decisions.notices import Notices
from bot.services.decisions.reading import (
    HistoryLine,
    Summary,
    history,
    history_search,
    recorded,
    subject_name,
    summary,
    tallied_rounds,
)
from bot.services.decisions.record import DecisionDraft, Preview, Recorder, Signer, number_key
from storage.models.decisions import Commendation, Decision, Objection, Proposal


class DecisionService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.comment = CommentService(ctx)
        self.recorder = Recorder(ctx)
        self.later = Later(ctx)

    # -- the comment period --------------------------------------------------------------------------
    async def publication(self, round_id: int) -> Publication:
        return await self.comment.publication(round_id)

    async def publish(
        self, round_id: int, html: str, chats: list[int], staff: bool, chat_id: int, **kw: bool
    ):
        return await self.comment.publish(round_id, html, chats, staff, chat_id, **kw)

    async def listed(self, round_id: int) -> list[Candidate]:
        return (await self.comment.listed(round_id))[1]

    async def object(self, round_id: int, nomination_id: int, reason: str) -> Objection:
        return await self.comment.object(round_id, nomination_id, reason)

    async def objections(
        self, round_id: int | None = None, *, open_only: bool = False
    ) -> list[ObjectionView]:
        return await self.comment.objections(round_id, open_only=open_only)

    async def dismiss(self, objection_id: int, reason: str) -> Objection:
        return await self.comment.dismiss(objection_id, reason)

    async def ask_documents(self, objection_id: int, deadline: datetime) -> Objection:
        return await self.comment.ask_documents(objection_id, deadline)

    async def supply(self, objection_id: int, text: str) -> Objection:
        return await self.comment.supply(objection_id, text)

    async def reopen(self, objection_id: int, closes: datetime) -> Objection:
        return await self.comment.reopen(objection_id, closes)

    # -- recording -------------------------------------------------------------------------------------
    async def rounds(self):  # the rounds whose vote is tallied
        return await tallied_rounds(self.ctx)

    async def decidable(self, round_id: int):
        return await self.recorder.decidable(round_id)

    async def signers(self, day: date) -> list[Signer]:
        return await self.recorder.signers(day)

    async def with_number(self, draft: DecisionDraft, text: str) -> DecisionDraft:
        await self.recorder.decidable(draft.round_id)
        return await self.recorder.with_number(draft, text)

    async def with_signer(self, draft: DecisionDraft, person_id: int) -> DecisionDraft:
        return await self.recorder.with_signer(draft, person_id)

    async def leave_out(self, draft: DecisionDraft, nomination_id: int, reason: str) -> DecisionDraft:
        _listing, school, _upward = await self.recorder.decidable(draft.round_id)
        self.recorder.leave_out(draft, nomination_id, reason, school)
        return draft

    async def set_amount(self, draft: DecisionDraft, nomination_id: int, text: str) -> DecisionDraft:
        _listing, school, _upward = await self.recorder.decidable(draft.round_id)
        if all(c.nomination_id != nomination_id for c in school):
            raise DecisionError("decisions-not-on-list")
        self.recorder.set_amount(draft, nomination_id, text)
        return draft

    async def preview(self, draft: DecisionDraft) -> Preview:
        return await self.recorder.preview(draft)

    async def record(self, draft: DecisionDraft) -> Decision:
        decision = await self.recorder.record(draft)
        await Notices(self.ctx).decided(decision)
        return decision

    async def delegate(self, deputy_id: int, valid_from: date, valid_to: date):
        return await self.recorder.delegate(deputy_id, valid_from, valid_to)

    # -- what follows ----------------------------------------------------------------------------------
    async def move_proposal(self, proposal_id: int, op: str, decision_text: str | None = None) -> Proposal:
        return await self.later.move_proposal(proposal_id, op, decision_text)

    async def correct(self, decision_id: int, text: str, signer_id: int | None, reason: str) -> Decision:
        return await self.later.correct(decision_id, text, signer_id, reason)

    async def revoke(self, commendation_id: int, reason: str) -> Commendation:
        return await self.later.revoke(commendation_id, reason)

    async def recovered(self, commendation_id: int) -> Commendation:
        return await self.later.recovered(commendation_id)

    async def desk(self):  # type: ignore[no-untyped-def]  # (decisions, proposals) for /decisions
        return await self.later.decisions(), await self.later.proposals()

    async def summary(self) -> Summary:
        return await summary(self.ctx)

    async def history(self, person_id: int | None = None, unit_id: int | None = None) -> list[HistoryLine]:
        return await history(self.ctx, person_id, unit_id)

    async def history_search(self, query: str) -> list[tuple[str, int, str]]:
        return await history_search(self.ctx, query)

    async def subject_name(self, person_id: int | None, unit_id: int | None) -> str:
        return await subject_name(self.ctx, person_id, unit_id)

    async def recorded(self, limit: int = 10) -> list[Decision]:
        return await recorded(self.ctx, limit)


__all__ = [
    "DECIDE",
    "HISTORY",
    "OBJECT",
    "REASON_MAX",
    "REASON_MIN",
    "SUMMARY",
    "Candidate",
    "CommendedView",
    "DecisionDraft",
    "DecisionError",
    "DecisionService",
    "DecisionView",
    "ObjectionView",
    "Preview",
    "ProposalView",
    "Publication",
    "Signer",
    "link_payload",
    "number_key",
    "round_list",
]
