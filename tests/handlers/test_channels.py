"""Groups and channels: binding by someone in charge, leaving a stranger's chat, /channels, retiring."""

from __future__ import annotations

import pytest

from bot.devtools.harness import World
from storage.models import AuditEntry, Person
from storage.models.channels import ChatBinding


async def binding(world: World, chat_id: int) -> ChatBinding | None:
    rows = await world.rows(ChatBinding, ChatBinding.chat_id == chat_id)
    return rows[0] if rows else None


async def test_the_union_adds_the_bot_to_a_group_and_binds_it_as_the_unions_group(world):
    thu = await world.union("Lê Thị Thu")
    team = world.group("Công đoàn trường", bot="left", admins=[thu])
    await team.add_bot(by=thu)
    await world.drain_outbox()
    assert "Bot đã được thêm vào nhóm “Công đoàn trường”" in thu.last_text()
    await thu.click("Nhóm Công đoàn")
    assert "Đã liên kết nhóm “Công đoàn trường”: nhóm Công đoàn" in thu.last_text()
    b = await binding(world, team.id)
    assert b is not None and b.active and b.purpose == "union"
    assert [a.action for a in await world.rows(AuditEntry, AuditEntry.action == "chat.bound")] == [
        "chat.bound"
    ]


async def test_a_unit_group_is_bound_with_the_unit_picked(world):
    sec = await world.secretary("Phạm Thị Thư")
    await world.unit("KCNTT", "Khoa Công nghệ thông tin", kind="khoa")
    team = world.group("Khoa CNTT", bot="left")
    await team.add_bot(by=sec)
    await world.drain_outbox()
    await sec.click("Nhóm của một đơn vị")
    await sec.click("Khoa Công nghệ thông tin")
    assert "nhóm của Khoa Công nghệ thông tin" in sec.last_text()
    b = await binding(world, team.id)
    assert b is not None and b.purpose == "unit" and b.unit_id is not None


async def test_a_strangers_group_is_left_and_nobody_is_told(world):
    stranger = world.outsider("Người Lạ")
    hoa = await world.staff("Nguyễn Thị Hoa")
    team = world.group("Nhóm lạ", bot="left", supergroup=False)  # a supergroup: test_channels_upgrade.py
    await team.add_bot(by=stranger)
    await world.drain_outbox()
    assert world.api.left == [team.id]
    assert stranger.messages() == [] and team.messages() == []
    team2 = world.group("Nhóm của Hoa", bot="left", supergroup=False)
    await team2.add_bot(by=hoa)  # a staff member is not in charge of channels either
    assert world.api.left == [team.id, team2.id]
    assert await binding(world, team.id) is None


async def test_a_change_of_rights_by_someone_else_never_makes_the_bot_leave(world):
    thu = await world.union("Lê Thị Thu")
    team = world.group("Công đoàn trường", bot="left")
    await team.add_bot(by=thu)
    await world.drain_outbox()
    await thu.click("Nhóm Công đoàn")
    await team.promote_bot(by=world.outsider(), can_pin_messages=True)
    assert world.api.left == []
    b = await binding(world, team.id)
    assert b is not None and b.active


async def test_a_channel_where_the_bot_cannot_post_gets_a_hint_not_a_binding(world):
    sec = await world.secretary("Phạm Thị Thư")
    news = world.channel("Tin thi đua", bot="left")
    await news.add_bot(by=sec, admin=True, can_post_messages=False)
    await world.drain_outbox()
    assert "chưa được quyền đăng bài" in sec.last_text()
    assert sec.buttons() == []
    await news.promote_bot(by=sec, can_post_messages=True)
    await world.drain_outbox()
    assert "Bot đã được thêm vào kênh “Tin thi đua”" in sec.last_text()
    await sec.click("Thông báo chung của trường")
    b = await binding(world, news.id)
    assert b is not None and b.active and b.purpose == "college"


async def bound_group(world: World, title: str = "Công đoàn trường"):
    sec = await world.secretary("Phạm Thị Thư")
    team = world.group(title, bot="left", supergroup=False)
    await team.add_bot(by=sec)
    await world.drain_outbox()
    await sec.click("Nhóm Công đoàn")
    return sec, team


