"""The vote's audiences for the reminders (bot/services/reminder_audiences.py): `council_members` and
`pending` for the deadlines `voting_open` and `voting_close`.

- `council_members`: the round's council. Before opening, as it would open now (the `council` role holders
  on the reminder's day, with the secretary's additions and removals); once open, the vote's members.
- `pending`: the members who have not voted on every dossier they may vote on (before opening: all of them;
  after the close: nobody). A member who finishes drops out, and a reminder queued for them and not yet
  sent is cancelled at once (`drop_finished`; the reminders' next tick would cancel it too).

Who voted on what is all they read (a ballot row says that much), never how.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Ctx
from bot.roles import Role
from bot.services.outbox import NOT_SENT, Outbox
from bot.services.reminder_audiences import Occurrence, audience, people_where
from bot.services.voting.common import eligible
from storage.models import OutboxMessage, Person, PersonRole
from storage.models.voting import MAIN_SCOPE, VotingRound, VotingState
from storage.repositories.people import role_in_force
from storage.repositories.voting import VotingRepo

DEADLINES = ("voting_open", "voting_close")
REMINDER_KIND = "reminder"  # the reminders' outbox kind (bot/services/reminders.py)


async def _vote(session: AsyncSession, occ: Occurrence) -> VotingRound | None:
    if occ.round_id is None:
        return None
    return await VotingRepo(session).of_round(occ.round_id, MAIN_SCOPE)


async def _members(session: AsyncSession, occ: Occurrence, voting: VotingRound | None) -> set[int]:
    repo = VotingRepo(session)
    rows = await repo.member_rows(voting.id) if voting is not None else []
    if voting is not None and voting.state != VotingState.PREPARING.value:
        return {m.person_id for m in rows if not m.removed}
    assert occ.today is not None
    holders = await session.scalars(
        select(PersonRole.person_id).where(PersonRole.role == Role.COUNCIL.value, role_in_force(occ.today))
    )
    out = set(holders.all()) | {m.person_id for m in rows if m.origin == "added" and not m.removed}
    return out - {m.person_id for m in rows if m.removed}


async def _pending(session: AsyncSession, occ: Occurrence) -> set[int]:
    voting = await _vote(session, occ)
    members = await _members(session, occ, voting)
    if voting is None or voting.state == VotingState.PREPARING.value:
        return members
    if voting.state != VotingState.OPEN.value:
        return set()
    repo = VotingRepo(session)
    dossiers, pairs = await repo.dossiers(voting.id), await repo.voted_pairs(voting.id)
    return {m for m in members if any((d.id, m) not in pairs for d in eligible(dossiers, m))}


async def council_members(session: AsyncSession, occ: Occurrence) -> list[int]:
    ids = await _members(session, occ, await _vote(session, occ))
    return await people_where(session, Person.id.in_(sorted(ids))) if ids else []


async def pending(session: AsyncSession, occ: Occurrence) -> list[int]:
    ids = await _pending(session, occ)
    return await people_where(session, Person.id.in_(sorted(ids))) if ids else []


for _deadline in DEADLINES:
    audience(_deadline, "council_members")(council_members)
    audience(_deadline, "pending")(pending)


async def drop_finished(ctx: Ctx, round_id: int, member_id: int) -> int:
    """A member who has just voted on every dossier: the voting reminders queued for them and not yet sent
    (this round's, either deadline) are cancelled. How many."""
    rows = await ctx.session.scalars(
        select(OutboxMessage.idempotency_key).where(
            OutboxMessage.kind == REMINDER_KIND,
            OutboxMessage.person_id == member_id,
            OutboxMessage.status.in_(NOT_SENT),
        )
    )
    outbox, dropped = Outbox(ctx), 0
    for key in rows.all():
        if _is_voting_reminder(key or "", round_id, member_id):
            dropped += await outbox.cancel(key=key)
    return dropped


def _is_voting_reminder(key: str, round_id: int, member_id: int) -> bool:
    """rem:<kind>:<year>:r<round>:<instant>:<offset>:<person>, or the secretary's nudge,
    rem-nudge:<kind>:<year>:r<round>:<person>:<day> (bot/services/reminders.py)."""
    parts = key.split(":")
    if parts[0] == "rem" and len(parts) == 7:
        person = parts[6]
    elif parts[0] == "rem-nudge" and len(parts) == 6:
        person = parts[4]
    else:
        return False
    return parts[1] in DEADLINES and parts[3] == f"r{round_id}" and person == str(member_id)
