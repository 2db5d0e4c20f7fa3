"""The first to act wins, with two people (or two processes) acting at once (issue 18, C11): a registration
endorsed by two heads, or endorsed and returned; a good deed verified by two verifiers; an announcement's
final report. One person's presses are serialised by the chat lock, so these are two different people.

The seam (`hold_both`): each side is held in front of its conditional UPDATE, after everything it read,
until the other side is there too; then both go on. Both have seen the row in its first state, so only
the UPDATE's own condition can settle the race: each test fails when that condition is dropped. On SQLite
and on PostgreSQL, whatever THIDUA_TEST_DB says."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.devtools.harness import World
from bot.sender import OutboxSender
from storage.db import make_engine
from storage.models import AuditEntry
from storage.models.channels import Broadcast
from storage.models.good_deed import GoodDeed
from storage.repositories.channels import BroadcastRepo
from storage.repositories.good_deed import GoodDeedRepo
from storage.repositories.registration import RegistrationRepo
from tests.conftest import fresh_database, make_settings
from tests.handlers import test_good_deed_flow as deeds
from tests.handlers.announce_steps import setup as announce_setup
from tests.handlers.test_announce_delivery import many, start_to_staff
from tests.handlers.test_registration_flow import only, open_year, register

REASON = "Thiếu nội dung cam kết về nghiên cứu khoa học"


@pytest.fixture(params=["sqlite", "postgres"])
async def both(request, sqlite_templates) -> AsyncIterator[World]:
    """A world on each backend."""
    async for url in fresh_database(request.param, request, sqlite_templates):
        engine = make_engine(url)
        w = World(make_settings(url), engine, FakeClock())
        await w.start()
        yield w
        await w.close()
        await engine.dispose()


def hold_both(
    monkeypatch, cls: type, method: str, when: Callable[..., bool] = lambda *a, **k: True
) -> list[str]:
    """Hold the first two calls of `cls.method` (those `when` picks) until both have arrived; returns the
    list the arrivals are noted in, so a test can check the race really happened."""
    arrived: list[str] = []
    there = asyncio.Event()
    original = getattr(cls, method)

    async def held(self: Any, *args: Any, **kw: Any) -> Any:
        if when(*args, **kw) and len(arrived) < 2:
            arrived.append(method)
            if len(arrived) == 2:
                there.set()
            await asyncio.wait_for(there.wait(), 15)
        return await original(self, *args, **kw)

    monkeypatch.setattr(cls, method, held)
    return arrived


async def actions(world: World, prefix: str) -> list[str]:
    return [e.action for e in await world.rows(AuditEntry) if e.action.startswith(prefix)]


# -- registrations ----------------------------------------------------------------------------------------
async def test_two_heads_endorsing_at_once_endorse_it_once(both, monkeypatch):
    world = both
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    tuan = await world.deputy("Lê Văn Tuấn")
    await register(hoa)
    await world.drain_outbox()
    arrived = hold_both(monkeypatch, RegistrationRepo, "change")

    await asyncio.gather(minh.click("Xác nhận"), tuan.click("Xác nhận"))

    assert len(arrived) == 2  # both read it as waiting and reached the UPDATE
    row = await only(world)
    assert row.state == "endorsed" and row.decided_by in (minh.person_id, tuan.person_id)
    assert await actions(world, "registration.") == ["registration.submitted", "registration.endorsed"]
    loser = tuan if row.decided_by == minh.person_id else minh
    winner_name = "Trần Văn Minh" if loser is tuan else "Lê Văn Tuấn"
    assert "đã được xác nhận trước đó" in loser.alerts()[-1] and winner_name in loser.alerts()[-1]
    await world.drain_outbox()
    assert sum("đã được" in x and "xác nhận" in x for x in hoa.texts()) == 1  # the owner is told once


async def test_endorsing_and_returning_at_once_do_one_of_them(both, monkeypatch):
    world = both
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    tuan = await world.deputy("Lê Văn Tuấn")
    await register(hoa)
    await world.drain_outbox()
    await minh.click("Trả lại")  # reads it as waiting; the reason comes at the same time as the endorsement
    arrived = hold_both(monkeypatch, RegistrationRepo, "change")

    await asyncio.gather(minh.send(REASON), tuan.click("Xác nhận"))

    assert len(arrived) == 2
    row = await only(world)
    decided = await actions(world, "registration.")
    assert decided[0] == "registration.submitted" and len(decided) == 2
    if row.state == "endorsed":
        assert (decided[1], row.decided_by, row.return_reason) == (
            "registration.endorsed",
            tuan.person_id,
            None,
        )
        assert "đã được xác nhận trước đó" in minh.last_text()
    else:
        assert (decided[1], row.decided_by, row.return_reason) == (
            "registration.returned",
            minh.person_id,
            REASON,
        )
        assert "đã được trả lại trước đó" in tuan.alerts()[-1]
    assert await minh.state() is None


async def test_returning_an_endorsed_one_twice_at_once_returns_it_once(both, monkeypatch):
    world = both
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    lan = await world.secretary("Lê Thị Lan", unit="KCNTT")
    await register(hoa)
    await world.drain_outbox()
    await minh.click("Xác nhận")
    await minh.click("Trả lại")
    await lan.send("/registrations")
    await lan.click("Nguyễn Thị Hoa")
    await lan.click("Trả lại")
    arrived = hold_both(monkeypatch, RegistrationRepo, "change")

    await asyncio.gather(minh.send(REASON), lan.send(REASON + " (Thường trực)"))

    assert len(arrived) == 2
    assert (await only(world)).state == "returned"
    assert (await actions(world, "registration.")).count("registration.returned") == 1
    await world.drain_outbox()
    assert sum("trả lại" in x and "Lý do trả lại" in x for x in hoa.texts()) == 1


# -- good deeds ----------------------------------------------------------------------------------------------
async def test_two_verifiers_at_once_verify_the_deed_once(both, monkeypatch):
    world = both
    hoa, lan, minh = await deeds.setup(world)
    hang = await world.deputy("Vũ Thị Hằng")
    await deeds.to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await deeds.finish(hoa)
    await world.drain_outbox()
    arrived = hold_both(monkeypatch, GoodDeedRepo, "decide")

    await asyncio.gather(minh.click("Xác minh"), hang.click("Xác minh"))

    assert len(arrived) == 2
    [deed] = await world.rows(GoodDeed)
    assert deed.state == "verified" and deed.decided_by in (minh.person_id, hang.person_id)
    assert await actions(world, "good_deed.") == ["good_deed.submitted", "good_deed.verified"]
    await world.drain_outbox()
    assert sum("đồng nghiệp Nguyễn Thị Hoa ghi nhận" in x for x in lan.texts()) == 1


# -- the announcement's final report -------------------------------------------------------------------------
async def test_two_processes_following_the_last_round_at_once_report_once(both, monkeypatch):
    world = both
    thu, _team = await announce_setup(world)
    await world.staff("Nguyễn Thị Hoa")
    await many(world, 2)
    await start_to_staff(world, thu, "Công đoàn trường", "Toàn thể CBVC")

    async def killed(*_args: object) -> None:  # the last round is delivered, its follow-up never ran
        return None

    monkeypatch.setattr("bot.sender.run_after_delivery", killed)
    await world.sender.drain()
    monkeypatch.undo()
    assert (await world.rows(Broadcast))[0].state == "running"
    arrived = hold_both(
        monkeypatch, BroadcastRepo, "move_state", lambda _id, _before, after, **_: after == "done"
    )

    await asyncio.gather(world.run_due(), world.run_due())  # two processes' due work at start-up

    assert len(arrived) == 2
    assert (await world.rows(Broadcast))[0].state == "done"
    assert await actions(world, "broadcast.done") == ["broadcast.done"]
    restarted = OutboxSender(world.bot, world.sessionmaker, world.clock, world.settings, world.dp["identity"])
    await restarted.drain()
    assert len([x for x in thu.texts() if "Đã gửi xong" in x]) == 1
    edits = [c for c in world.api.calls_of("editMessageText") if "Đã gửi xong" in c.params.get("text", "")]
    assert len(edits) == 1
