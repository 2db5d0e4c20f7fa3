"""The council's vote through the chat: a college in the `world` (the real dispatcher over the fake Bot API),
the example plan, the secretary, the principal (the chair) and the council's members, nominations made as
the nomination window leaves them, and the vote opened by the due work at the plan's date."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from bot.devtools.harness import Chatter, World
from bot.roles import Role
from storage.models import Person
from storage.models.nomination import Nomination
from storage.models.plan import PlanCommendation, PlanRound
from storage.models.voting import MAIN_SCOPE, VotingDossier, VotingRound
from tests.voting.college import CLOSED, CSTD, EXAMPLE, LDTT, OPENS, REVIEWING, TTLDTT, TTLDXS, VOTING

__all__ = ["CLOSED", "CSTD", "LDTT", "OPENS", "REVIEWING", "TTLDTT", "TTLDXS", "VOTING"]

SUMMARY = "Hoàn thành xuất sắc nhiệm vụ được giao trong năm học, nhiều đóng góp cho đơn vị."


@dataclass
class ChatCollege:
    world: World
    lan: Chatter  # the secretary (Thường trực Hội đồng)
    hieu: Chatter  # the principal, chair by default
    members: list[Chatter] = field(default_factory=list)  # the council, the principal first


async def chat_college(world: World, council: int = 3) -> ChatCollege:
    world.clock.set(REVIEWING)
    await world.load_plan(EXAMPLE)
    lan = await world.secretary("Lê Thị Thu")
    hieu = await world.person("Trần Văn Hiệu", Role.STAFF, Role.PRINCIPAL, Role.COUNCIL, unit="BGH")
    members = [hieu]
    for i in range(council - 1):
        members.append(await world.council_member(f"Thành Viên {chr(65 + i)}", unit="HDTD"))
    return ChatCollege(world, lan, hieu, members)


async def nominate(
    world: World,
    title: str,
    *,
    person: Chatter | None = None,
    unit: str | None = None,
    summary: str = SUMMARY,
) -> int:
    """A submitted nomination of the yearly round: of `person`, or of the unit `unit` (collective)."""
    async with world.session() as s:
        commendation = await s.scalar(select(PlanCommendation).where(PlanCommendation.code == title))
        round_id = await s.scalar(select(PlanRound.id).where(PlanRound.code == "yearly-2026-2027"))
        assert commendation is not None and round_id is not None
        if person is not None:
            unit_id = (await s.get(Person, person.person_id)).unit_id  # type: ignore[union-attr]
            subject, owner = "individual", f"p{person.person_id}"
        else:
            unit_id = (await world.unit(unit or "")).id
            subject, owner = "collective", f"u{unit_id}"
        row = Nomination(
            round_id=round_id,
            subject=subject,
            owner=owner,
            person_id=person.person_id if person else None,
            unit_id=unit_id,
            commendation_id=commendation.id,
            summary=summary,
            state="submitted",
            report_state="missing",
            version=1,
            created_at=world.clock.now(),
            updated_at=world.clock.now(),
        )
        s.add(row)
        await s.commit()
        return row.id


async def open_vote(world: World) -> int:
    """The due work opens the vote at the plan's date; the members get the opening message; its id."""
    await world.run_due(OPENS)
    world.clock.set(VOTING)
    await world.drain_outbox()
    [voting] = await world.rows(VotingRound, VotingRound.scope == MAIN_SCOPE)
    return voting.id


async def dossier_of(world: World, nomination_id: int, voting_id: int | None = None) -> int:
    where = [VotingDossier.nomination_id == nomination_id]
    if voting_id is not None:
        where.append(VotingDossier.voting_id == voting_id)
    rows = await world.rows(VotingDossier, *where)
    return rows[-1].id


async def vote(member: Chatter, nominee: str, choice: str) -> None:
    """/review, open the nominee's card, press the choice (exact: "Đồng ý" is in "Không đồng ý")."""
    await member.send("/review")
    await member.click(nominee)
    await member.click(choice, exact=True)


def plain(chatter: Chatter) -> str:
    """The newest message as the person reads it (without the HTML tags)."""
    import re

    return re.sub(r"<[^>]+>", "", chatter.last_text())
