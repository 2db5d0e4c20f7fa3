"""The start of a school year, as the college lives it (issue 11).

The secretary loads the plan and everyone who has joined receives it; three units take it in; a newcomer
joins through a head's invite; people register; a head returns one registration with a reason, it is fixed
and endorsed; the head reminds who is late; and at each step the secretary's /status shows the figures.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.harness import Chatter, World
from storage.models.registration import PlanAcknowledgement, Registration

PLAN = "plans/2021-2025.yaml"
START = datetime(2024, 9, 9, 8, 0, tzinfo=VN_TZ)  # school year 2024-2025; registration open 05/09 – 31/10
ACK = "Tôi đã đọc và quán triệt kế hoạch"
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
COMMITMENTS = "Hoàn thành xuất sắc nhiệm vụ giảng dạy, tham gia đầy đủ các phong trào của trường."


async def register(person: Chatter, text: str = COMMITMENTS, *, head: bool = False) -> None:
    await person.send("/register")
    if head:  # a head registers personally, or the unit
        await person.click("Cá nhân tôi")
    await person.click("Lao động tiên tiến")
    await person.click("Đổi mới, sáng tạo")
    await person.click("Xong")
    await person.send(text)
    await person.click("Gửi đăng ký")


async def college(lan: Chatter) -> str:
    await lan.send("/status")
    return lan.last_text()


def figures(text: str, heading: str) -> tuple[str, str]:
    """The two figure lines under a heading of the secretary's /status."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if heading in line)
    return lines[at + 1].split(": ")[1], lines[at + 2].split(": ")[1]


async def test_the_start_of_a_school_year(world: World) -> None:
    world.clock.set(START)
    # -- the college before the plan: three units, the secretary and the heads have joined ----------------
    lan = await world.secretary("Trần Thị Lan")  # TCHC
    minh = await world.unit_head("Trần Văn Minh", unit="KCNTT")
    an = await world.staff("Lê Văn An", unit="KCNTT")
    hoa = await world.person("Nguyễn Thị Hoa", unit="KCNTT", linked=False)
    await world.person("Ngô Thị Mai", unit="KCNTT", linked=False)
    dung = await world.unit_head("Phạm Thị Dung", unit="KDL")
    binh = await world.staff("Đỗ Văn Bình", unit="KDL")

    # -- the secretary loads the plan: everyone who has joined receives it, in one batch -----------------
    report = await world.load_plan(PLAN)
    assert report.announcement.queued == 5
    await world.drain_outbox()
    assert "đang gửi tới 5 người đã tham gia bot" in lan.last_text()
    for person in (minh, an, dung, binh):
        assert any("Kế hoạch mới đã được ban hành" in t for t in person.texts())
    await lan.send("/plan")
    assert "Kế hoạch đã gửi tới mọi người: đã nhận 5/5" in "\n".join(lan.texts()[-3:])

    text = await college(lan)
    assert figures(text, "Toàn trường") == ("0/7 (0%)", "0/7 (0%)")

    # -- they read it: from the message they received ----------------------------------------------------
    for person in (lan, minh, an, dung, binh):
        await person.click(ACK)
    assert len(await world.rows(PlanAcknowledgement)) == 5

    text = await college(lan)
    assert figures(text, "Toàn trường") == ("5/7 (71,4%)", "0/7 (0%)")
    assert text.index("<b>Phòng KCNTT</b>") < text.index(
        "<b>Phòng KDL</b>"
    )  # the lowest first: KCNTT has two who have not
    assert "• Nguyễn Thị Hoa (chưa tham gia bot)" in text

    # -- the head of KCNTT invites Hoa from /status; she joins, and the welcome offers the plan -----------
    await minh.send("/status")
    await minh.click("Tạo liên kết mời: Nguyễn Thị Hoa")
    token = LINK.search(minh.last_text()).group(1)
    await hoa.send(f"/start {token}")
    await hoa.click("Đồng ý")
    await hoa.click("Đúng, là tôi")
    await hoa.click("Xác nhận")
    await hoa.click("Tiếng Việt")
    assert hoa.buttons() == ["Xem kế hoạch", ACK]
    await hoa.click("Xem kế hoạch")
    assert "3 phong trào thi đua" in hoa.last_text()
    await hoa.click(ACK)

    text = await college(lan)
    assert figures(text, "Toàn trường") == ("6/7 (85,7%)", "0/7 (0%)")

    # -- registering: Hoa's is returned with a reason, fixed and endorsed ------------------------------------
    await register(hoa)
    await register(an)
    await register(binh)
    await world.drain_outbox()

    text = await college(lan)
    assert figures(text, "Toàn trường") == ("6/7 (85,7%)", "3/7 (42,9%)")

    request = request_for(minh, "Nguyễn Thị Hoa")
    await _press(minh, request, "Trả lại")
    await minh.send("Đề nghị bổ sung cam kết về nghiên cứu khoa học")
    await world.drain_outbox()
    assert "Đề nghị bổ sung cam kết về nghiên cứu khoa học" in hoa.last_text()
    await hoa.send("/status")
    assert "đã bị trả lại" in hoa.last_text()

    await hoa.click("Sửa đăng ký")  # on the message that returned it
    await hoa.click("Sửa cam kết")
    await hoa.send(COMMITMENTS + " Viết một bài báo khoa học.")
    await hoa.click("Gửi đăng ký")
    await world.drain_outbox()
    request = request_for(minh, "Nguyễn Thị Hoa")
    await _press(minh, request, "Xác nhận")
    await dung.send("/pending")
    await dung.click("Đỗ Văn Bình")
    await dung.click("Xác nhận")

    states = {r.person_id: r.state for r in await world.rows(Registration)}
    assert states == {hoa.person_id: "endorsed", an.person_id: "submitted", binh.person_id: "endorsed"}
    await hoa.send("/status")
    assert "“Lao động tiên tiến” — đã được xác nhận." in hoa.last_text()

    text = await college(lan)
    assert figures(text, "Toàn trường") == ("6/7 (85,7%)", "3/7 (42,9%)")

    # -- the head of KCNTT reminds those who are late: only Minh himself and Mai are left -----------------
    await minh.send("/status")
    assert "Chưa thực hiện: 2 người (1 người đã tham gia bot):" in minh.last_text()
    await minh.click("Nhắc những người chưa thực hiện")
    assert "Đã gửi lời nhắc tới 1 người." in minh.last_text()
    assert "1 người chưa tham gia bot" in minh.last_text()

    # -- the heads register too; the secretary's last look ----------------------------------------------
    await register(minh, head=True)
    await register(dung, head=True)
    await register(lan)
    text = await college(lan)
    assert figures(text, "Toàn trường") == ("6/7 (85,7%)", "6/7 (85,7%)")
    assert figures(text, "<b>Phòng KDL</b>") == ("2/2 (100%)", "2/2 (100%)")
    assert figures(text, "<b>Phòng KCNTT</b>") == ("3/4 (75%)", "3/4 (75%)")
    assert text.index("<b>Phòng KCNTT</b>") < text.index("<b>Phòng KDL</b>")


def request_for(head: Chatter, name: str):
    """The newest endorsement request about `name` that still has its buttons."""
    return next(m for m in reversed(head.messages()) if f"Cá nhân: {name}" in (m.text or "") and m.buttons())


async def _press(person: Chatter, message, label: str) -> None:
    data = next(d for text, d in message.buttons() if label in text)
    await person.world.feed(person.callback_update(data, message))
