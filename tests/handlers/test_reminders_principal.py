"""The principal is addressed by the title in what the bot sends him on its own (issue 18, E33): "Kính gửi
Hiệu trưởng …" (in English "Dear Principal …"), never "anh/chị"; everyone else as before."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from tests.handlers.test_reminders import SEVEN_DAYS, at, open_year, reminders_of


async def test_the_principals_registration_reminder_addresses_him_by_the_title(world):
    await open_year(world)
    hieu = await world.principal("Trần Văn Hiệu")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await at(world, SEVEN_DAYS)
    [text] = reminders_of(hieu)
    assert text.startswith("Kính gửi Hiệu trưởng Trần Văn Hiệu,\nHiệu trưởng chưa đăng ký thi đua năm học")
    assert "anh/chị" not in text.lower()
    assert hieu.buttons() == ["Đăng ký ngay"]
    [other] = reminders_of(hoa)
    assert other.startswith("Kính gửi anh/chị Nguyễn Thị Hoa,\nAnh/Chị chưa đăng ký")


async def test_a_principal_who_reads_english_is_addressed_as_dear_principal(world):
    await open_year(world)
    tom = await world.principal("Tom Tran", language="en")
    await at(world, SEVEN_DAYS)
    [text] = [t for t in tom.texts() if "You have not registered" in t]
    assert text.startswith("Dear Principal Tom Tran,\n")


async def test_the_chair_of_the_council_is_reminded_of_the_vote_by_the_title(world):
    from tests.handlers.test_voting_reminders import TWO_DAYS_BEFORE, voting_reminders
    from tests.voting.chat import LDTT, chat_college, nominate, open_vote

    c = await chat_college(world)  # the principal chairs the council
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    await open_vote(world)
    world.clock.set(TWO_DAYS_BEFORE)
    await world.tick()
    [text] = voting_reminders(c.hieu)
    assert text.startswith("Kính gửi Hiệu trưởng Trần Văn Hiệu,\nViệc bỏ phiếu đợt")
    [member] = voting_reminders(c.members[1])
    assert member.startswith("Kính gửi anh/chị Thành Viên A,")


async def test_the_principal_told_of_a_registration_extension_is_addressed_by_the_title(world):
    from tests.handlers.test_registration_window import extend, told

    await open_year(world, datetime(2024, 10, 30, 9, 0, tzinfo=VN_TZ))
    lan = await world.secretary("Lê Thị Lan")
    hieu = await world.principal("Trần Văn Hiệu")
    await world.unit_head("Trần Văn Minh")
    await extend(lan, "10/11/2024")
    await world.drain_outbox()
    [text] = told(hieu)
    assert text.startswith("Kính gửi Hiệu trưởng Trần Văn Hiệu,\n")
    assert "kính đề nghị Hiệu trưởng đăng ký" in text and "anh/chị" not in text.lower()
