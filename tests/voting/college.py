"""A college for the council's vote, without Telegram: the example plan, units, people, nominations, and the
services run in one unit of work each (as an update or a due tick would)."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from bot.clock import VN_TZ, FakeClock
from bot.context import Ctx
from bot.due import DueContext
from bot.identity import IdentityCache
from bot.plan.loader import parse_plan
from bot.roles import Role
from bot.services.plan import PlanService
from bot.services.voting import VotingService, voting_due
from bot.text import search_key
from storage.db import Base, make_engine, make_sessionmaker
from storage.models import Person, PersonRole, Unit
from storage.models.nomination import Nomination
from storage.models.plan import PlanCommendation, PlanRound
from storage.models.voting import MAIN_SCOPE, VotingDossier, VotingRound
from storage.repositories.people import to_member
from storage.uow import UnitOfWork
from tests.conftest import make_settings

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "plans" / "2026-2030.example.yaml"
REVIEWING = datetime(2027, 6, 3, 10, 0, tzinfo=VN_TZ)  # nominations closed (31/05), voting opens 07/06
OPENS = datetime(2027, 6, 7, 0, 0, tzinfo=VN_TZ)
VOTING = datetime(2027, 6, 8, 9, 0, tzinfo=VN_TZ)
CLOSED = datetime(2027, 6, 19, 0, 5, tzinfo=VN_TZ)  # voting closed at the end of 18/06
LDTT, CSTD = "lao_dong_tien_tien", "chien_si_thi_dua_co_so"
TTLDTT, TTLDXS = "tap_the_lao_dong_tien_tien", "tap_the_lao_dong_xuat_sac"


class Env:
    """One database, its clock and settings; `run` is one unit of work as a person (or the system)."""

    def __init__(self, url: str, **settings: Any) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = make_sessionmaker(self.engine)
        self.clock = FakeClock(REVIEWING)
        self.settings = make_settings(url, **settings)
        self.identity = IdentityCache()

    def set_settings(self, **settings: Any) -> None:
        self.settings = make_settings(self.url, **settings)

    @asynccontextmanager
    async def ctx(self, actor: int | None = None) -> AsyncIterator[Ctx]:
        async with UnitOfWork(self.sessionmaker) as uow:
            member = None
            if actor is not None:
                person = await uow.session.get(Person, actor)
                assert person is not None
                member = to_member(person, self.clock.today())
            yield Ctx(uow, self.clock, self.identity, self.settings, member)

    async def run(self, fn: Callable[[VotingService], Awaitable[T]], actor: int | None = None) -> T:
        async with self.ctx(actor) as c:
            return await fn(VotingService(c))

    async def plan(self, fn: Callable[[PlanService], Awaitable[T]], actor: int | None = None) -> T:
        async with self.ctx(actor) as c:
            return await fn(PlanService(c))

    async def due(self, now: datetime | None = None) -> int:
        """The vote's due work at `now` (the clock set there): how many votes changed state."""
        if now is not None:
            self.clock.set(now)
        due = DueContext(self.sessionmaker, self.clock, self.settings, self.identity)
        return await voting_due(due, self.clock.now())

    async def load(self, text: str | None = None) -> Any:
        text = text if text is not None else EXAMPLE.read_text(encoding="utf-8")
        async with self.ctx() as c:
            return await PlanService(c).load(parse_plan(text, str(EXAMPLE)), text, EXAMPLE, announce=False)

    async def rows(self, model: Any, *where: Any) -> list[Any]:
        async with self.sessionmaker() as s:
            return list((await s.scalars(select(model).where(*where).order_by(model.id))).all())

    async def one(self, stmt: Any) -> Any:
        async with self.sessionmaker() as s:
            return await s.scalar(stmt)

    async def dump(self, *, but: Sequence[str] = ()) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table (the columns named in `but`, "table.column", left out)."""
        out = {}
        async with self.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                columns = [c for c in table.columns if f"{table.name}.{c.name}" not in but]
                rows = await conn.execute(select(*columns).order_by(*table.primary_key.columns))
                out[table.name] = [tuple(r) for r in rows.all()]
        return out

    async def unit(self, code: str) -> int:
        async with self.sessionmaker() as s:
            unit = await s.scalar(select(Unit).where(Unit.code == code))
            if unit is None:
                unit = Unit(code=code, name=f"Khoa {code}", kind="khoa")
                s.add(unit)
                await s.commit()
            return unit.id

    async def person(self, name: str, unit: str, *roles: Role, linked: bool = True) -> int:
        """A person of `unit` holding `roles` (and staff); a unit head's role is the unit's."""
        unit_id = await self.unit(unit)
        async with self.sessionmaker() as s:
            p = Person(
                full_name=name,
                name_search=search_key(name),
                unit_id=unit_id,
                telegram_id=5_000_000 + zlib.crc32(name.encode()) % 10**8
                if linked
                else None,  # the same in every run
                language="vi",
                joined_at=self.clock.now() if linked else None,
                created_at=self.clock.now(),
            )
            for role in (Role.STAFF, *roles):
                scoped = role in (Role.STAFF, Role.UNIT_HEAD)
                p.roles.append(PersonRole(role=role.value, unit_id=unit_id if scoped else None))
            s.add(p)
            await s.commit()
            return p.id

    async def round_id(self) -> int:
        return await self.one(select(PlanRound.id).where(PlanRound.code == "yearly-2026-2027"))

    async def nominate(self, title: str, *, person: int | None = None, unit: str | None = None) -> int:
        """A submitted nomination of the yearly round: of `person`, or of the unit `unit` (collective)."""
        async with self.sessionmaker() as s:
            commendation = await s.scalar(select(PlanCommendation).where(PlanCommendation.code == title))
            assert commendation is not None
            if person is not None:
                unit_id = (await s.get(Person, person)).unit_id  # type: ignore[union-attr]
                subject, owner = "individual", f"p{person}"
            else:
                unit_id = await self.unit(unit or "")
                subject, owner = "collective", f"u{unit_id}"
            row = Nomination(
                round_id=await self.round_id(),
                subject=subject,
                owner=owner,
                person_id=person,
                unit_id=unit_id,
                commendation_id=commendation.id,
                summary="Hoàn thành xuất sắc nhiệm vụ được giao trong năm học, nhiều đóng góp cho đơn vị.",
                state="submitted",
                report_state="missing",
                version=1,
                created_at=self.clock.now(),
                updated_at=self.clock.now(),
            )
            s.add(row)
            await s.commit()
            return row.id

    async def vote_id(self) -> int:
        """The id of the yearly round's vote."""
        return await self.one(select(VotingRound.id).where(VotingRound.scope == MAIN_SCOPE))

    async def dossiers(self, voting_id: int | None = None) -> dict[int, VotingDossier]:
        """The vote's dossiers by nomination id."""
        voting_id = voting_id or await self.vote_id()
        rows = await self.rows(VotingDossier, VotingDossier.voting_id == voting_id)
        return {d.nomination_id: d for d in rows}

    async def cast(self, voting_id: int, votes: dict[int, dict[int, str]]) -> None:
        """{member: {dossier: choice}}, each press in its own unit of work."""
        for member, choices in votes.items():
            for dossier, choice in choices.items():
                await self.run(lambda s, d=dossier, c=choice: s.cast(voting_id, d, c), member)


@dataclass
class College:
    """Who is who: the secretary, the principal (the chair), the council's members."""

    env: Env
    secretary: int = 0
    principal: int = 0
    members: list[int] = field(default_factory=list)


async def college(env: Env, council: int = 3, *, plan: str | None = None) -> College:
    """The plan loaded (the example, or `plan`); a secretary; the principal and `council - 1` more members."""
    await env.load(plan)
    c = College(env)
    c.secretary = await env.person("Lê Thị Thu", "TCHC", Role.SECRETARY)
    c.principal = await env.person("Trần Văn Hiệu", "BGH", Role.PRINCIPAL, Role.COUNCIL)
    c.members = [c.principal]
    for i in range(council - 1):
        c.members.append(await env.person(f"Thành Viên {chr(65 + i)}", "HDTD", Role.COUNCIL))
    return c


async def opened(env: Env) -> int:
    """The vote opened by the due work at the plan's date; its id."""
    assert await env.due(OPENS) >= 1
    env.clock.set(VOTING)
    return await env.vote_id()


def example_with(old: str, new: str) -> str:
    """The example plan with one edit (which must apply)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)
