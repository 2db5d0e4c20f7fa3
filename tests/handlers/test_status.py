"""/status: one's own, a unit head's unit (missing names, invites, reminders), the secretary's college."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from bot.clock import VN_TZ
from bot.devtools.harness import Chatter, World
from bot.tghtml import visible_length
from handlers.status import StatusCb
from storage.models import AuditEntry, Invite, OutboxMessage, Person, Unit
from storage.models.plan import PlanCommendation, PlanPeriod, PlanSchoolYear
from storage.models.registration import PlanAcknowledgement, Registration

PLAN = "plans/2021-2025.yaml"
IN_WINDOW = datetime(2024, 9, 20, 9, 0, tzinfo=VN_TZ)  # school year 2024-2025, registration open
NUDGE = "Nhắc những người chưa thực hiện"


async def open_year(world: World, when: datetime = IN_WINDOW) -> None:
    world.clock.set(when)
    await world.load_plan(PLAN)


async def acknowledge(world: World, *people: Chatter) -> None:
    [period] = await world.rows(PlanPeriod)
    async with world.session() as s:
        for p in people:
            s.add(
                PlanAcknowledgement(
                    period_id=period.id, person_id=p.person_id, acknowledged_at=world.clock.now()
                )
            )
        await s.commit()


async def registration(
    world: World,
    person: Chatter,
    state: str = "submitted",
    *,
    year: str = "2024-2025",
    reason: str | None = None,
) -> None:
    [school_year] = await world.rows(PlanSchoolYear, PlanSchoolYear.code == year)
    [title] = await world.rows(PlanCommendation, PlanCommendation.code == "lao_dong_tien_tien")
    [person_row] = await world.rows(Person, Person.id == person.person_id)
    now = world.clock.now()
    async with world.session() as s:
        s.add(
            Registration(
                school_year_id=school_year.id,
                subject="individual",
                owner=f"p{person.person_id}",
                person_id=person.person_id,
                unit_id=person_row.unit_id,
                title_id=title.id,
                movement_ids=[],
                commitments="Hoàn thành tốt nhiệm vụ được giao.",
                state=state,
                version=1,
                return_reason=reason,
                submitted_at=now,
                decided_at=now if state in ("endorsed", "returned") else None,
                created_at=now,
                updated_at=now,
            )
        )
        await s.commit()


async def done(world: World, *people: Chatter) -> None:
    await acknowledge(world, *people)
    for p in people:
        await registration(world, p)


async def unit_id(world: World, code: str = "TCHC") -> int:
    [unit] = await world.rows(Unit, Unit.code == code)
    return unit.id


async def nudges(world: World) -> list[OutboxMessage]:
    return await world.rows(OutboxMessage, OutboxMessage.kind == "status-nudge")


# -- one's own ------------------------------------------------------------------------------------------
async def test_staff_sees_they_have_not_acknowledged_nor_registered(world: World) -> None:
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")

    await hoa.send("/status")

    text = hoa.last_text()
    assert "Kế hoạch: Anh/Chị chưa xác nhận đã đọc và quán triệt." in text
    not_registered = "chưa đăng ký (gõ /register để đăng ký; hạn: hết ngày 31/10/2024)."
    assert "Đăng ký thi đua năm học 2024-2025:\n" + not_registered in text
    assert hoa.buttons() == ["Xem kế hoạch", "Tôi đã đọc và quán triệt kế hoạch"]


async def test_staff_sees_their_acknowledgement_registration_state_and_earlier_years(world: World) -> None:
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/start")
    await hoa.click("Tôi đã đọc và quán triệt kế hoạch")
    await registration(world, hoa, "returned", reason="Thiếu nội dung cam kết")
    await registration(world, hoa, "endorsed", year="2023-2024")

    await hoa.send("/status")

    text = hoa.last_text()
    assert "Kế hoạch: đã đọc và quán triệt lúc 09:00 ngày 20/09/2024." in text
    assert (
        "“Lao động tiên tiến” — đã bị trả lại" in text and "Lý do trả lại: “Thiếu nội dung cam kết”" in text
    )
    assert "Các năm học trước" in text and "• 2023-2024: “Lao động tiên tiến” — đã được xác nhận." in text
    assert hoa.last().markup is None


async def test_each_state_of_ones_registration_has_its_words(world: World) -> None:
    await open_year(world)
    says = {"submitted": "đang chờ xác nhận", "endorsed": "đã được xác nhận", "withdrawn": "đã rút"}
    for i, (state, words) in enumerate(says.items()):
        person = await world.staff(f"Người Số {i}")
        await registration(world, person, state)
        await person.send("/status")
        assert f"“Lao động tiên tiến” — {words}" in person.last_text()


async def test_an_english_speaker_sees_it_in_english(world: World) -> None:
    await open_year(world)
    john = await world.staff("John Smith", language="en")

    await john.send("/status")

    assert "you have not yet confirmed" in john.last_text() and "not registered" in john.last_text()


async def test_someone_not_linked_gets_no_status(world: World) -> None:
    await open_year(world)
    stranger = world.outsider()

    await stranger.send("/status")

    assert "chưa tham gia bot" in stranger.last_text()


# -- a unit head ----------------------------------------------------------------------------------------
async def test_the_head_sees_figures_over_the_whole_roster_and_who_is_missing(world: World) -> None:
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    hoa, an = await world.staff("Nguyễn Thị Hoa"), await world.staff("Lê Văn An")
    await world.person("Phạm Thị Chưa", linked=False)
    await world.staff("Ở Đơn Vị Khác", unit="KCNTT")
    await done(world, minh, hoa)
    await acknowledge(world, an)

    await minh.send("/status")

    text = minh.last_text()
    assert "Đã quán triệt kế hoạch: 3/4 (75%)" in text
    assert "Đã đăng ký thi đua năm học 2024-2025: 2/4 (50%)" in text
    assert "Chưa thực hiện: 2 người (1 người đã tham gia bot):" in text
    assert "• Lê Văn An — chưa đăng ký thi đua" in text
    assert "• Phạm Thị Chưa (chưa tham gia bot) — chưa quán triệt kế hoạch, chưa đăng ký thi đua" in text
    assert "Ở Đơn Vị Khác" not in text
    assert minh.buttons() == [NUDGE, "Tạo liên kết mời: Phạm Thị Chưa"]


async def test_a_withdrawn_registration_does_not_count_as_registered(world: World) -> None:
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    await acknowledge(world, minh)
    await registration(world, minh, "withdrawn")

    await minh.send("/status")

    assert "Đã đăng ký thi đua năm học 2024-2025: 0/1 (0%)" in minh.last_text()


async def test_a_person_who_moved_unit_counts_where_they_are_now(world: World) -> None:
    await open_year(world)
    minh, lan = await world.unit_head("Trần Văn Minh"), await world.unit_head("Đỗ Thị Lan", unit="KCNTT")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await done(world, hoa)
    async with world.session() as s:
        await s.execute(
            update(Person).where(Person.id == hoa.person_id).values(unit_id=await unit_id(world, "KCNTT"))
        )
        await s.commit()

    await minh.send("/status")
    await lan.send("/status")

    assert "Nguyễn Thị Hoa" not in minh.last_text() and "Đã quán triệt kế hoạch: 0/1" in minh.last_text()
    assert "Đã quán triệt kế hoạch: 1/2 (50%)" in lan.last_text()
    assert "Đã đăng ký thi đua năm học 2024-2025: 1/2 (50%)" in lan.last_text()


async def test_the_invite_button_creates_a_new_personal_invite(world: World) -> None:
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    chua = await world.person("Phạm Thị Chưa", linked=False)
    await minh.send("/status")

    await minh.click("Tạo liên kết mời: Phạm Thị Chưa")
    await minh.click("Tạo liên kết mời: Phạm Thị Chưa")  # a second one: the first cannot be shown again

    first, second = minh.texts()[-2:]
    assert "Liên kết mời mới cho <b>Phạm Thị Chưa</b>" in second and "https://t.me/" in second
    assert first != second
    invites = await world.rows(Invite)
    assert [(i.person_id, i.max_uses) for i in invites] == [(chua.person_id, 1)] * 2


async def test_an_invite_for_someone_of_another_unit_is_refused(world: World) -> None:
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    other = await world.person("Người Khoa Khác", linked=False, unit="KCNTT")

    await minh.press(StatusCb(op="inv", id=other.person_id).pack())

    assert minh.alerts()[-1] == "Anh/Chị chỉ xem và nhắc được người của đơn vị mình."
    assert await world.rows(Invite) == []


async def test_an_invite_for_someone_who_has_joined_since_is_stale(world: World) -> None:
    await open_year(world)
    minh, hoa = await world.unit_head("Trần Văn Minh"), await world.staff("Nguyễn Thị Hoa")

    await minh.press(StatusCb(op="inv", id=hoa.person_id).pack())
    await minh.press(StatusCb(op="inv", id=99999).pack())

    assert all("đã tham gia bot hoặc không còn trong danh sách" in a for a in minh.alerts()[-2:])
    assert await world.rows(Invite) == []


async def test_staff_pressing_a_heads_button_is_refused(world: World) -> None:
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await world.staff("Lê Văn An")

    await hoa.press(StatusCb(op="nudge", id=await unit_id(world)).pack())

    assert hoa.alerts()[-1] == "Chức năng này dành cho Trưởng đơn vị."
    assert await nudges(world) == []


async def test_a_head_cannot_remind_another_unit(world: World) -> None:
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    await world.staff("Người Khoa Khác", unit="KCNTT")

    await minh.press(StatusCb(op="nudge", id=await unit_id(world, "KCNTT")).pack())

    assert minh.alerts()[-1] == "Anh/Chị chỉ xem và nhắc được người của đơn vị mình."
    assert await nudges(world) == []


# -- reminders ------------------------------------------------------------------------------------------
async def test_a_nudge_pressed_in_the_quiet_hours_waits_for_the_morning_and_the_head_is_told(
    world: World,
) -> None:
    await open_year(world, datetime(2024, 9, 20, 22, 0, tzinfo=VN_TZ))
    minh = await world.unit_head("Trần Văn Minh")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await minh.send("/status")
    await minh.click(NUDGE)
    assert "07:00 ngày 21/09/2024" in minh.last_text()
    await world.drain_outbox()
    assert [t for t in hoa.texts() if "Trần Văn Minh" in t] == []  # nothing at night
    world.clock.set(datetime(2024, 9, 21, 7, 0, tzinfo=VN_TZ))
    await world.drain_outbox()
    assert len([t for t in hoa.texts() if "Trần Văn Minh" in t]) == 1
    count = len(await nudges(world))
    await minh.click(NUDGE)  # pressed again that morning: reminded for this day already
    assert len(await nudges(world)) == count


async def test_sixty_people_twenty_missing_five_not_joined_fifteen_nudges_once_a_day(world: World) -> None:
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    people = [await world.staff(f"Cán Bộ Số {i:02d}") for i in range(54)]
    not_joined = [await world.person(f"Chưa Tham Gia {i}", linked=False) for i in range(5)]
    assert len(people) + len(not_joined) + 1 == 60
    await done(world, minh, *people[:39])  # 40 have done everything
    await acknowledge(world, *people[39:44])  # 5 acknowledged, not registered
    for p in people[44:49]:  # 5 registered, not acknowledged
        await registration(world, p)
    # people[49:54]: 5 neither; the 5 not joined: neither

    await minh.send("/status")
    listing = minh.last_text()
    await minh.click(NUDGE)

    assert "Chưa thực hiện: 20 người (15 người đã tham gia bot):" in listing
    assert listing.count("(chưa tham gia bot)") == 5
    assert all(f"Chưa Tham Gia {i} (chưa tham gia bot)" in listing for i in range(5))
    rows = await nudges(world)
    assert len(rows) == 15
    assert {r.person_id for r in rows} == {p.person_id for p in people[39:54]}
    assert minh.last_text().splitlines() == [
        "Đã gửi lời nhắc tới 15 người.",
        "5 người chưa tham gia bot: Anh/Chị vui lòng gửi liên kết mời cho họ.",
    ]

    await minh.click(NUDGE)  # the same day: nobody twice

    assert len(await nudges(world)) == 15
    assert (
        "Đã gửi lời nhắc tới 0 người.\n15 người đã được nhắc hôm nay nên không nhắc lại." in minh.last_text()
    )

    world.clock.advance(days=1)
    await minh.click(NUDGE)  # the next day: again
    assert len(await nudges(world)) == 30


async def test_the_reminder_is_personal_polite_and_carries_the_acknowledgement(world: World) -> None:
    await open_year(world)
    minh, hoa = await world.unit_head("Trần Văn Minh"), await world.staff("Nguyễn Thị Hoa")
    await minh.send("/status")

    await minh.click(NUDGE)
    await world.drain_outbox()

    text = hoa.last_text()
    assert text.startswith("Kính gửi anh/chị Nguyễn Thị Hoa,\nTrưởng đơn vị (Trần Văn Minh) nhắc")
    assert "• đọc kế hoạch và bấm “Tôi đã đọc và quán triệt kế hoạch”;" in text
    assert "• đăng ký thi đua năm học 2024-2025 bằng lệnh /register (hạn: hết ngày 31/10/2024)." in text
    assert hoa.buttons() == ["Xem kế hoạch", "Tôi đã đọc và quán triệt kế hoạch"]
    await hoa.click("Tôi đã đọc và quán triệt kế hoạch")
    assert len(await world.rows(PlanAcknowledgement)) == 1


async def test_a_reminder_says_when_registration_has_closed(world: World) -> None:
    await open_year(world, datetime(2024, 11, 20, 9, 0, tzinfo=VN_TZ))
    minh, hoa = await world.unit_head("Trần Văn Minh"), await world.staff("Nguyễn Thị Hoa")
    await acknowledge(world, hoa)
    await minh.send("/status")

    await minh.click(NUDGE)
    await world.drain_outbox()

    assert (
        "thời gian đăng ký đã hết hạn (hết ngày 31/10/2024); nếu cần, anh/chị liên hệ Thường trực Hội đồng"
        in hoa.last_text()
    )
    assert hoa.last().markup is None


async def test_who_blocked_the_bot_is_counted_and_not_reminded(world: World) -> None:
    await open_year(world)
    minh, hoa = await world.unit_head("Trần Văn Minh"), await world.staff("Nguyễn Thị Hoa")
    an = await world.staff("Lê Văn An")
    async with world.session() as s:
        await s.execute(update(Person).where(Person.id == an.person_id).values(unreachable=True))
        await s.commit()
    await minh.send("/status")
    assert "• Lê Văn An (đã chặn bot)" in minh.last_text()

    await minh.click(NUDGE)

    assert [r.person_id for r in await nudges(world)] == [hoa.person_id, minh.person_id] or [
        r.person_id for r in await nudges(world)
    ] == [minh.person_id, hoa.person_id]
    assert "1 người đã chặn bot nên không nhắc được." in minh.last_text()
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "status.nudged")
    assert entry.after == {"reminded": 2, "already": 0, "not_joined": 0, "unreachable": 1}


async def test_the_acting_deputy_and_the_head_share_the_days_reminders(world: World) -> None:
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    deputy = await world.deputy("Vũ Văn Phó")
    await done(world, minh, deputy)
    await world.staff("Nguyễn Thị Hoa")
    await minh.send("/status")
    await minh.click(NUDGE)

    await deputy.send("/status")
    await deputy.click(NUDGE)

    assert len(await nudges(world)) == 1
    assert "1 người đã được nhắc hôm nay" in deputy.last_text()


# -- the secretary --------------------------------------------------------------------------------------
async def test_the_secretary_sees_every_unit_lowest_first_and_the_college(world: World) -> None:
    await open_year(world)
    lan = await world.secretary("Trần Thị Lan")  # TCHC
    a, b = await world.staff("Cán Bộ A", unit="KCNTT"), await world.staff("Cán Bộ B", unit="KCNTT")
    c = await world.staff("Cán Bộ C", unit="KDL")
    await done(world, lan, a, c)
    await acknowledge(world, b)

    await lan.send("/status")

    text = lan.last_text()
    college = "<b>Toàn trường</b>\nĐã quán triệt kế hoạch: 4/4 (100%)\n"
    assert college + "Đã đăng ký thi đua năm học 2024-2025: 3/4 (75%)" in text
    assert text.index("<b>Phòng KCNTT</b>") < text.index("<b>Phòng KDL</b>") and text.index(
        "<b>Phòng KCNTT</b>"
    ) < text.index("<b>Phòng TCHC</b>")
    assert "• Cán Bộ B — chưa đăng ký thi đua" in text
    assert lan.last().markup is None  # reminders are the heads'


async def test_the_secretarys_status_is_paged_under_4096_characters(world: World) -> None:
    await open_year(world)
    lan = await world.secretary("Trần Thị Lan")
    for u in range(6):
        for i in range(30):
            await world.person(
                f"Nguyễn Thị Người Có Tên Khá Dài {u}-{i:02d}", linked=i % 2 == 0, unit=f"K{u}"
            )

    await lan.send("/status")

    pages = [m.text or "" for m in lan.messages()[1:]]
    assert len(pages) >= 2 and all(visible_length(p) <= 4096 for p in pages)
    assert "<b>Toàn trường</b>" in pages[0]
    assert sum(p.count("Nguyễn Thị Người Có Tên Khá Dài") for p in pages) == 180


async def test_without_a_school_year_the_figures_say_so(world: World) -> None:
    world.clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ))
    await world.load_plan(PLAN)  # 2021–2025 only: no school year today
    hoa = await world.staff("Nguyễn Thị Hoa")

    await hoa.send("/status")

    assert "Hiện không có năm học nào đang diễn ra trong kế hoạch." in hoa.last_text()
