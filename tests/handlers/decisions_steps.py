"""A round tallied in the World, for the decisions' chat tests: the example plan (with a comment period
when asked), a secretary, the principal and two more members, a unit head and two staff nominated; the vote
cast through the service (phase 2's /review is another room's), closed by the due work."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bot.context import Ctx
from bot.devtools.harness import Chatter, World
from bot.roles import Role
from bot.services.voting import VotingService
from storage.models import Person
from storage.models.nomination import Nomination
from storage.models.plan import PlanCommendation, PlanRound
from storage.models.voting import MAIN_SCOPE, VotingDossier, VotingRound
from storage.repositories.people import to_member
from storage.uow import UnitOfWork
from tests.decisions.college import AFTER, COMMENT
from tests.voting.college import (
    CLOSED,
    EXAMPLE,
    LDTT,
    OPENS,
    REVIEWING,
    TTLDTT,
    TTLDXS,
    VOTING,
    example_with,
)


@dataclass
class Cast:
    world: World
    secretary: Chatter
    principal: Chatter
    head: Chatter
    hoa: Chatter
    binh: Chatter
    round_id: int
    noms: dict[str, int]


async def _ctx_run(world: World, person_id: int, fn) -> None:  # type: ignore[no-untyped-def]
    async with UnitOfWork(world.sessionmaker) as uow:
        person = await uow.session.get(Person, person_id)
        assert person is not None
        ctx = Ctx(
            uow, world.clock, world.dp["identity"], world.settings, to_member(person, world.clock.today())
        )
        await fn(VotingService(ctx))


async def _nominate(world: World, round_id: int, code: str, who: Chatter | None, unit_id: int) -> int:
    async with world.session() as s:
        c = await s.scalar(select(PlanCommendation).where(PlanCommendation.code == code))
        assert c is not None
        row = Nomination(
            round_id=round_id,
            subject="individual" if who else "collective",
            owner=f"p{who.person_id}" if who else f"u{unit_id}",
            person_id=who.person_id if who else None,
            unit_id=unit_id,
            commendation_id=c.id,
            summary="Hoàn thành xuất sắc nhiệm vụ được giao trong năm học.",
            state="submitted",
            report_state="missing",
            version=1,
            created_at=world.clock.now(),
            updated_at=world.clock.now(),
        )
        s.add(row)
        await s.commit()
        return row.id


async def tallied_world(world: World, tmp_path: Path, *, comment: bool = False, upward: bool = False) -> Cast:
    """Hoa passes LĐTT, Bình fails it, the unit passes TTLĐTT (and, `upward`, TTLĐXS, decided upward)."""
    world.clock.set(REVIEWING)
    plan = tmp_path / "plan.yaml"
    text = example_with(*COMMENT) if comment else EXAMPLE.read_text(encoding="utf-8")
    plan.write_text(text, encoding="utf-8")
    await world.load_plan(plan)
    secretary = await world.secretary("Lê Thị Thu")
    principal = await world.person("Trần Văn Hiệu", Role.STAFF, Role.PRINCIPAL, Role.COUNCIL, unit="BGH")
    members = [
        principal,
        await world.council_member("Thành Viên A"),
        await world.council_member("Thành Viên B"),
    ]
    head = await world.unit_head("Phạm Văn Khoa", unit="KCNTT")
    hoa, binh = (
        await world.staff("Nguyễn Thị Hoa", unit="KCNTT"),
        await world.staff("Trần Văn Bình", unit="KCNTT"),
    )
    unit = await world.unit("KCNTT")
    async with world.session() as s:
        round_id = await s.scalar(select(PlanRound.id).where(PlanRound.code == "yearly-2026-2027"))
    noms = {
        "hoa": await _nominate(world, round_id, LDTT, hoa, unit.id),
        "binh": await _nominate(world, round_id, LDTT, binh, unit.id),
        "unit": await _nominate(world, round_id, TTLDTT, None, unit.id),
    }
    if upward:
        noms["upward"] = await _nominate(world, round_id, TTLDXS, None, unit.id)
    world.clock.set(OPENS)
    await world.run_due()
    world.clock.set(VOTING)
    async with world.session() as s:
        vid = await s.scalar(select(VotingRound.id).where(VotingRound.scope == MAIN_SCOPE))
        dossiers = {d.nomination_id: d.id for d in await s.scalars(select(VotingDossier))}
    choice = {
        dossiers[noms["hoa"]]: "agree",
        dossiers[noms["binh"]]: "disagree",
        dossiers[noms["unit"]]: "agree",
    }
    if upward:
        choice[dossiers[noms["upward"]]] = "agree"
    for m in members:
        for d, c in choice.items():
            await _ctx_run(world, m.person_id, lambda s, d=d, c=c: s.cast(vid, d, c))  # type: ignore[misc]
    world.clock.set(CLOSED)
    await world.run_due()
    world.clock.set(AFTER)
    await world.drain_outbox()
    return Cast(world, secretary, principal, head, hoa, binh, round_id, noms)
