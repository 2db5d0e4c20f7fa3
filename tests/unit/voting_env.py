"""A college for the council's vote, without Telegram: the example plan, units, people, nominations, and the
services run in one unit of work each (as an update or a due tick would)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
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
from storage.db import make_engine, make_sessionmaker
from storage.models import Person, PersonRole, Unit
from storage.models.nomination import Nomination
from storage.models.plan import PlanCommendation, PlanRound
from storage.repositories.people import to_member
from storage.uow import UnitOfWork
from tests.conftest import fresh_database, make_settings

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "plans" / "2026-2030.example.yaml"
REVIEWING = datetime(2027, 6, 3, 10, 0, tzinfo=VN_TZ)  # nominations closed (31/05), voting opens 07/06
OPENS = datetime(2027, 6, 7, 0, 0, tzinfo=VN_TZ)
CLOSED = datetime(2027, 6, 19, 0, 5, tzinfo=VN_TZ)  # voting closed at the end of 18/06


class Env:
    def __init__(self, url: str, **settings: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **settings.pop("engine", {}))
        self.sessionmaker = make_sessionmaker(self.engine)
        self.clock = FakeClock(REVIEWING)
        self.settings = make_settings(url, **settings)
        self.identity = IdentityCache()

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

    async def due(self, now: datetime | None = None) -> int:
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

    async def unit(self, code: str) -> int:
        async with self.sessionmaker() as s:
            unit = await s.scalar(select(Unit).where(Unit.code == code))
            if unit is None:
                unit = Unit(code=code, name=f"Khoa {code}", kind="khoa")
                s.add(unit)
                await s.commit()
            return unit.id

    async def person(self, name: str, unit: str, *roles: Role, linked: bool = True) -> int:
        unit_id = await self.unit(unit)
        async with self.sessionmaker() as s:
            p = Person(
                full_name=name,
                name_search=search_key(name),
                unit_id=unit_id,
                telegram_id=(abs(hash(name)) % 10**9) + 10**9 if linked else None,
                language="vi",
                joined_at=self.clock.now(),
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


@dataclass
class College:
    """Who is who: the secretary, the principal (chair), council members, nominees."""

    env: Env
    secretary: int = 0
    principal: int = 0
    members: list[int] = field(default_factory=list)
    people: dict[str, int] = field(default_factory=dict)


async def college(env: Env, council: int = 3) -> College:
    """The plan loaded; a secretary; the principal and `council - 1` more members of the council."""
    await env.load()
    c = College(env)
    c.secretary = await env.person("Lê Thị Thu", "TCHC", Role.SECRETARY)
    c.principal = await env.person("Trần Văn Hiệu", "BGH", Role.PRINCIPAL, Role.COUNCIL)
    c.members = [c.principal]
    for i in range(council - 1):
        c.members.append(await env.person(f"Thành Viên {chr(65 + i)}", "TCHC", Role.COUNCIL))
    return c


async def opened(env: Env, c: College) -> int:
    """The vote opened by the due work at the plan's date; its id."""
    assert await env.due(OPENS) >= 1
    return await _vote_id(env)


async def _vote_id(env: Env) -> int:
    from storage.models.voting import VotingRound

    return await env.one(select(VotingRound.id).where(VotingRound.scope == "round"))


@pytest.fixture
async def env(request: pytest.FixtureRequest, sqlite_templates: Any) -> AsyncIterator[Env]:
    async for url in fresh_database("sqlite", request, sqlite_templates):
        e = Env(url)
        yield e
        await e.engine.dispose()


@pytest.fixture
async def both_env(db_url: str) -> AsyncIterator[Env]:
    e = Env(db_url)
    yield e
    await e.engine.dispose()