async def test_channels_lists_and_unbinds_then_asks_whether_to_leave(world):
    sec, team = await bound_group(world)
    await sec.send("/channels")
    assert "• nhóm “Công đoàn trường”, dùng cho nhóm Công đoàn" in sec.last_text()
    await sec.click("Hủy liên kết “Công đoàn trường”")
    assert "Bot có cần rời khỏi nhóm này không?" in sec.last_text()
    b = await binding(world, team.id)
    assert b is not None and not b.active
    await sec.click("Rời khỏi")
    assert world.api.left == [team.id]
    assert "Bot đã rời khỏi nhóm “Công đoàn trường”." in sec.last_text()
    await sec.send("/channels")
    assert "đã ngừng (đã hủy liên kết, bot đã rời khỏi)" in sec.last_text()


async def test_unbinding_and_staying_keeps_the_bot_in_the_chat(world):
    sec, _team = await bound_group(world)
    await sec.send("/channels")
    await sec.click("Hủy liên kết")
    await sec.click("Ở lại")
    assert world.api.left == []
    assert "sẽ không đăng bài ở đó nữa" in sec.last_text()


async def test_a_forged_or_stale_binding_button_changes_nothing(world):
    sec, team = await bound_group(world)
    await sec.press("chb:999:1:union:0")
    await sec.press(f"chl:un:{(await binding(world, team.id)).id}:1")  # an older version
    assert sec.alerts() == ["Kênh hoặc nhóm này đã thay đổi. Vui lòng gõ /channels để xem lại."] * 2
    assert (await binding(world, team.id)).active


