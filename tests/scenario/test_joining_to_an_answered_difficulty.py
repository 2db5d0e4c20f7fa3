"""End to end: the plan is loaded, the secretary invites a newcomer from the chat, the newcomer asks to join
and is confirmed (the unit has no head: the secretary says yes), reads the plan, raises a difficulty, and
gets the standing office's answer — all through the real dispatcher."""

from __future__ import annotations

import re
from pathlib import Path

from bot.context import Ctx
from bot.plan import parse_plan
from bot.services.plan import PlanService
from storage.models import AuditEntry, Person
from storage.models.difficulty import Difficulty
from storage.uow import UnitOfWork

PLAN = Path(__file__).resolve().parents[2] / "plans" / "2026-2030.example.yaml"
ACK = "Tôi đã đọc và quán triệt kế hoạch"
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")


async def load_plan(world) -> None:
    text = PLAN.read_text(encoding="utf-8")
    async with UnitOfWork(world.sessionmaker) as uow:
        await PlanService(Ctx(uow, world.clock, world.dp["identity"], world.settings)).load(
            parse_plan(text, str(PLAN)), text, PLAN
        )


async def test_a_newcomer_joins_reads_the_plan_and_gets_an_answer(world):
    await load_plan(world)
    lan = await world.secretary("Lê Thị Lan")

    await lan.send("/invite staff TCHC")
    token = LINK.search(lan.last_text()).group(1)

    hoa = world.outsider("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")
    assert "trưởng đơn vị" in hoa.last_text()  # not yet a member

    await hoa.send(f"/start {token}")
    await hoa.click("Đồng ý")
    await hoa.send("Nguyễn Thị Hoa")
    await hoa.click("Xác nhận")
    await hoa.click("Tiếng Việt")
    assert "đang chờ trưởng đơn vị xác nhận" in hoa.last_text()  # not on the roster: TCHC must say yes
    await hoa.send("/difficulty")
    assert hoa.last_text().startswith("Yêu cầu của anh/chị đang chờ trưởng đơn vị xác nhận")
    await world.drain_outbox()
    assert "Nguyễn Thị Hoa" in lan.last_text()  # TCHC has no head: the secretary is asked
    await lan.click("Xác nhận là người của đơn vị")
    await world.drain_outbox()
    assert "Chào mừng Nguyễn Thị Hoa" in hoa.last_text() and "đã được xác nhận" in hoa.last_text()
    assert hoa.buttons() == ["Xem kế hoạch", ACK]  # the plan is offered as to anyone who joins
    await hoa.send("/help")
    assert "/difficulty" in hoa.last_text() and "/people" not in hoa.last_text()

    await hoa.send("/plan")
    plan = hoa.last_text()
    assert "giai đoạn 2026-2030" in plan
    assert "Đổi mới, sáng tạo trong quản lý giảng dạy và học tập" in plan  # the movement
    assert "Bình xét thi đua, khen thưởng năm học 2026-2027</b> — đang nhận đề cử" in plan  # the round, today
    assert re.search(r"Đề cử: .*01/09/2026.*31/05/2027", plan)  # its nominations window
    assert hoa.buttons() == ["Phong trào", "Đợt bình xét", "Danh hiệu, khen thưởng", ACK]
    await hoa.click(ACK)  # she has read it (issue 11): /plan no longer asks
    await hoa.send("/plan")
    assert hoa.buttons() == ["Phong trào", "Đợt bình xét", "Danh hiệu, khen thưởng"]

    await hoa.send("/difficulty")
    await hoa.send("Đơn vị chưa rõ cách nộp báo cáo thành tích qua bot.")
    await hoa.click("Bỏ qua")  # no file
    assert hoa.buttons() == [  # the plan is loaded, so its movements and rounds are offered as topics
        "Phong trào: Đổi mới, sáng tạo trong quản lý giảng dạy và học tập",
        "Đợt xét: Bình xét thi đua, khen thưởng năm học 2026-2027",
        "Bỏ qua",
    ]
    await hoa.click("Đợt xét: Bình xét thi đua, khen thưởng năm học 2026-2027")
    await hoa.click("Gửi")
    await world.drain_outbox()
    assert "Nguyễn Thị Hoa" in lan.last_text()

    await lan.click("Trả lời")
    await lan.send("Vui lòng gửi qua mục Hồ sơ trên bot từ tuần sau.")
    await world.drain_outbox()
    assert "Vui lòng gửi qua mục Hồ sơ" in hoa.last_text()

    [person] = await world.rows(Person, Person.telegram_id == hoa.id)
    assert person.source == "invite"
    [item] = await world.rows(Difficulty)
    assert item.state == "answered" and item.author_id == person.id
    assert (item.topic_kind, item.topic_code) == ("round", "yearly-2026-2027")
    actions = [e.action for e in await world.rows(AuditEntry)]
    for action in (
        "plan.loaded",
        "invite.created",
        "invite.used",
        "person.joined",
        "difficulty.raised",
        "difficulty.answered",
    ):
        assert action in actions, action
