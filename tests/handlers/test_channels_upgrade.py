"""A bound group upgraded to a supergroup, whatever order Telegram's updates come in.

Telegram may send the bot's "joined" for the new supergroup, from whoever upgraded it (perhaps someone not in
charge), before the old group's message with `migrate_to_chat_id`. Such a supergroup is not left at once: the
due work leaves it after a grace unless a migration moved a binding to it meanwhile.
"""

from __future__ import annotations

from aiogram.types import Message, Update

from bot.devtools.harness import Chatter, Room, World
from storage.models import AuditEntry
from storage.models.channels import ChatBinding


async def binding(world: World, chat_id: int) -> ChatBinding | None:
    rows = await world.rows(ChatBinding, ChatBinding.chat_id == chat_id)
    return rows[0] if rows else None


async def bound_group(world: World) -> tuple[Chatter, Room]:
    sec = await world.secretary("Phạm Thị Thư")
    team = world.group("Công đoàn <Khoa> & Tổ", bot="left", supergroup=False)
    await team.add_bot(by=sec)
    await world.drain_outbox()
    await sec.click("Nhóm Công đoàn")
    return sec, team


def supergroup_of(world: World, team: Room, new_id: int = -1_000_000_777_777) -> Room:
    """The group's new supergroup, before the bot has heard of the upgrade."""
    new = Room(world, world.api.migrate(team.id, new_id))
    world.rooms[new_id] = new
    new.info.bot = None
    return new


async def service_message(world: World, room: Room, by: Chatter, **field: int) -> None:
    message = Message(
        message_id=world.api.next_message_id(room.id),
        date=world.clock.now(),
        chat=room.chat,
        from_user=by.user,
        **field,
    )
    await world.feed(Update(update_id=world.next_update_id(), message=message))


async def test_a_supergroup_joined_by_a_stranger_before_the_migration_keeps_the_binding(world):
    sec, team = await bound_group(world)
    deputy = world.outsider("Phó nhóm")
    new = supergroup_of(world, team)
    await new.add_bot(by=deputy)  # the join first, from someone not in charge
    assert world.api.left == []
    world.clock.advance(seconds=30)
    await service_message(world, team, deputy, migrate_to_chat_id=new.id)
    world.clock.advance(minutes=5)
    await world.run_due()
    assert world.api.left == []
    b = await binding(world, new.id)
    assert b is not None and b.active and b.purpose == "union" and b.chat_type == "supergroup"
    assert len(await world.rows(ChatBinding)) == 1
    await world.drain_outbox()
    assert not any(x.startswith("Bot đã được thêm vào") for x in sec.texts()[-1:])


async def test_the_supergroups_own_migrate_from_message_moves_the_binding_too(world):
    _sec, team = await bound_group(world)
    deputy = world.outsider("Phó nhóm")
    new = supergroup_of(world, team)
    await new.add_bot(by=deputy)
    await service_message(world, new, deputy, migrate_from_chat_id=team.id)  # the new chat's side only
    world.clock.advance(minutes=5)
    await world.run_due()
    assert world.api.left == []
    b = await binding(world, new.id)
    assert b is not None and b.active and b.purpose == "union"
    assert await binding(world, team.id) is None
    await service_message(world, team, deputy, migrate_to_chat_id=new.id)  # the other side, later
    assert len(await world.rows(ChatBinding)) == 1 and (await binding(world, new.id)).active


async def test_both_messages_after_the_join_move_the_binding_once(world):
    _sec, team = await bound_group(world)
    new = await team.upgrade(by=world.outsider("Phó nhóm"))  # migrate_to, then migrate_from
    world.clock.advance(minutes=5)
    await world.run_due()
    b = await binding(world, new.id)
    assert b is not None and b.active
    moved = await world.rows(AuditEntry, AuditEntry.action == "chat.migrated")
    assert len(moved) == 1


async def test_a_strangers_supergroup_is_left_by_the_due_work_after_the_grace_once(world):
    stranger = world.outsider("Người Lạ")
    team = world.group("Hội bạn thân", bot="left")
    await team.add_bot(by=stranger)
    assert world.api.left == []
    world.clock.advance(minutes=1)
    await world.run_due()
    assert world.api.left == []  # still within the grace
    world.clock.advance(minutes=2)
    await world.run_due()
    await world.run_due()
    assert world.api.left == [team.id]
    await world.drain_outbox()
    assert stranger.messages() == [] and team.messages() == []
    sec = await world.secretary("Phạm Thị Thư")
    await sec.send("/channels")
    assert "Hội bạn thân" not in sec.last_text()


async def test_a_migration_to_a_strangers_supergroup_with_no_binding_does_not_keep_the_bot(world):
    stranger = world.outsider("Người Lạ")
    team = world.group("Hội bạn thân", bot="left", supergroup=False)
    await team.add_bot(by=stranger)
    assert world.api.left == [team.id]  # an ordinary group: left at once, as before
    new = supergroup_of(world, team)
    await new.add_bot(by=stranger)
    await service_message(world, team, stranger, migrate_to_chat_id=new.id)
    world.clock.advance(minutes=3)
    await world.run_due()
    assert world.api.left == [team.id, new.id]


async def test_a_leave_that_meets_a_server_error_is_tried_again_on_the_next_run(world):
    team = world.group("Hội bạn thân", bot="left")
    await team.add_bot(by=world.outsider("Người Lạ"))
    # three times: the call's own retries (bot/telegram.py, 1 s then 2 s) meet it too, then the next run
    world.api.fail("leaveChat", 500, "Internal Server Error", chat_id=team.id, times=3)
    world.clock.advance(minutes=3)
    await world.run_due()
    assert world.api.left == []
    assert len(await world.rows(AuditEntry, AuditEntry.action == "chat.leave_failed")) == 1
    world.clock.advance(minutes=1)
    await world.run_due()
    assert world.api.left == [team.id]


async def test_a_stranger_adding_the_bot_to_a_channel_is_still_left_at_once(world):
    news = world.channel("Kênh lạ", bot="left")
    await news.add_bot(by=world.outsider("Người Lạ"), admin=True, can_post_messages=True)
    assert world.api.left == [news.id]
