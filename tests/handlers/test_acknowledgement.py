"""Acknowledging the plan (M3): the welcome, /start and /plan offer it until pressed; once per person per
period; "Xem kế hoạch"; a new period sent to every linked member in one batch, its count for the secretary."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.harness import World
from bot.services.acknowledgement import ack_data, announce_batch, offer_markup
from handlers.acknowledgement import AckCb
from handlers.keyboards import PlanCb
from storage.models import AuditEntry, OutboxMessage
from storage.models.plan import PlanPeriod
from storage.models.registration import PlanAcknowledgement
from tests.handlers.test_join import make_invite

EXAMPLE = "plans/2026-2030.example.yaml"  # the clock (25/11/2026) is in its school year 2026-2027
SEED = "plans/2021-2025.yaml"
ACK = "Tôi đã đọc và quán triệt kế hoạch"


async def period(world: World, code: str = "2026-2030") -> PlanPeriod:
    [row] = await world.rows(PlanPeriod, PlanPeriod.code == code)
    return row


async def acks(world: World) -> list[PlanAcknowledgement]:
    return await world.rows(PlanAcknowledgement)


# -- offered until pressed -------------------------------------------------------------------------
async def test_the_welcome_after_joining_carries_the_plan_and_the_acknowledgement(world: World) -> None:
    await world.load_plan(EXAMPLE)
    hoa = await world.person("Nguyễn Thị Hoa", linked=False)
    token = await make_invite(world, person=hoa.person_id)
    await hoa.send(f"/start {token}")
    await hoa.click("Đồng ý")
    await hoa.click("Đúng, là tôi")
    await hoa.click("Xác nhận")
    await hoa.click("Tiếng Việt")

    assert "Chào mừng Nguyễn Thị Hoa" in hoa.last_text()
    assert hoa.buttons() == ["Xem kế hoạch", ACK]


async def test_start_offers_the_acknowledgement_until_it_is_pressed(world: World) -> None:
    await world.load_plan(EXAMPLE)
    hoa = await world.staff("Nguyễn Thị Hoa")

    await hoa.send("/start")
    assert hoa.buttons() == ["Xem kế hoạch", ACK]
    await hoa.click(ACK)
    await hoa.send("/start")

    assert hoa.last().markup is None


async def test_plan_keeps_the_button_until_it_is_pressed(world: World) -> None:
    await world.load_plan(EXAMPLE)
    hoa = await world.staff("Nguyễn Thị Hoa")

    await hoa.send("/plan")
    await hoa.click(ACK)
    await hoa.send("/plan")

    assert ACK not in hoa.buttons() and "Phong trào" in hoa.buttons()


async def test_without_a_plan_nothing_is_offered(world: World) -> None:
    hoa = await world.staff("Nguyễn Thị Hoa")

    await hoa.send("/start")

    assert hoa.last().markup is None


# -- pressing --------------------------------------------------------------------------------------
async def test_pressing_records_the_time_once_and_removes_the_button(world: World) -> None:
    await world.load_plan(EXAMPLE)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.clock.set(datetime(2026, 11, 25, 8, 30, tzinfo=VN_TZ))

    await hoa.send("/start")
    await hoa.click(ACK)

    [row] = await acks(world)
    assert row.person_id == hoa.person_id and row.period_id == (await period(world)).id
    assert "(08:30 ngày 25/11/2026)" in hoa.alerts()[-1]
    assert hoa.buttons() == ["Xem kế hoạch"]  # the same message, without the acknowledgement
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "plan.acknowledged")
    assert entry.actor_id == hoa.person_id


async def test_a_second_press_changes_nothing_and_says_when_it_was_done(world: World) -> None:
    await world.load_plan(EXAMPLE)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.clock.set(datetime(2026, 11, 25, 8, 30, tzinfo=VN_TZ))
    await hoa.send("/start")
    await hoa.click(ACK)
    world.clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=VN_TZ))

    await hoa.press(AckCb(op="ok", id=(await period(world)).id).pack())  # an old message still showing it

    [row] = await acks(world)
    assert row.acknowledged_at.replace(tzinfo=None) == datetime(2026, 11, 25, 1, 30)
    assert hoa.alerts()[-1] == "Anh/Chị đã xác nhận đọc và quán triệt kế hoạch lúc 08:30 ngày 25/11/2026."
    assert len(await world.rows(AuditEntry, AuditEntry.action == "plan.acknowledged")) == 1


async def test_the_same_update_twice_stores_one_acknowledgement(world: World) -> None:
    await world.load_plan(EXAMPLE)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/start")
    update = hoa.callback_update(ack_data("ok", (await period(world)).id))

    await world.feed(update)
    await world.feed(update)

    assert len(await acks(world)) == 1


async def test_a_button_of_an_older_plan_is_stale_and_stores_nothing(world: World) -> None:
    await world.load_plan(SEED)
    await world.load_plan(EXAMPLE)
    hoa = await world.staff("Nguyễn Thị Hoa")

    await hoa.press(AckCb(op="ok", id=(await period(world, "2021-2025")).id).pack())

    assert "không còn áp dụng" in hoa.alerts()[-1]
    assert await acks(world) == []


async def test_a_forged_period_id_is_stale_and_stores_nothing(world: World) -> None:
    await world.load_plan(EXAMPLE)
    hoa = await world.staff("Nguyễn Thị Hoa")

    await hoa.press(AckCb(op="ok", id=9999).pack())
    await hoa.press(AckCb(op="view", id=9999).pack())
    await hoa.press(AckCb(op="mv", id=9999).pack())

    assert all("không còn áp dụng" in a for a in hoa.alerts()[-3:])
    assert await acks(world) == []


async def test_someone_not_linked_cannot_acknowledge(world: World) -> None:
    await world.load_plan(EXAMPLE)
    stranger = world.outsider()

    await stranger.press(AckCb(op="ok", id=(await period(world)).id).pack())

    assert "chưa tham gia bot" in stranger.alerts()[-1]
    assert await acks(world) == []


async def test_a_deactivated_person_cannot_acknowledge(world: World) -> None:
    await world.load_plan(EXAMPLE)
    hoa = await world.staff("Nguyễn Thị Hoa")
    from sqlalchemy import update

    from storage.models import Person

    async with world.session() as s:
        await s.execute(update(Person).where(Person.id == hoa.person_id).values(active=False))
        await s.commit()
    world.dp["identity"].invalidate(hoa.id)

    await hoa.press(AckCb(op="ok", id=(await period(world)).id).pack())

    assert hoa.alerts()  # refused (the fallback answers presses of anyone not active and linked)
    assert await acks(world) == []


# -- the plan in short -----------------------------------------------------------------------------
async def seed_world(world: World):
    world.clock.set(datetime(2024, 10, 1, 9, 0, tzinfo=VN_TZ))  # school year 2024-2025 of the seed plan
    await world.load_plan(SEED)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/start")
    return hoa


async def test_see_the_plan_shows_purpose_movements_rounds_and_the_document(world: World) -> None:
    hoa = await seed_world(world)

    await hoa.click("Xem kế hoạch")

    text = hoa.last_text()
    assert "Mục đích" in text
    assert (
        "3 phong trào thi đua" in text and "1. Đổi mới, sáng tạo trong quản lý giảng dạy và học tập" in text
    )
    assert "3. Cán bộ, công chức, viên chức thi đua thực hiện văn hóa công sở" in text
    assert "Năm học 2024-2025</b> (01/09/2024 – 31/08/2025)" in text
    assert "Bỏ phiếu:" in text
    assert "Tiêu chí tập thể" not in text  # each movement opens to its criteria
    labels = hoa.buttons()
    assert [b[:3] for b in labels[:3]] == ["1. ", "2. ", "3. "]
    assert labels[3:] == ["Tài liệu kế hoạch", ACK]


async def test_a_movement_opens_to_its_collective_and_individual_criteria(world: World) -> None:
    hoa = await seed_world(world)
    await hoa.click("Xem kế hoạch")

    await hoa.click("3. ")

    text = hoa.last_text()
    assert text.startswith("<b>3. Cán bộ, công chức, viên chức thi đua thực hiện văn hóa công sở</b>")
    assert "Tiêu chí tập thể:" in text and "Tiêu chí cá nhân:" in text


async def test_the_plan_document_comes_as_a_file(world: World) -> None:
    hoa = await seed_world(world)
    await hoa.click("Xem kế hoạch")

    await hoa.click("Tài liệu kế hoạch")

    assert hoa.last().kind == "document"


def test_the_queued_buttons_carry_the_callback_data_of_the_handlers() -> None:
    markup = offer_markup(7, "vi")
    data = [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
    assert data == [AckCb(op="view", id=7).pack(), AckCb(op="ok", id=7).pack()]
    assert AckCb.unpack(data[1]) == AckCb(op="ok", id=7)
    assert offer_markup(7, "vi", acknowledged=True)["inline_keyboard"] == [markup["inline_keyboard"][0]]
    assert PlanCb(v="doc", p=7).pack() == "pl:doc:7"


# -- a new period, to everyone ---------------------------------------------------------------------
async def test_a_new_current_period_goes_to_every_linked_member_in_one_batch(world: World) -> None:
    hoa, an = await world.staff("Nguyễn Thị Hoa"), await world.staff("Lê Văn An", unit="KCNTT")
    lan = await world.secretary("Trần Thị Lan")
    john = await world.staff("John Smith", language="en")
    await world.person("Phạm Văn Chưa", linked=False)

    report = await world.load_plan(EXAMPLE)
    await world.drain_outbox()

    assert report.announcement.queued == 4 and report.announcement.unreachable == 0
    rows = await world.rows(OutboxMessage, OutboxMessage.kind == "plan-announce")
    assert {r.batch for r in rows} == {announce_batch(report.period_id)} and len(rows) == 4
    for person in (hoa, an, lan):
        assert any("Kế hoạch mới đã được ban hành" in t for t in person.texts())
    assert ["See the plan", "I have read and taken in the plan"] == john.buttons()
    assert "đang gửi tới 4 người đã tham gia bot" in lan.last_text()

    await lan.send("/plan")
    assert "Kế hoạch đã gửi tới mọi người: đã nhận 4/4; chặn bot 0" in "\n".join(lan.texts()[-3:])


async def test_the_secretary_sees_who_blocked_the_bot_in_the_delivery_count(world: World) -> None:
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Trần Thị Lan")
    world.api.block(
        hoa.id
    )  # blocked, and the bot learns it from the 403 (a my_chat_member marks her at once)

    await world.load_plan(EXAMPLE)
    await world.drain_outbox()
    await lan.send("/plan")

    assert "đã nhận 1/2; chặn bot 1" in "\n".join(lan.texts()[-3:])


async def test_a_reload_an_older_period_or_a_period_not_yet_begun_send_nothing(world: World) -> None:
    await world.staff("Nguyễn Thị Hoa")
    await world.load_plan(EXAMPLE)
    announced = await world.rows(OutboxMessage, OutboxMessage.kind == "plan-announce")

    again = await world.load_plan(EXAMPLE)  # a reload
    older = await world.load_plan(SEED)  # 2021–2025: today is not in it

    assert again.announcement is None and older.announcement is None
    assert len(await world.rows(OutboxMessage, OutboxMessage.kind == "plan-announce")) == len(announced) == 1


async def test_the_staff_does_not_see_the_delivery_count(world: World) -> None:
    hoa = await world.staff("Nguyễn Thị Hoa")
    await world.load_plan(EXAMPLE)
    await world.drain_outbox()

    await hoa.send("/plan")

    assert "Kế hoạch đã gửi tới mọi người" not in "\n".join(hoa.texts())


def test_the_number_of_movements_comes_from_the_plan() -> None:
    """A plan with one movement says one, not "Ba phong trào" (issue 18, E34)."""
    from types import SimpleNamespace

    from handlers.acknowledgement import overview_text

    period = SimpleNamespace(code="2026-2030", title_vi="Kế hoạch", title_en="Plan", purpose_vi="")
    one = [SimpleNamespace(name_vi="Phong trào A", name_en="Movement A")]
    assert "<b>1 phong trào thi đua</b>" in overview_text(period, one, "", "vi")
    assert "<b>The emulation movement</b>" in overview_text(period, one, "", "en")
    two = [*one, SimpleNamespace(name_vi="Phong trào B", name_en="Movement B")]
    assert "<b>2 phong trào thi đua</b>" in overview_text(period, two, "", "vi")
    assert "<b>The 2 emulation movements</b>" in overview_text(period, two, "", "en")
