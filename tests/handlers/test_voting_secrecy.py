"""Secrecy through the chat (issue 19, phase 2): two colleges vote the same way but for two members who swap
their choices (one changes it, one has a paper vote entered). Every request the bot sends to anyone but
those two members (the secretary's standing and result, the chair's copy, the reminders), every answer to a
press, every table after the tally and the logs are the same in both: nothing tells their choices apart.
The members' own cards do differ (each sees their own choice): that is the one place a choice is shown."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.devtools.harness import World
from storage.db import Base, make_engine
from storage.models.voting import Ballot
from tests.conftest import fresh_database, make_settings
from tests.voting.chat import CLOSED, LDTT, chat_college, dossier_of, nominate, open_vote, vote
from tests.voting.test_secrecy import Captured


@pytest.fixture
def logs():
    handler, root, engine = Captured(), logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    levels = root.level, engine.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    engine.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(levels[0])
    engine.setLevel(levels[1])


@pytest.fixture(params=["sqlite", "postgres"])
async def twin_worlds(
    request: pytest.FixtureRequest, sqlite_templates: Any
) -> AsyncIterator[tuple[World, World]]:
    makers = [fresh_database(request.param, request, sqlite_templates) for _ in range(2)]
    worlds = []
    for maker in makers:
        url = await anext(maker)
        w = World(make_settings(url), make_engine(url), FakeClock())
        await w.start()
        worlds.append(w)
    yield worlds[0], worlds[1]
    for w, maker in zip(worlds, makers, strict=True):
        await w.close()
        await w.engine.dispose()
        async for _ in maker:
            pass


async def run(world: World, first: str, second: str, seals: set[str]) -> tuple[set[int], dict[str, Any]]:
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    binh = await world.staff("Trần Văn Bình", unit="KCNTT")
    n1 = await nominate(world, LDTT, person=hoa)
    n2 = await nominate(world, LDTT, person=binh)
    await open_vote(world)
    p, a, b = c.members
    await vote(p, "Nguyễn Thị Hoa", "Đồng ý")
    await vote(p, "Trần Văn Bình", "Đồng ý")
    await vote(a, "Nguyễn Thị Hoa", second)
    await a.click(first, exact=True)
    await a.click(second, exact=True)  # A changed her mind, and back
    await vote(b, "Nguyễn Thị Hoa", first)
    await vote(a, "Trần Văn Bình", first)
    seals |= {v for r in await world.rows(Ballot) for v in (r.nonce, r.seal) if v}
    await c.lan.send("/results")
    await c.lan.click("Ghi phiếu giấy")
    await c.lan.click("Thành Viên B")
    await c.lan.click("Trần Văn Bình")
    await c.lan.click(second, exact=True)
    seals |= {v for r in await world.rows(Ballot) for v in (r.nonce, r.seal) if v}
    await c.lan.send("/results")
    world.clock.set(CLOSED)
    await world.run_due()
    world.clock.set(CLOSED.replace(hour=9))
    await world.drain_outbox()
    await c.lan.send("/results")
    await c.hieu.send("/results")
    assert await dossier_of(world, n1) and await dossier_of(world, n2)
    return {a.id, b.id}, {"dump": await dump(world)}


# Which process sent a message is random per process (the sender's claims, issue 18 item 3), not the vote's.
PER_PROCESS = {"process_heartbeat": None, "outbox": {"claimed_by"}}


async def dump(world: World) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    async with world.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in PER_PROCESS and PER_PROCESS[table.name] is None:
                continue
            columns = [c for c in table.columns if c.name not in (PER_PROCESS.get(table.name) or ())]
            rows = await conn.execute(select(*columns).order_by(*table.primary_key.columns))
            out[table.name] = [tuple(r) for r in rows.all()]
    return out


def requests(world: World, but: set[int]) -> dict[Any, list[str]]:
    """Every request sent, chat by chat in the order sent, to anyone but the chats `but` (their own cards),
    and every press's answer (the outbox's order between two chats may differ: within one it may not)."""
    out: dict[Any, list[str]] = {}
    for call in world.api.calls:
        chat = call.params.get("chat_id")
        if chat in but:
            continue
        line = json.dumps({"m": call.method, **call.params}, default=str, sort_keys=True, ensure_ascii=False)
        out.setdefault(chat, []).append(line)
    return out


async def test_through_the_chat_nothing_tells_two_swapped_votes_apart(twin_worlds, logs: Captured):
    x, y = twin_worlds
    seals: set[str] = set()
    hidden_x, got_x = await run(x, "Không đồng ý", "Đồng ý", seals)
    hidden_y, got_y = await run(y, "Đồng ý", "Không đồng ý", seals)
    assert hidden_x == hidden_y
    assert requests(x, hidden_x) == requests(y, hidden_y)
    assert got_x["dump"] == got_y["dump"]
    assert {(r.nonce, r.seal) for r in await x.rows(Ballot)} == {(None, None)}
    text = "\n".join(logs.lines)
    assert seals and [s for s in seals if s in text] == []
    mine = [c.params.get("text", "") for c in x.api.calls if c.params.get("chat_id") in hidden_x]
    assert any("Phiếu của anh/chị" in m for m in mine)  # the members did see their own choice
    answers = [c.params.get("text") or "" for c in x.api.calls_of("answerCallbackQuery")]
    assert not any(re.search(r"(?<!không )đồng ý", a.casefold()) for a in answers if "phiếu giấy" not in a)
