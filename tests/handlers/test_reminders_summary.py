"""The unit heads' morning summary (issue 18, item 30): it names the people (up to 10, then "và N người
khác"), tells apart those not on the bot, mentions good deeds waiting from the first day, has a button for
each kind opening the list where the head acts, names the unit when a head heads two, fits one message,
and goes once a day: what arrives after the morning's run waits for the next morning."""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import VN_TZ
from bot.devtools.harness import Chatter, World
from bot.roles import Role
from bot.services.reminder_audiences import Named, Occurrence
from bot.tghtml import visible_length
from storage.models import OutboxMessage, PersonRole
from tests.handlers.test_reminders import at, open_year
from tests.scenario.test_school_year_registration import register

MORNING = datetime(2024, 10, 25, 7, 30, tzinfo=VN_TZ)  # registration closes 31/10: its 7d offset has come
HEAD = "Đơn vị của anh/chị còn"


def summaries(head: Chatter) -> list[str]:
    return [t for t in head.texts() if HEAD in t or "Các đơn vị anh/chị phụ trách" in t]


async def test_the_summary_names_ten_then_says_how_many_others_and_lists_who_is_not_on_the_bot_apart(world):
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    await register(minh, head=True)
    for i in range(1, 13):
        await world.staff(f"Nhân Viên {i:02d}")
    await world.staff("Chưa Vào Bot A", linked=False)
    await world.staff("Chưa Vào Bot B", linked=False)
    await world.drain_outbox()
    await at(world, MORNING)
    [summary] = summaries(minh)
    named = ", ".join(f"Nhân Viên {i:02d}" for i in range(1, 11))
    assert f"• 14 người chưa đăng ký thi đua: {named} và 2 người khác\n" in summary
    assert "chưa tham gia bot (anh/chị báo trực tiếp): Chưa Vào Bot A, Chưa Vào Bot B" in summary
    assert "Nhân Viên 11" not in summary and "Trần Văn Minh," not in summary.split("\n", 1)[1]


async def test_each_kind_has_its_button_opening_the_list_where_the_head_acts(world):
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await world.staff("Lê Văn An")
    await register(hoa)
    await register(minh, head=True)
    await world.drain_outbox()
    await at(world, MORNING)
    [summary] = summaries(minh)
    assert "1 người chưa đăng ký thi đua: Lê Văn An" in summary
    assert "1 bản đăng ký chờ anh/chị xác nhận: Nguyễn Thị Hoa" in summary
    assert minh.buttons() == [
        "Xem tình hình đơn vị, nhắc người chưa thực hiện",
        "Đăng ký ngay",
        "Xem đăng ký chờ xác nhận",
    ]
    await minh.click("Xem tình hình đơn vị, nhắc người chưa thực hiện")  # the unit's /status
    assert any("Lê Văn An" in t for t in minh.texts()[-2:])
    await minh.click("Xem đăng ký chờ xác nhận")  # /pending's registrations, nothing else
    assert "Nguyễn Thị Hoa" in minh.last_text()


async def test_a_staff_member_forging_a_summary_button_is_refused_and_sees_nothing(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await register(hoa)
    for act in ("preg", "pdeed", "prep", "stat"):
        seen = len(hoa.messages())
        await hoa.press(f"rm:{act}")
        assert len(hoa.messages()) == seen, act
        assert hoa.alerts()[-1] == "Việc này dành cho Trưởng đơn vị; không thuộc quyền hạn của anh/chị."


async def test_a_good_deed_is_in_the_next_mornings_summary_and_one_arriving_later_waits_a_day(world):
    from tests.handlers.test_good_deed_flow import NOW, finish, setup, to_evidence

    hoa, _lan, minh = await setup(world)  # 15/10/2024: nominations close 30/05/2025, months ahead
    await at(world, datetime(2024, 10, 16, 7, 30, tzinfo=VN_TZ))
    assert summaries(minh) == []  # nothing waits for him: no summary (registration's 7d is 24/10)
    world.clock.set(datetime(2024, 10, 16, 10, 0, tzinfo=VN_TZ))
    await to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await finish(hoa)
    await world.drain_outbox()
    await at(world, datetime(2024, 10, 16, 10, 5, tzinfo=VN_TZ))
    await at(world, datetime(2024, 10, 16, 18, 0, tzinfo=VN_TZ))
    assert summaries(minh) == []  # it arrived after the morning's run: the next morning
    await at(world, datetime(2024, 10, 17, 7, 30, tzinfo=VN_TZ))
    [summary] = summaries(minh)
    assert "1 việc tốt chờ xác minh: Đặng Văn Lân" in summary
    assert "chưa có đề nghị khen thưởng" not in summary  # that one waits for the rule's 7d before 30/05
    assert minh.buttons() == ["Xem việc tốt chờ xác minh"]
    assert NOW.date() == date(2024, 10, 15)


async def test_a_head_of_two_units_is_told_each_units_part_under_its_name(world: World):
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    await register(minh, head=True)
    await world.staff("Nguyễn Thị Hoa")
    await world.staff("Lê Văn An", unit="KCNTT")
    other = await world.unit("KCNTT")
    async with world.session() as s:
        s.add(PersonRole(person_id=minh.person_id, role=Role.UNIT_HEAD.value, unit_id=other.id))
        await s.commit()
    await at(world, MORNING)
    [summary] = summaries(minh)
    assert "Các đơn vị anh/chị phụ trách còn các việc sau:" in summary
    tchc, kcntt = summary.index("<b>Phòng TCHC</b>"), summary.index("<b>Phòng KCNTT</b>")
    hoa, an = summary.index("Nguyễn Thị Hoa"), summary.index("Lê Văn An")
    assert tchc < hoa < kcntt < an
    assert len(await world.rows(OutboxMessage, OutboxMessage.kind == "reminder-summary")) == 1


def test_a_summary_of_many_units_and_long_names_fits_one_message():
    from handlers.render.reminders import summary

    occ = Occurrence(
        kind="registration_close",
        period_id=1,
        school_year_id=1,
        school_year="2024-2025",
        deadline=datetime(2024, 10, 31, 23, 59, 59, tzinfo=VN_TZ),
        opens_at=datetime(2024, 9, 5, tzinfo=VN_TZ),
    )
    people = [Named("Nguyễn 𝓣hị Hoa & <Lan> " + "Tên Dài " * 3 + str(i), i % 3 > 0) for i in range(40)]
    blocks = [
        (f"Khoa {u} " * 4, [(occ, {"not_registered": people, "to_endorse": people[:12]})]) for u in range(6)
    ]
    text = summary("Trần Văn Minh", "vi", blocks)
    assert visible_length(text) <= 4096  # with 10 names an item it would be 11,628
    assert text.startswith("Kính gửi anh/chị Trần Văn Minh,")
    assert f"<b>{'Khoa 5 ' * 4}</b>" in text  # the last unit too: shortened, not cut off
    assert text.count("40 người chưa đăng ký thi đua") == 6
    assert "Nguyễn 𝓣hị Hoa &amp; &lt;Lan&gt;" in text  # fewer names, escaped, not none
    one = summary("Trần Văn Minh", "vi", blocks[:1])
    assert "và 16 người khác" in one and "và 4 người khác" in one  # 26 joined, 14 not: 10 of each named
