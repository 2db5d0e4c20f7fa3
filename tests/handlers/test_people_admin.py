"""Admin in chat: /people, person cards, unit moves, roles, delegation, deactivation, /units."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.commands import COMMANDS
from bot.roles import Role
from handlers.keyboards import PeoplePageCb, PersonCb, PersonEditCb
from storage.models import AuditEntry, FsmRecord, OutboxMessage, Person, PersonRole, Unit

NOT_ALLOWED = "Anh/Chị không có quyền thực hiện thao tác này."


async def person(world, chatter) -> Person:
    async with world.session() as s:
        return await s.get(Person, chatter.person_id)


async def roles_of(world, chatter) -> set[tuple[str, int | None, date | None, date | None]]:
    rows = await world.rows(PersonRole, PersonRole.person_id == chatter.person_id)
    return {(r.role, r.unit_id, r.valid_from, r.valid_to) for r in rows}


async def unit_id(world, code: str) -> int:
    return (await world.unit(code)).id


async def delegate(world, person, start: date, end: date, unit: str = "TCHC") -> None:
    """A stored delegation of the head role of `unit` to `person`, from `start` to `end`."""
    async with world.session() as s:
        s.add(
            PersonRole(
                person_id=person.person_id,
                role="deputy_head",
                unit_id=await unit_id(world, unit),
                valid_from=start,
                valid_to=end,
            )
        )
        await s.commit()


async def open_card(admin, name: str) -> None:
    await admin.send(f"/people {name}")
    await admin.click(name)


# -- who may ------------------------------------------------------------------------------------------
async def test_outsider_trying_every_command_gets_the_invite_hint_and_nothing_is_stored(world):
    stranger = world.outsider("Lê Văn Lạ")
    assert {"people", "units", "help", "lang"} <= set(COMMANDS)
    for name in sorted(COMMANDS):
        await stranger.send(f"/{name}")
        assert "trưởng đơn vị" in stranger.last_text(), name
    for data in (PersonCb(id=1).pack(), PersonEditCb(op="role", id=1, arg="admin").pack()):
        await stranger.press(data)
    assert (
        stranger.alerts()
        == ["Anh/Chị chưa tham gia bot. Vui lòng đề nghị trưởng đơn vị gửi liên kết mời."] * 2
    )
    for model in (Person, PersonRole, AuditEntry, OutboxMessage, FsmRecord):
        assert await world.rows(model) == [], model
    assert await stranger.state() is None


async def test_staff_has_no_people_command(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/people hoa")
    assert hoa.last_text().startswith("Lệnh /people không thuộc quyền hạn của anh/chị.")
    await hoa.send("/help")
    assert "/people" not in hoa.last_text()


async def test_staff_pressing_an_admin_button_gets_an_alert_and_nothing_changes(world):
    await world.admin("Nguyễn Văn An")
    hoa = await world.staff("Nguyễn Thị Hoa")
    before = await roles_of(world, hoa)
    await hoa.press(PersonEditCb(op="role", id=hoa.person_id, arg="admin").pack())
    await hoa.press(PersonEditCb(op="off!", id=hoa.person_id).pack())
    await hoa.press(PersonCb(id=hoa.person_id).pack())
    assert hoa.alerts() == [NOT_ALLOWED] * 3
    assert await roles_of(world, hoa) == before
    assert (await person(world, hoa)).active
    assert await world.rows(AuditEntry) == []


async def test_secretary_pressing_an_admin_only_edit_gets_an_alert_and_nothing_changes(world):
    lan = await world.secretary("Trần Thị Lan")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await open_card(lan, "Nguyễn Thị Hoa")
    assert "Nguyễn Thị Hoa" in lan.last_text() and lan.last().markup is None  # the card, without edit buttons
    before = await roles_of(world, hoa)
    khtc = await unit_id(world, "KHTC")
    await lan.press(PersonEditCb(op="unit", id=hoa.person_id, arg=str(khtc)).pack())
    await lan.press(PersonEditCb(op="role", id=hoa.person_id, arg="secretary").pack())
    assert lan.alerts() == [NOT_ALLOWED] * 2
    assert (await person(world, hoa)).unit_id == await unit_id(world, "TCHC")
    assert await roles_of(world, hoa) == before
    assert await world.rows(AuditEntry) == []


async def test_a_press_on_someone_who_does_not_exist_is_refused(world):
    an = await world.admin("Nguyễn Văn An")
    await an.press(PersonEditCb(op="role", id=9999, arg="admin").pack())
    await an.press(PersonEditCb(op="role", id=an.person_id, arg="emperor").pack())
    assert an.alerts() == ["Không tìm thấy dữ liệu yêu cầu; có thể nó đã bị thay đổi."] * 2
    assert await world.rows(AuditEntry) == []


# -- search -------------------------------------------------------------------------------------------
async def test_search_ignores_diacritics_case_and_d_stroke(world):
    an = await world.admin("Nguyễn Văn An")
    await world.staff("Đỗ Thị Hồng")
    await world.staff("Nguyễn Văn Đức")
    await world.staff("Trần Văn Minh")
    await an.send("/people do thi hong")
    assert an.buttons() == ["Đỗ Thị Hồng — TCHC"]
    await an.send("/people DUC")
    assert an.buttons() == ["Nguyễn Văn Đức — TCHC"]
    await an.send("/people đức nguyễn")
    assert an.buttons() == ["Nguyễn Văn Đức — TCHC"]
    await an.send("/people nguyen van")
    assert an.buttons() == ["Nguyễn Văn An — TCHC", "Nguyễn Văn Đức — TCHC"]


async def test_search_without_a_name_asks_for_one_and_then_finds(world):
    an = await world.admin("Nguyễn Văn An")
    await world.staff("Đỗ Thị Hồng")
    await an.send("/people")
    assert "Nhập họ tên" in an.last_text()
    await an.send("hồng")
    assert an.buttons() == ["Đỗ Thị Hồng — TCHC"]
    assert await an.state() is None


async def test_search_with_no_match_says_so(world):
    an = await world.admin("Nguyễn Văn An")
    await an.send("/people Xuân")
    assert an.last_text() == "Không tìm thấy ai có tên “xuan”. Anh/Chị hãy thử từ khóa khác: /people và tên."


async def test_a_too_long_query_is_refused_and_the_question_stays(world):
    an = await world.admin("Nguyễn Văn An")
    await an.send("/people")
    await an.send("a" * 101)
    assert "Từ khóa quá dài" in an.last_text()
    assert await an.state() == "PeopleSearchSG:query"


@pytest.mark.restarts("PeopleSearchSG")
async def test_cancel_leaves_the_search(world):
    an = await world.admin("Nguyễn Văn An")
    await an.send("/people")
    await an.send("/cancel")
    assert await an.state() is None
    assert an.last_text().startswith("Đã hủy")


async def test_results_are_paged(world):
    an = await world.admin("Nguyễn Văn An")
    for i in range(10):
        await world.staff(f"Lê Văn Bình {i}")
    await an.send("/people binh")
    assert "10 người (trang 1/2)" in an.last_text()
    assert len(an.buttons()) == 9 and an.buttons()[-1] == "Sau ›"
    await an.click("Sau ›")
    assert "(trang 2/2)" in an.last_text()
    assert an.buttons() == ["Lê Văn Bình 8 — TCHC", "Lê Văn Bình 9 — TCHC", "‹ Trước"]


async def test_card_shows_unit_roles_joined_and_active(world):
    an = await world.admin("Nguyễn Văn An")
    await world.person("Phạm Thị Dung", Role.STAFF, Role.UNIT_HEAD, unit="KHTC")
    await world.person("Lý Văn Minh", linked=False)
    await open_card(an, "Phạm Thị Dung")
    card = an.last_text()
    assert "Đơn vị: Phòng KHTC (KHTC)" in card
    assert "Vai trò: CBVC-NLĐ; Trưởng đơn vị" in card
    assert "đã tham gia ngày 25/11/2026" in card and "đang hoạt động" in card
    await open_card(an, "Lý Văn Minh")
    assert "chưa tham gia" in an.last_text()


# -- moving -------------------------------------------------------------------------------------------
async def test_moving_to_another_unit_keeps_the_person_and_audits(world):
    an = await world.admin("Nguyễn Văn An")
    hoa = await world.staff("Nguyễn Thị Hoa")
    tchc, khtc = await unit_id(world, "TCHC"), (await world.unit("KHTC", "Phòng Kế hoạch – Tài chính")).id
    await open_card(an, "Nguyễn Thị Hoa")
    await an.click("Đổi đơn vị")
    await an.click("KHTC")
    assert "Đã chuyển Nguyễn Thị Hoa từ Phòng TCHC sang Phòng Kế hoạch – Tài chính." in an.last_text()
    moved = await person(world, hoa)
    assert moved.id == hoa.person_id and moved.unit_id == khtc and moved.telegram_id == hoa.id
    assert await roles_of(world, hoa) == {("staff", khtc, None, None)}
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "person.unit")
    assert entry.object_id == str(hoa.person_id) and entry.actor_id == an.person_id
    assert entry.before["unit"] == "TCHC" and entry.after["unit"] == "KHTC"
    assert entry.before["unit_id"] == tchc
    assert len(await world.rows(Person)) == 2


async def test_a_head_who_moves_is_no_longer_head_of_the_unit_left(world):
    an = await world.admin("Nguyễn Văn An")
    minh = await world.unit_head("Trần Văn Minh")
    khtc = (await world.unit("KHTC")).id
    await an.press(PersonEditCb(op="unit", id=minh.person_id, arg=str(khtc)).pack())
    assert await roles_of(world, minh) == {("staff", khtc, None, None)}
    assert "vai trò trưởng/phó đơn vị" in an.alerts()[-1].lower()


async def test_moving_to_the_same_unit_changes_nothing(world):
    an = await world.admin("Nguyễn Văn An")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await an.press(PersonEditCb(op="unit", id=hoa.person_id, arg=str(await unit_id(world, "TCHC"))).pack())
    assert an.alerts() == ["Nguyễn Thị Hoa đã thuộc Phòng TCHC rồi."]
    assert await world.rows(AuditEntry) == []


# -- roles, the identity cache and the menu -------------------------------------------------------------
async def test_a_new_role_shows_in_the_persons_next_help_without_a_restart(world):
    an = await world.admin("Nguyễn Văn An")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/help")  # cached now
    assert "/people" not in hoa.last_text()
    await open_card(an, "Nguyễn Thị Hoa")
    await an.click("Vai trò")
    await an.click("Thường trực Hội đồng Thi đua – Khen thưởng")
    assert "Đã cấp vai trò “Thường trực Hội đồng Thi đua – Khen thưởng” cho Nguyễn Thị Hoa." in an.last_text()
    assert "✅ Thường trực Hội đồng Thi đua – Khen thưởng" in an.buttons()
    await hoa.send("/help")
    assert "/people" in hoa.last_text() and "/units" in hoa.last_text()
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "person.roles")
    assert {g["role"] for g in entry.after["roles"]} == {"staff", "secretary"}
    assert {g["role"] for g in entry.before["roles"]} == {"staff"}


async def test_a_role_change_sets_the_persons_menu_for_their_chat_only(world):
    an = await world.admin("Nguyễn Văn An")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await an.press(PersonEditCb(op="role", id=hoa.person_id, arg="secretary").pack())
    [call] = world.api.calls_of("setMyCommands")
    assert call.params["scope"] == {"type": "chat", "chat_id": hoa.id}
    names = [c["command"] for c in call.params["commands"]]
    assert "people" in names and "units" in names and "start" in names
    await an.press(PersonEditCb(op="role", id=hoa.person_id, arg="secretary").pack())
    names = [c["command"] for c in world.api.calls_of("setMyCommands")[-1].params["commands"]]
    assert "people" not in names
    assert await roles_of(world, hoa) == {("staff", await unit_id(world, "TCHC"), None, None)}


async def test_admin_cannot_take_their_own_admin_role(world):
    an = await world.admin("Nguyễn Văn An")
    await an.press(PersonEditCb(op="role", id=an.person_id, arg="admin").pack())
    assert an.alerts() == ["Anh/Chị không thể tự gỡ vai trò quản trị của chính mình."]
    assert ("admin", None, None, None) in await roles_of(world, an)
    assert await world.rows(AuditEntry) == []


# -- delegation -----------------------------------------------------------------------------------------
async def test_delegating_the_head_role_with_bad_dates_asks_again_and_stores_nothing(world):
    an = await world.admin("Nguyễn Văn An")
    em = await world.staff("Hoàng Văn Em")  # today is 25/11/2026
    await open_card(an, "Hoàng Văn Em")
    await an.click("Ủy quyền trưởng đơn vị")
    assert "nhập ngày bắt đầu" in an.last_text()
    await an.send("31/02/2026")
    assert (
        an.last_text() == "“31/02/2026” không phải là ngày hợp lệ. "
        "Anh/Chị vui lòng nhập theo dạng ngày/tháng/năm, ví dụ 01/12/2026."
    )
    await an.send("mai")
    assert "“mai” không phải là ngày hợp lệ" in an.last_text()
    await an.send("24/11/2026")
    assert an.last_text() == "Ngày 24/11/2026 đã qua. Vui lòng nhập một ngày từ hôm nay (25/11/2026) trở đi."
    assert await an.state() == "DelegateSG:start"
    await an.send("01/12/2026")
    assert await an.state() == "DelegateSG:end"
    await an.send("30/11/2026")
    assert "Ngày kết thúc (30/11/2026) không được trước ngày bắt đầu (01/12/2026)" in an.last_text()
    assert await an.state() == "DelegateSG:end"
    assert await roles_of(world, em) == {("staff", await unit_id(world, "TCHC"), None, None)}
    assert await world.rows(AuditEntry) == []


async def test_delegating_the_head_role_for_a_period(world):
    an = await world.admin("Nguyễn Văn An")
    em = await world.staff("Hoàng Văn Em")
    tchc = await unit_id(world, "TCHC")
    await open_card(an, "Hoàng Văn Em")
    await an.click("Ủy quyền trưởng đơn vị")
    await an.send("25/11/2026")
    await an.send("15/12/2026")
    assert (
        "Đã ủy quyền trưởng đơn vị Phòng TCHC cho Hoàng Văn Em từ 25/11/2026 đến 15/12/2026."
        in an.last_text()
    )
    assert "Quyền trưởng đơn vị TCHC: từ 25/11/2026 đến 15/12/2026" in an.last_text()
    assert await an.state() is None
    assert ("deputy_head", tchc, date(2026, 11, 25), date(2026, 12, 15)) in await roles_of(world, em)
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "person.delegation")
    assert entry.after["valid_to"] == "2026-12-15"
    await world.drain_outbox()
    assert "Anh/Chị được ủy quyền trưởng đơn vị Phòng TCHC" in em.last_text()
    menu = world.api.calls_of("setMyCommands")[-1]
    assert menu.params["scope"] == {"type": "chat", "chat_id": em.id}


async def test_an_overlapping_delegation_is_refused(world):
    an = await world.admin("Nguyễn Văn An")
    em = await world.staff("Hoàng Văn Em")
    await delegate(world, em, date(2026, 12, 1), date(2026, 12, 10))
    await an.press(PersonEditCb(op="deleg", id=em.person_id).pack())
    await an.send("05/12/2026")
    await an.send("20/12/2026")
    assert "trong khoảng thời gian trùng (từ 01/12/2026 đến 10/12/2026)" in an.last_text()
    assert len(await world.rows(PersonRole, PersonRole.role == "deputy_head")) == 1
    assert await an.state() is None


async def test_cancel_works_at_every_step_of_a_delegation(world):
    an = await world.admin("Nguyễn Văn An")
    em = await world.staff("Hoàng Văn Em")
    for steps in ([], ["01/12/2026"]):
        await an.press(PersonEditCb(op="deleg", id=em.person_id).pack())
        for text in steps:
            await an.send(text)
        await an.send("/cancel")
        assert an.last_text().startswith("Đã hủy")
        assert await an.state() is None
    assert await world.rows(PersonRole, PersonRole.role == "deputy_head") == []


async def test_ending_a_delegation_in_force_keeps_it_until_yesterday(world):
    an = await world.admin("Nguyễn Văn An")
    em = await world.staff("Hoàng Văn Em")
    await delegate(world, em, date(2026, 11, 1), date(2026, 12, 10))
    await open_card(an, "Hoàng Văn Em")
    await an.click("Kết thúc ủy quyền")
    [grant] = await world.rows(PersonRole, PersonRole.role == "deputy_head")
    assert grant.valid_to == date(2026, 11, 24)
    assert len(await world.rows(AuditEntry, AuditEntry.action == "person.delegation_ended")) == 1


# -- deactivation ---------------------------------------------------------------------------------------
async def test_a_deactivated_person_can_no_longer_use_the_bot_until_reactivated(world):
    an = await world.admin("Nguyễn Văn An")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/help")
    await open_card(an, "Nguyễn Thị Hoa")
    await an.click("Ngừng hoạt động")
    assert "Ngừng hoạt động tài khoản của Nguyễn Thị Hoa?" in an.last_text()
    await an.click("Xác nhận ngừng hoạt động")
    assert not (await person(world, hoa)).active
    assert world.api.calls_of("deleteMyCommands")[-1].params["scope"] == {"type": "chat", "chat_id": hoa.id}
    await hoa.send("/lang")
    assert "ngừng hoạt động" in hoa.last_text() and "Nguyễn Văn An" in hoa.last_text()  # whom to contact
    await an.click("Kích hoạt lại")
    assert (await person(world, hoa)).active
    await hoa.send("/help")
    assert "/lang" in hoa.last_text()
    entries = await world.rows(AuditEntry, AuditEntry.action == "person.active")
    assert [(e.before, e.after) for e in entries] == [
        ({"active": True}, {"active": False}),
        ({"active": False}, {"active": True}),
    ]


async def test_admin_cannot_deactivate_themself(world):
    an = await world.admin("Nguyễn Văn An")
    await an.press(PersonEditCb(op="off!", id=an.person_id).pack())
    assert an.alerts() == ["Anh/Chị không thể tự ngừng hoạt động tài khoản của chính mình."]
    assert (await person(world, an)).active
    assert await world.rows(AuditEntry) == []


# -- units ----------------------------------------------------------------------------------------------
async def test_units_count_joined_of_the_whole_roster(world):
    an = await world.admin("Nguyễn Văn An")
    await world.staff("Nguyễn Thị Hoa")
    await world.person("Lý Văn Minh", linked=False)
    await world.person("Ngô Thị Lan", linked=False, unit="KHTC")
    async with world.session() as s:
        (await s.scalar(select(Unit).where(Unit.code == "KHTC"))).is_example = True
        await s.commit()
    await an.send("/units")
    text = an.last_text()
    assert "KHTC — Phòng KHTC: 0/1 người (ví dụ)" in text
    assert "TCHC — Phòng TCHC: 2/3 người" in text
    assert "Toàn trường: 2/4 người đã tham gia." in text


async def test_page_callback_carries_a_short_query(world):
    data = PeoplePageCb(q="nguyen van an", p=3).pack()
    assert len(data.encode()) <= 64


# -- markup in what people typed or files named ------------------------------------------------------------
async def test_a_date_typed_with_markup_is_quoted_back_escaped_and_asked_again(world):
    an = await world.admin("Nguyễn Văn An")
    em = await world.staff("Hoàng Văn Em")
    await an.press(PersonEditCb(op="deleg", id=em.person_id).pack())
    await an.send("<b>1/12</b>")
    assert "“&lt;b&gt;1/12&lt;/b&gt;” không phải là ngày hợp lệ" in an.last_text()
    assert await an.state() == "DelegateSG:start"
    assert await world.rows(AuditEntry) == []


async def test_the_delegation_notice_escapes_the_unit_name(world):
    an = await world.admin("Nguyễn Văn An")
    await world.unit("TTTH", "Trung tâm Tin học & Ngoại ngữ")
    em = await world.staff("Hoàng Văn Em", unit="TTTH")
    await an.press(PersonEditCb(op="deleg", id=em.person_id).pack())
    await an.send("25/11/2026")
    await an.send("30/11/2026")
    assert "Trung tâm Tin học &amp; Ngoại ngữ" in an.last_text()
    await world.drain_outbox()
    assert "Anh/Chị được ủy quyền trưởng đơn vị Trung tâm Tin học &amp; Ngoại ngữ" in em.last_text()


async def test_an_alert_shows_names_as_plain_text(world):
    an = await world.admin("Nguyễn Văn An")
    ttth = await world.unit("TTTH", "Trung tâm Tin học & Ngoại ngữ")
    em = await world.staff("Hoàng Văn Em", unit="TTTH")
    await an.press(PersonEditCb(op="unit", id=em.person_id, arg=str(ttth.id)).pack())
    assert an.alerts() == ["Hoàng Văn Em đã thuộc Trung tâm Tin học & Ngoại ngữ rồi."]


# -- the identity cache follows every change ---------------------------------------------------------------
async def test_a_head_who_moves_loses_the_head_commands_at_once(world):
    an = await world.admin("Nguyễn Văn An")
    minh = await world.unit_head("Trần Văn Minh")
    khtc = await unit_id(world, "KHTC")
    await minh.send("/help")  # cached now
    assert "/invite" in minh.last_text()
    await an.press(PersonEditCb(op="unit", id=minh.person_id, arg=str(khtc)).pack())
    await minh.send("/help")
    assert "/invite" not in minh.last_text()


@pytest.mark.restarts("DelegateSG")
async def test_a_delegation_from_today_and_its_end_take_effect_at_once(world):
    an = await world.admin("Nguyễn Văn An")
    em = await world.staff("Hoàng Văn Em")  # today is 25/11/2026
    await em.send("/help")  # cached now
    assert "/invite" not in em.last_text()
    await an.press(PersonEditCb(op="deleg", id=em.person_id).pack())
    await an.send("25/11/2026")
    await an.send("30/11/2026")
    await em.send("/help")
    assert "/invite" in em.last_text()
    [grant] = await world.rows(PersonRole, PersonRole.role == "deputy_head")
    await an.press(PersonEditCb(op="undeleg", id=em.person_id, arg=str(grant.id)).pack())
    await em.send("/help")
    assert "/invite" not in em.last_text()
    assert await world.rows(PersonRole, PersonRole.role == "deputy_head") == []
