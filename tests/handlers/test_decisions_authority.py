"""Every authority check of the decisions' chat, by a forged or replayed press: nothing changes and the
person is told something."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.devtools.harness import World
from handlers.decisions.common import DecCb
from storage.models.channels import Broadcast
from storage.models.decisions import CommentPeriod, Decision, Objection
from tests.handlers.decisions_steps import tallied_world
from tests.handlers.test_decisions_flow import REASON


def cb(op: str, id_: int = 0, x: int = 0) -> str:
    return DecCb(op=op, id=id_, x=x).pack()


async def test_staff_pressing_the_secretary_s_buttons_change_nothing(world: World, tmp_path: Path):
    c = await tallied_world(world, tmp_path, comment=True)
    for data in (
        *(cb(op, c.round_id) for op in ("dr", "pp", "ps", "pt")),
        cb("pc", c.round_id, 1),
        cb("ad", 1),
        cb("ar", 1),
    ):
        await c.hoa.press(data)
        assert c.hoa.alerts()[-1]  # told something
    assert await world.rows(CommentPeriod) == [] and await world.rows(Broadcast) == []
    await c.hoa.send("/decide")
    assert "không thuộc quyền hạn" in c.hoa.last_text()
    await c.hoa.send("/objections")
    assert "không thuộc quyền hạn" in c.hoa.last_text()


async def test_a_replayed_publish_publishes_once(world: World, tmp_path: Path):
    c = await tallied_world(world, tmp_path, comment=True)
    await c.secretary.press(cb("ps", c.round_id))
    await c.secretary.press(cb("ps", c.round_id))
    assert "đã được công khai" in c.secretary.last_text()
    assert len(await world.rows(CommentPeriod)) == 1 and len(await world.rows(Broadcast)) == 1


async def test_forged_objections_are_refused(world: World, tmp_path: Path):
    c = await tallied_world(world, tmp_path, comment=True)
    await c.hoa.press(cb("on", c.round_id, c.noms["hoa"]))
    assert "Hiện không trong thời gian công khai" in c.hoa.alerts()[-1]  # not published yet
    await c.secretary.press(cb("ps", c.round_id))
    await c.hoa.press(cb("on", c.round_id, c.noms["binh"]))  # failed the vote: not on the list
    assert "không có trong danh sách công khai" in c.hoa.alerts()[-1]
    await c.hoa.press(cb("os"))  # "Gửi" with nothing typed: no conversation holds it
    assert await world.rows(Objection) == []


async def test_forged_answers_and_supplies_are_refused(world: World, tmp_path: Path):
    c = await tallied_world(world, tmp_path, comment=True)
    await c.secretary.press(cb("ps", c.round_id))
    await c.binh.send(f"/start obj{c.round_id}")
    await c.binh.click("Nguyễn Thị Hoa")
    await c.binh.send(REASON)
    await c.binh.click("Gửi")
    [o] = await world.rows(Objection)
    await c.hoa.press(cb("sp", o.id))  # not the unit head, and no documents asked
    assert "Trưởng đơn vị" in c.hoa.alerts()[-1]
    await c.head.press(cb("sp", o.id))  # the head, but nothing asked of them yet
    assert "Trưởng đơn vị" in c.head.alerts()[-1]
    await c.secretary.send("/objections")
    await c.secretary.click("Giữ nguyên danh sách")
    await c.secretary.send("Đã xác minh với đơn vị, không đúng sự thật")
    await c.secretary.press(cb("ar", o.id))  # answered: a stale button
    assert "đã được trả lời" in c.secretary.alerts()[-1]
    assert [x.state for x in await world.rows(Objection)] == ["dismissed"]


async def test_a_forged_signer_and_the_same_update_twice_record_nothing_more(world: World, tmp_path: Path):
    c = await tallied_world(world, tmp_path)
    await c.secretary.send("/decide")
    await c.secretary.click("Bình xét thi đua, khen thưởng năm học 2026-2027")
    await c.secretary.send("123/QĐ-CĐKTCN ngày 19/06/2027")
    await c.secretary.press(cb("sg", c.hoa.person_id or 0))
    assert "không có thẩm quyền ký" in c.secretary.alerts()[-1]
    await c.secretary.click("Hiệu trưởng — Trần Văn Hiệu")
    await c.secretary.click("Xác nhận số tiền")
    sent, data = c.secretary.find_button("Ghi nhận", exact=True)
    update = c.secretary.callback_update(data, sent)
    await world.feed(update)
    await world.feed(update)  # Telegram delivers it again
    assert len(await world.rows(Decision)) == 1
    await c.secretary.press(cb("rc"))  # replayed after the conversation ended: no step holds it
    async with world.session() as s:
        assert len((await s.scalars(select(Decision))).all()) == 1
    await c.secretary.send("/decide")
    await c.secretary.click("Bình xét thi đua, khen thưởng năm học 2026-2027")
    assert "Không còn trường hợp nào chờ quyết định" in c.secretary.last_text()