async def test_staff_may_not_use_channels(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/channels")
    assert "/channels" in hoa.last_text() and "Kênh" not in hoa.last_text()


async def test_removing_the_bot_retires_the_binding_and_tells_the_secretary(world):
    sec, team = await bound_group(world)
    await team.remove_bot()
    await world.drain_outbox()
    assert "Bot không còn đăng bài được vào “Công đoàn trường” (bot đã bị xóa khỏi nhóm)" in sec.last_text()
    assert not (await binding(world, team.id)).active
    assert world.api.left == []


async def test_the_upgrade_to_a_supergroup_moves_the_binding(world):
    _sec, team = await bound_group(world)
    new = await team.upgrade()
    b = await binding(world, new.id)
    assert b is not None and b.active and b.chat_type == "supergroup"
    assert await binding(world, team.id) is None


async def test_blocking_in_private_marks_unreachable_and_unblocking_reachable(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.block_bot()
    person = (await world.rows(Person, Person.id == hoa.person_id))[0]
    assert person.unreachable
    await hoa.unblock_bot()
    person = (await world.rows(Person, Person.id == hoa.person_id))[0]
    assert not person.unreachable


async def test_the_same_membership_update_twice_offers_once(world):
    thu = await world.union("Lê Thị Thu")
    team = world.group("Công đoàn trường", bot="left")
    update = await team.add_bot(by=thu)
    await world.feed(update)
    await world.drain_outbox()
    assert len([x for x in thu.texts() if x.startswith("Bot đã được thêm vào nhóm")]) == 1
    assert len(await world.rows(ChatBinding)) == 1


async def test_a_chat_offered_but_not_bound_is_never_a_target(world):
    thu = await world.union("Lê Thị Thu")
    team = world.group("Nhóm chưa liên kết", bot="left")
    await team.add_bot(by=thu)
    await world.drain_outbox()
    await thu.send("/announce")
    await thu.click("Nội dung tự soạn")
    await thu.send("Thông báo")
    await thu.click("Chọn nơi nhận")
    assert not any("Nhóm chưa liên kết" in b for b in thu.buttons())
    await thu.press(f"anc:{(await binding(world, team.id)).id}")
    assert thu.alerts() == ["Nút này không còn hiệu lực."]


async def test_a_chat_the_bot_was_removed_from_can_be_bound_again_when_it_is_added_back(world):
    sec, team = await bound_group(world)
    await team.remove_bot()
    await world.drain_outbox()
    assert "Anh/Chị có thể thêm lại bot để liên kết lại" in sec.last_text()
    await team.add_bot(by=sec)
    await world.drain_outbox()
    await sec.click("Nhóm Công đoàn")
    assert sec.alerts() == []
    assert "Đã liên kết nhóm “Công đoàn trường”: nhóm Công đoàn" in sec.last_text()
    b = await binding(world, team.id)
    assert b is not None and b.active and b.retired_reason is None


async def test_a_channel_added_back_without_the_right_to_post_is_offered_once_it_may(world):
    sec = await world.secretary("Phạm Thị Thư")
    news = world.channel("Tin thi đua", bot="left")
    await news.add_bot(by=sec, admin=True, can_post_messages=True)
    await world.drain_outbox()
    await sec.click("Thông báo chung của trường")
    await news.remove_bot()
    await news.add_bot(by=sec, admin=True, can_post_messages=False)
    await news.promote_bot(by=sec, can_post_messages=True)
    await world.drain_outbox()
    assert "Bot đã được thêm vào kênh “Tin thi đua”" in sec.last_text()
    await sec.click("Thông báo chung của trường")
    assert (await binding(world, news.id)).active


async def test_an_offer_pressed_after_the_bot_was_removed_binds_nothing(world):
    sec = await world.secretary("Phạm Thị Thư")
    team = world.group("Nhóm X", bot="left")
    await team.add_bot(by=sec)
    await world.drain_outbox()
    await team.remove_bot()
    await world.drain_outbox()
    await sec.click("Nhóm Công đoàn")
    assert sec.alerts() == ["Kênh hoặc nhóm này đã thay đổi. Vui lòng gõ /channels để xem lại."]
    b = await binding(world, team.id)
    assert b is not None and not b.active
    assert await world.rows(AuditEntry, AuditEntry.action == "chat.bound") == []


async def test_a_forged_unit_in_the_bind_button_gets_a_clear_message_and_binds_nothing(world):
    sec = await world.secretary("Phạm Thị Thư")
    team = world.group("Nhóm X", bot="left")
    await team.add_bot(by=sec)
    await world.drain_outbox()
    b = await binding(world, team.id)
    await sec.press(f"chb:{b.id}:{b.version}:unit:987654")
    assert sec.alerts() == ["Vui lòng chọn đơn vị."]
    assert not (await binding(world, team.id)).active


@pytest.mark.parametrize("by", ["stranger", "secretary"])
async def test_the_join_event_of_the_new_supergroup_neither_leaves_nor_unbinds_it(world, by):
    sec, team = await bound_group(world)
    new = await team.upgrade()
    new.info.bot = None  # Telegram tells the bot it joined the new supergroup, from whoever upgraded it
    await new.add_bot(by=sec if by == "secretary" else world.outsider("Phó nhóm"))
    await world.drain_outbox()
    assert world.api.left == []
    b = await binding(world, new.id)
    assert b is not None and b.active and b.purpose == "union"
    assert not any(x.startswith("Bot đã được thêm vào") for x in sec.texts()[-1:])


async def test_the_binding_follows_its_group_when_the_supergroups_join_event_comes_first(world):
    from aiogram.types import Message, Update

    from bot.devtools.harness import Room

    sec, team = await bound_group(world)
    new_id = -1_000_000_777_777
    new = Room(world, world.api.migrate(team.id, new_id))
    world.rooms[new_id] = new
    new.info.bot = None
    await new.add_bot(by=sec)  # the join event first: offered as a new chat
    moved = Message(
        message_id=world.api.next_message_id(team.id),
        date=world.clock.now(),
        chat=team.chat,
        from_user=sec.user,
        migrate_to_chat_id=new_id,
    )
    await world.feed(Update(update_id=world.next_update_id(), message=moved))
    b = await binding(world, new_id)
    assert b is not None and b.active and b.purpose == "union"
    assert len(await world.rows(ChatBinding)) == 1
