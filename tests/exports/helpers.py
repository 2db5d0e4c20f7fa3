"""What the export tests share: a service context as a person, a file made now, the file a person got,
opened."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.context import Ctx
from bot.devtools.harness import Chatter, World
from bot.services.exports import ExportService
from storage.models import Person
from storage.repositories.people import to_member
from storage.uow import UnitOfWork


async def member_of(world: World, who: Chatter) -> Any:
    async with world.session() as s:
        person = await s.scalar(
            select(Person).where(Person.id == who.person_id).options(selectinload(Person.roles))
        )
        assert person is not None
        return to_member(person, world.clock.today())


@asynccontextmanager
async def acting(world: World, who: Chatter | None) -> AsyncIterator[Ctx]:
    """One committed unit of work as `who` (None: the system, as the CLI runs)."""
    actor = await member_of(world, who) if who is not None else None
    async with UnitOfWork(world.sessionmaker) as uow:
        yield Ctx(
            uow,
            world.clock,
            world.dp["identity"],
            world.settings,
            actor=actor,
            outbox_wake=world.dp["outbox_wake"],
        )


async def made(world: World, who: Chatter, name: str, **narrow: Any) -> bytes:
    """The file of kind `name` made now as `who` (as the operator's `thidua export` makes it)."""
    async with acting(world, who) as ctx:
        service = ExportService(ctx)
        kind, f = await service.narrowed(name, **narrow)
        data, _ = await service.make(kind, f)
    return data


def documents(who: Chatter) -> list[Any]:
    return [m for m in who.messages() if m.kind == "document"]


def workbook_of(who: Chatter, n: int = -1) -> Any:
    """The n-th workbook `who` received, opened with openpyxl."""
    from openpyxl import load_workbook

    sent = documents(who)[n]
    stored = who.file(sent.file_id)
    assert stored.data is not None
    return load_workbook(io.BytesIO(stored.data))


def table(ws: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in ws.iter_rows()]
