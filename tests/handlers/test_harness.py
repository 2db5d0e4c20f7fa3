"""The harness itself: groups, channels, membership, albums, files, the clock, alerts, plans and roles.

A probe router (placed before the fallback) records what the dispatcher delivers, so each test checks that
the harness builds updates the way Telegram sends them and that the fake answers the way Telegram does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramForbiddenError, TelegramMigrateToChat
from aiogram.filters import Command
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.clock import Clock, FakeClock
from bot.context import Ctx
from bot.devtools.console import Console
from bot.devtools.harness import World
from bot.filters import Is
from bot.identity import IdentityCache
from bot.roles import Role
from bot.services.outbox import Outbox
from storage.db import make_engine
from storage.models import Invite, OutboxMessage, PersonRole
from storage.models.plan import PlanCommendation, PlanPeriod
from storage.uow import UnitOfWork
from tests.conftest import make_settings

KB = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Đồng ý", callback_data="agree")]])


def probe(seen: list[Any]) -> Router:
    r = Router(name="probe")
    groups = Is(F.chat.type.in_({"group", "supergroup"}))

    async def in_group(message: Message) -> None:
        seen.append(message)
        if message.text == "/poll":
            await message.answer("Anh/Chị đồng ý chứ?", reply_markup=KB)

    async def agreed(query: CallbackQuery) -> None:
        seen.append(query)
        await query.answer(f"Cảm ơn {query.from_user.first_name}", show_alert=True)

    async def membership(event: ChatMemberUpdated) -> None:
        seen.append(event)

    async def channel_post(message: Message) -> None:
        seen.append(message)

    async def photo(message: Message, bot: Bot) -> None:
        seen.append(message)
        if message.caption == "tải":
            seen.append((await bot.download(message.photo[-1].file_id)).read())  # type: ignore[union-attr]

    async def unknown_method(message: Message, bot: Bot) -> None:
        await bot.pin_chat_message(message.chat.id, message.message_id)

    r.message.register(in_group, groups, Is(F.text | F.migrate_to_chat_id | F.migrate_from_chat_id))
    r.message.register(photo, Is(F.photo))
    r.message.register(unknown_method, Command("pin"))
    r.callback_query.register(agreed, Is(F.data == "agree"))
    r.my_chat_member.register(membership)
    r.channel_post.register(channel_post)
    return r


@pytest.fixture
async def probed(world_url: str, clock: FakeClock) -> AsyncIterator[tuple[World, list[Any]]]:
    seen: list[Any] = []
    engine = make_engine(world_url)
    spy = probe(seen)
    w = await World(make_settings(world_url), engine, clock, extra_routers=(spy,)).start()
    # First in line: the bot's own handling of its membership and of upgrades (handlers/channels.py)
    # would otherwise take these events before the probe sees them.
    w.dp.sub_routers.remove(spy)
    w.dp.sub_routers.insert(0, spy)
    yield w, seen
    await w.close()
    await engine.dispose()


# -- groups -----------------------------------------------------------------------------------------------
async def test_a_person_writes_in_a_group_and_the_bot_answers_there(probed):
    world, seen = probed
    hoa = await world.staff("Nguyễn Thị Hoa")
    team = world.group("Tổ Tin học")
    await hoa.send_in(team, "/poll")
    [message] = seen
    assert (message.chat.id, message.chat.type, message.chat.title) == (team.id, "supergroup", "Tổ Tin học")
    assert message.from_user.id == hoa.id and team.id < 0
    assert team.last_text() == "Anh/Chị đồng ý chứ?" and hoa.messages() == []
    basic = world.group("Tổ cũ", supergroup=False)
    assert basic.type == "group" and (await world.bot.get_chat(basic.id)).type == "group"


async def test_pressing_a_button_on_a_group_message_tells_only_the_presser(probed):
    world, seen = probed
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.staff("Trần Văn Minh")
    team = world.group("Tổ Tin học", members=[hoa, minh])
    await hoa.send_in(team, "/poll")
    await minh.click_in(team, "Đồng ý")
    query = seen[-1]
    assert isinstance(query, CallbackQuery) and query.message.chat.id == team.id
    assert query.from_user.id == minh.id
    assert minh.alerts() == ["Cảm ơn Minh"] and hoa.alerts() == []


async def test_the_bot_added_promoted_restricted_and_removed(probed):
    world, seen = probed
    minh = await world.staff("Trần Văn Minh")
    team = world.group("Tổ Tin học", owner=minh, bot="left")
    with pytest.raises(TelegramForbiddenError, match="not a member"):
        await world.bot.send_message(team.id, "Xin chào")

    await team.add_bot(by=minh)
    await team.promote_bot(by=minh, can_pin_messages=True, can_delete_messages=True)
    await world.bot.send_message(team.id, "Xin chào")
    me = await world.bot.get_chat_member(team.id, world.api.bot_id)
    assert me.status == "administrator" and me.can_pin_messages is True
    assert [a.user.id for a in await world.bot.get_chat_administrators(team.id)] == [
        minh.id,
        world.api.bot_id,
    ]
    await team.restrict_bot(by=minh)
    await team.remove_bot(by=minh)

    changes = [(e.old_chat_member.status, e.new_chat_member.status) for e in seen]
    assert changes == [
        ("left", "member"),
        ("member", "administrator"),
        ("administrator", "restricted"),
        ("restricted", "kicked"),
    ]
    assert all(e.chat.id == team.id and e.from_user.id == minh.id for e in seen)
    assert seen[1].new_chat_member.can_delete_messages is True
    assert seen[2].new_chat_member.can_send_messages is False
    with pytest.raises(TelegramForbiddenError, match="kicked"):
        await world.bot.send_message(team.id, "Còn đây không?")


async def test_a_person_blocking_and_unblocking_the_bot(probed):
    world, seen = probed
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.block_bot()
    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await world.bot.send_message(hoa.id, "Nhắc việc")
    await hoa.unblock_bot()
    await world.bot.send_message(hoa.id, "Nhắc việc")
    assert [(e.chat.type, e.new_chat_member.status) for e in seen] == [
        ("private", "kicked"),
        ("private", "member"),
    ]
    assert hoa.texts() == ["Nhắc việc"]


async def test_a_channel_post_and_posting_to_a_channel(probed):
    world, seen = probed
    news = world.channel("Tin thi đua")
    await news.post("Kết quả bình xét quý I")
    [post] = seen
    assert (post.chat.type, post.chat.title, post.text) == (
        "channel",
        "Tin thi đua",
        "Kết quả bình xét quý I",
    )
    assert post.from_user is None and post.sender_chat.id == news.id
    assert (await world.bot.get_chat(news.id)).type == "channel"
    sent = await world.bot.send_message(news.id, "Thông báo")
    assert sent.sender_chat.id == news.id and news.texts() == ["Thông báo"]
    muted = world.channel("Kênh khác", bot="member")
    with pytest.raises(Exception, match="need administrator rights"):
        await world.bot.send_message(muted.id, "Thông báo")


async def test_a_group_upgraded_to_a_supergroup(probed):
    world, seen = probed
    minh = await world.staff("Trần Văn Minh")
    old = world.group("Tổ Tin học", supergroup=False, owner=minh)
    new = await old.upgrade()
    moved, arrived = seen
    assert (moved.chat.id, moved.migrate_to_chat_id) == (old.id, new.id)
    assert (arrived.chat.id, arrived.chat.type, arrived.migrate_from_chat_id) == (
        new.id,
        "supergroup",
        old.id,
    )
    with pytest.raises(TelegramMigrateToChat) as e:
        await world.bot.send_message(old.id, "Xin chào")
    assert e.value.migrate_to_chat_id == new.id
    await world.bot.send_message(new.id, "Xin chào")
    assert new.texts() == ["Xin chào"] and new.title == "Tổ Tin học"


async def test_leaving_a_chat_is_recorded_and_later_sends_fail(probed):
    world, _ = probed
    team = world.group("Tổ Tin học")
    await world.bot.leave_chat(team.id)
    assert world.api.left == [team.id]
    with pytest.raises(TelegramForbiddenError, match="bot is not a member"):
        await world.bot.send_message(team.id, "Xin chào")


# -- media ------------------------------------------------------------------------------------------------
async def test_each_photo_has_its_own_file_ids(probed):
    world, seen = probed
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send_photo()
    await hoa.send_photo()
    first, second = seen
    ids = [p.file_id for m in seen for p in m.photo]
    uniques = [p.file_unique_id for m in seen for p in m.photo]
    assert len(set(ids)) == 4 and len(set(uniques)) == 4  # two sizes each, all distinct
    assert first.photo[-1].width > first.photo[0].width  # the largest last, as Telegram sends them
    assert second.photo[-1].file_size == 50_000


async def test_an_album_arrives_as_separate_updates_sharing_a_media_group_id(probed):
    world, seen = probed
    hoa = await world.staff("Nguyễn Thị Hoa")
    updates = await hoa.send_album(n=3, caption="Minh chứng")
    assert len(updates) == 3 and len({u.update_id for u in updates}) == 3
    assert len(seen) == 3 and len({m.media_group_id for m in seen}) == 1 and seen[0].media_group_id
    assert [m.caption for m in seen] == ["Minh chứng", None, None]
    assert len({m.photo[-1].file_id for m in seen}) == 3
    again = await hoa.send_album(n=2)
    assert again[0].message.media_group_id != seen[0].media_group_id


async def test_a_handler_downloads_the_bytes_the_test_gave(probed):
    world, seen = probed
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send_photo(caption="tải", data=b"\xff\xd8 anh minh chung")
    message, downloaded = seen
    assert downloaded == b"\xff\xd8 anh minh chung"
    assert hoa.file(message.photo[-1].file_id).data == downloaded


async def test_the_bot_copies_and_forwards_what_a_person_sent(probed):
    world, _ = probed
    hoa = await world.staff("Nguyễn Thị Hoa")
    team = world.group("Hội đồng")
    update = await hoa.send_photo(caption="Việc tốt", data=b"anh")
    await world.bot.copy_message(team.id, hoa.id, update.message.message_id)
    await world.bot.forward_message(team.id, hoa.id, update.message.message_id)
    copy, forward = team.messages()
    assert (copy.kind, copy.text, copy.file_id) == ("photo", "Việc tốt", update.message.photo[-1].file_id)
    assert forward.forwarded_from == hoa.id and world.api.file_bytes(forward.file_id) == b"anh"


# -- time -------------------------------------------------------------------------------------------------
async def test_dates_are_the_worlds_clock(probed):
    world, seen = probed
    hoa = await world.staff("Nguyễn Thị Hoa")
    team = world.group("Tổ Tin học")
    world.clock.advance(days=40)
    await hoa.send_in(team, "/poll")
    assert seen[0].date == world.clock.now()
    assert team.last().date == world.clock.now()
    assert (await world.bot.send_message(hoa.id, "x")).date == world.clock.now()


async def queue(world: World, chat_id: int, text: str, **kw: Any) -> None:
    async with UnitOfWork(world.sessionmaker) as uow:
        Outbox(Ctx(uow, world.clock, IdentityCache(), world.settings)).enqueue(chat_id, text, **kw)


async def test_drain_outbox_leaves_next_weeks_row_and_the_clock_alone(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    start = world.clock.now()
    await queue(world, hoa.id, "Bây giờ")
    await queue(world, hoa.id, "Tuần sau", not_before=start + timedelta(days=7))
    assert await world.drain_outbox() == 1
    assert hoa.texts() == ["Bây giờ"] and world.clock.now() - start < timedelta(seconds=1)
    assert await world.drain_outbox(until=start + timedelta(days=6)) == 0 and world.clock.now() == start
    assert await world.drain_outbox(until=start + timedelta(days=7)) == 1
    assert hoa.texts() == ["Bây giờ", "Tuần sau"] and world.clock.now() - start >= timedelta(days=7)


async def test_drain_outbox_advance_goes_as_far_as_needed(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await queue(world, hoa.id, "Năm sau", not_before=world.clock.now() + timedelta(days=365))
    assert await world.drain_outbox() == 0
    assert await world.drain_outbox(advance=True) == 1 and hoa.texts() == ["Năm sau"]


async def test_drain_outbox_still_waits_out_a_429_on_a_row_due_now(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.flood(hoa.id, retry_after=30)
    start = world.clock.now()
    await queue(world, hoa.id, "Bây giờ")
    assert await world.drain_outbox() == 2  # claimed, paused, claimed again
    assert hoa.texts() == ["Bây giờ"] and world.clock.now() - start >= timedelta(seconds=30)


async def test_the_console_does_not_sleep_until_a_later_row(world_url):
    engine = make_engine(world_url)
    world = await World(make_settings(world_url), engine, Clock()).start()  # the real clock, as the console's
    try:
        hoa = await world.staff("Nguyễn Thị Hoa")
        await queue(world, hoa.id, "Một giờ nữa", not_before=world.clock.now() + timedelta(hours=1))
        console = Console(world, print_fn=lambda _: None)
        console.me = hoa
        await asyncio.wait_for(console.show(), timeout=5)
        [row] = await world.rows(OutboxMessage)
        assert row.status == "pending" and hoa.messages() == []
    finally:
        await world.close()
        await engine.dispose()


# -- alerts -----------------------------------------------------------------------------------------------
async def test_alerts_are_the_persons_own(world):
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.staff("Trần Văn Minh")
    await hoa.press("dfi:rep:1")
    assert len(hoa.alerts()) == 1 and minh.alerts() == []
    await minh.press("dfi:rep:1")
    await minh.press("dfi:rep:2")
    assert len(hoa.alerts()) == 1 and len(minh.alerts()) == 2


# -- the fake is complete for the code ----------------------------------------------------------------------
async def test_a_method_missing_from_the_fake_fails_the_world(probed):
    world, _ = probed
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/pin")
    assert world.api.unimplemented == ["pinChatMessage"]
    with pytest.raises(AssertionError, match="pinChatMessage"):
        await world.close()


# -- plans and roles -----------------------------------------------------------------------------------------
async def test_load_plan_loads_through_the_plan_service(world):
    report = await world.load_plan("plans/2021-2025.yaml")
    assert report.status == "created" and report.period_code == "2021-2025"
    [period] = await world.rows(PlanPeriod)
    assert period.code == "2021-2025" and period.source_path.endswith("plans/2021-2025.yaml")
    assert await world.rows(PlanCommendation)
    assert (await world.load_plan("plans/2021-2025.yaml")).status == "unchanged"


async def roles_of(world: World, who: Any) -> set[tuple[str, str | None, date | None, date | None]]:
    rows = await world.rows(PersonRole, PersonRole.person_id == who.person_id)
    units = {u.id: u.code for u in await world.rows(type(await world.unit()))}
    return {(r.role, units.get(r.unit_id), r.valid_from, r.valid_to) for r in rows}


async def test_role_shortcuts(world):
    cases = {
        await world.council_member("Hội Đồng"): Role.COUNCIL,
        await world.principal("Hiệu Trưởng"): Role.PRINCIPAL,
        await world.union("Công Đoàn"): Role.UNION,
        await world.finance("Tài Vụ"): Role.FINANCE,
    }
    for who, role in cases.items():
        assert (role.value, None, None, None) in await roles_of(world, who), who
        assert ("staff",) == tuple({r[0] for r in await roles_of(world, who)} - {role.value})


async def test_a_dated_deputy(world):
    today = world.clock.today()
    start, end = today - timedelta(days=1), today + timedelta(days=6)
    em = await world.deputy("Hoàng Văn Em", unit="KCNTT", valid_from=start, valid_to=end)
    assert await roles_of(world, em) == {("staff", "KCNTT", None, None), ("deputy_head", "KCNTT", start, end)}
    ended = await world.deputy(
        "Lê Văn Cũ", unit="KCNTT", valid_from=date(2026, 1, 1), valid_to=date(2026, 2, 1)
    )
    default = await world.deputy("Mai Thị Mới", unit="KCNTT")
    assert ("deputy_head", "KCNTT", today, today + timedelta(days=7)) in await roles_of(world, default)

    kcntt = (await world.unit("KCNTT")).id
    await em.send("/invite")  # acting for the head today: a staff link for the unit
    [invite] = await world.rows(Invite)
    assert (invite.role, invite.unit_id) == ("staff", kcntt) and "https://t.me/" in em.last_text()
    await ended.send("/invite")  # the delegation is over: plain staff, who may not invite
    assert len(await world.rows(Invite)) == 1 and "https://t.me/" not in ended.last_text()
