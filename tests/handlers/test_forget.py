"""/forget (issue 22, M20): told what goes and what stays before confirming; done in one unit of work,
audited with ids only, the account unlinked; refused while a role others depend on is held; forged and
stale presses, a double tap and the same update twice change nothing more."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
from sqlalchemy import update

from bot.roles import Role
from handlers.privacy import ForgetCb
from storage.models import AuditEntry, Difficulty, GoodDeed, OutboxMessage, Person, PersonRole
from storage.models.core import OutboxFile
from tests.handlers.test_good_deed_flow import finish, setup, to_evidence
from tests.handlers.test_my_data import my_file

YES, NO = "Xoá dữ liệu của tôi", "Thôi, không xoá"
DONE = "Đã xoá dữ liệu cá nhân của anh/chị"


async def hoa_with_data(world):
    """Hoa, with contact fields, a good deed she reported (not verified), a difficulty and a /mydata file."""
    hoa, lan, minh = await setup(world)
    await world.secretary("Phạm Thu Trang")
    async with world.session() as s:
        await s.execute(
            update(Person)
            .where(Person.id == hoa.person_id)
            .values(email="hoa@truong.edu.vn", phone="0912345678", birth_date=date(1985, 9, 5))
        )
        await s.commit()
    await to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await finish(hoa)
    await hoa.send("/difficulty")
    await hoa.send("Phòng chưa nhận được mẫu báo cáo thành tích.")
    while "Gửi" not in " ".join(hoa.buttons()):
        await hoa.click("Bỏ qua")  # no file, no topic
    await hoa.click("Gửi")
    await world.drain_outbox()
    await my_file(world, hoa)
    return hoa, lan, minh


async def the(world, model, row_id):
    [row] = await world.rows(model, model.id == row_id)
    return row


async def hoa_row(world, hoa) -> Person:
    return await the(world, Person, hoa.person_id)


async def forgotten(world) -> list[AuditEntry]:
    return await world.rows(AuditEntry, AuditEntry.action == "person.forgotten")


async def test_the_person_is_told_what_goes_and_what_stays_before_anything_changes(world):
    hoa, _, _ = await hoa_with_data(world)
    await hoa.send("/forget")
    text = hoa.last_text()
    assert "thư điện tử, số điện thoại, ngày sinh" in text and "tài khoản Telegram" in text
    assert "1 khó khăn" in text and "1 việc tốt" in text
    assert "Hệ thống vẫn giữ" in text and "Nghị định 13/2023/NĐ-CP" in text and "Phiếu bầu" in text
    assert hoa.buttons() == ["🗑 " + YES, NO] and await hoa.state() == "ForgetSG:confirm"
    p = await hoa_row(world, hoa)
    assert p.telegram_id == hoa.id and p.email == "hoa@truong.edu.vn"  # nothing removed yet
    assert await forgotten(world) == []


@pytest.mark.restarts("ForgetSG")
async def test_confirming_removes_the_data_unlinks_the_account_and_is_audited_with_ids_only(world):
    hoa, _, _ = await hoa_with_data(world)
    [deed] = await world.rows(GoodDeed)
    [item] = await world.rows(Difficulty)
    await hoa.send("/forget")
    world.api.reset_calls()
    await hoa.click(YES)
    assert DONE in hoa.last_text() and hoa.last().markup is None
    p = await hoa_row(world, hoa)
    assert (p.telegram_id, p.joined_at, p.email, p.phone, p.birth_date) == (None, None, None, None, None)
    assert p.full_name == "Nguyễn Thị Hoa" and p.active  # the roster's record stays
    assert (await the(world, GoodDeed, deed.id)).text == ""
    assert (await the(world, Difficulty, item.id)).text == ""
    mine = await world.rows(OutboxMessage, OutboxMessage.chat_id == hoa.id)
    assert mine and all(r.text is None for r in mine)
    [f] = await world.rows(OutboxFile)
    assert f.data is None  # the /mydata file
    [entry] = await forgotten(world)
    assert entry.actor_id == hoa.person_id and entry.object_id == str(hoa.person_id)
    assert entry.after["difficulties"] == 1 and entry.after["deeds_blanked"] == 1
    audit = json.dumps([[e.before, e.after] for e in await world.rows(AuditEntry)], ensure_ascii=False)
    assert "Nguyễn Thị Hoa" not in audit and "hoa@truong.edu.vn" not in audit and str(hoa.id) not in audit
    assert await hoa.state() is None
    assert [c.params["scope"]["chat_id"] for c in world.api.calls_of("deleteMyCommands")] == [hoa.id]
    await hoa.send("/status")
    assert "/status" not in hoa.last_text() and DONE not in hoa.last_text()  # a stranger now


async def test_a_verified_good_deed_she_reported_stays_without_her_name(world):
    hoa, lan, _ = await hoa_with_data(world)
    async with world.session() as s:
        await s.execute(update(GoodDeed).values(state="verified"))
        await s.commit()
    await hoa.send("/forget")
    assert "giữ nội dung, không hiện tên người ghi nhận" in hoa.last_text()
    await hoa.click(YES)
    [deed] = await world.rows(GoodDeed)
    assert deed.text and deed.anonymous
    data = await my_file(world, lan)
    assert {d["reporter"] for d in data["good_deeds_about_me"]} == {None}


async def test_cancelling_changes_nothing(world):
    hoa, _, _ = await hoa_with_data(world)
    await hoa.send("/forget")
    await hoa.click(NO)
    assert "Đã thôi" in hoa.last_text() and hoa.last().markup is None
    assert (await hoa_row(world, hoa)).telegram_id == hoa.id and await forgotten(world) == []
    assert await hoa.state() is None


async def test_a_unit_head_is_refused_and_told_which_role_others_depend_on(world):
    _, _, minh = await setup(world)
    await minh.send("/forget")
    text = minh.last_text()
    assert "vai trò mà người khác cần đến" in text and "Trưởng đơn vị – Phòng TCHC" in text
    assert minh.last().markup is None and await minh.state() is None
    assert (await hoa_row(world, minh)).telegram_id == minh.id and await forgotten(world) == []


async def test_a_role_given_after_the_preview_refuses_the_confirmation(world):
    hoa, _, _ = await hoa_with_data(world)
    await hoa.send("/forget")
    async with world.session() as s:
        s.add(PersonRole(person_id=hoa.person_id, role=Role.COUNCIL.value))
        await s.commit()
    world.dp["identity"].invalidate(hoa.id)  # as the admin's change of roles does
    await hoa.click(YES)
    assert "vai trò mà người khác cần đến" in hoa.last_text()
    assert (await hoa_row(world, hoa)).telegram_id == hoa.id and await forgotten(world) == []


async def test_a_forged_press_for_someone_else_or_without_a_preview_is_refused(world):
    hoa, lan, _ = await hoa_with_data(world)
    await hoa.send("/forget")
    nonce = (await hoa.data())["forget"]
    await lan.press(ForgetCb(op="y", p=hoa.person_id, n=nonce).pack())  # Lân has no preview open
    await lan.send("/forget")
    await lan.press(ForgetCb(op="y", p=hoa.person_id, n=(await lan.data())["forget"]).pack())  # not his
    assert lan.alerts() == ["Nút này không còn hiệu lực. Anh/Chị gửi /forget để xem lại."] * 2
    assert (await hoa_row(world, hoa)).telegram_id == hoa.id
    assert (await hoa_row(world, lan)).telegram_id == lan.id and await forgotten(world) == []


async def test_a_press_on_an_older_preview_is_refused(world):
    hoa, _, _ = await hoa_with_data(world)
    await hoa.send("/forget")
    old = hoa.last()
    await hoa.send("/forget")  # a new preview, a new number
    _, data = hoa.find_button(YES)
    [old_data] = [b.callback_data for row in old.markup.inline_keyboard for b in row if YES in b.text]
    assert old_data != data
    await world.feed(hoa.callback_update(old_data, old))
    assert hoa.alerts()[-1].startswith("Nút này không còn hiệu lực")
    assert await forgotten(world) == []


async def test_a_double_tap_forgets_once(world):
    hoa, _, _ = await hoa_with_data(world)
    await hoa.send("/forget")
    sent, data = hoa.find_button(YES)
    await asyncio.gather(
        world.feed(hoa.callback_update(data, sent)), world.feed(hoa.callback_update(data, sent))
    )
    assert len(await forgotten(world)) == 1
    assert sum(DONE in x for x in hoa.texts()) == 1
    assert hoa.alerts() == ["Nút này không còn hiệu lực. Anh/Chị gửi /forget để xem lại."]


async def test_the_same_update_twice_forgets_once(world):
    hoa, _, _ = await hoa_with_data(world)
    await hoa.send("/forget")
    sent, data = hoa.find_button(YES)
    twice = hoa.callback_update(data, sent)
    await world.feed(twice)
    await world.feed(twice)
    assert len(await forgotten(world)) == 1
    assert hoa.alerts() == []  # the second is dropped before any handler


async def test_another_command_ends_the_confirmation_and_its_button_with_it(world):
    hoa, _, _ = await hoa_with_data(world)
    await hoa.send("/forget")
    sent, data = hoa.find_button(YES)
    await hoa.send("/status")
    assert any("xoá dữ liệu cá nhân" in x for x in hoa.texts()[-3:]) and await hoa.state() is None
    await world.feed(hoa.callback_update(data, sent))
    assert hoa.alerts()[-1].startswith("Nút này không còn hiệu lực")
    assert await forgotten(world) == []
