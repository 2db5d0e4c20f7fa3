"""Forged bind presses (issue 18, B9): someone with the channels right who makes up a bind button, with the
row's id and its current version, binds only a chat whose offer is pending: never a stranger's supergroup,
a chat the bot has left, one unbound, nor one whose binding stopped."""

from __future__ import annotations

import pytest

from bot.devtools.harness import Chatter, Room, World
from storage.models import AuditEntry
from storage.models.channels import ChatBinding

GONE = "Kênh hoặc nhóm này đã thay đổi. Vui lòng gõ /channels để xem lại."


async def binding(world: World, chat_id: int) -> ChatBinding:
    return (await world.rows(ChatBinding, ChatBinding.chat_id == chat_id))[0]


async def bound(world: World, sec: Chatter, title: str) -> Room:
    team = world.group(title, bot="left")
    await team.add_bot(by=sec)
    await world.drain_outbox()
    await sec.click("Nhóm Công đoàn")
    return team


async def strangers(world: World, sec: Chatter) -> Room:
    """A supergroup someone not in charge added the bot to (it waits out the grace before leaving)."""
    team = world.group("Hội bạn thân", bot="left")
    await team.add_bot(by=world.outsider("Người Lạ"))
    return team


async def left(world: World, sec: Chatter) -> Room:
    """Bound, unbound, and the bot has left it."""
    team = await bound(world, sec, "Nhóm đã rời")
    await sec.send("/channels")
    await sec.click("Hủy liên kết")
    await sec.click("Rời khỏi")
    return team


async def stayed(world: World, sec: Chatter) -> Room:
    """Bound, then unbound with the bot staying in it."""
    team = await bound(world, sec, "Nhóm đã hủy")
    await sec.send("/channels")
    await sec.click("Hủy liên kết")
    await sec.click("Ở lại")
    return team


async def rights_lost(world: World, sec: Chatter) -> Room:
    """Bound, then the bot may no longer post there (restricted by someone)."""
    team = await bound(world, sec, "Nhóm mất quyền")
    await team.restrict_bot(by=world.outsider("Phó nhóm"))
    await world.drain_outbox()
    return team


async def left_stranger(world: World, sec: Chatter) -> Room:
    """A stranger's supergroup the due work has left after the grace."""
    team = await strangers(world, sec)
    world.clock.advance(minutes=3)
    await world.run_due()
    assert world.api.left == [team.id]
    return team


CASES = [strangers, left, stayed, rights_lost, left_stranger]


@pytest.mark.parametrize("made", CASES, ids=[c.__name__ for c in CASES])
async def test_a_forged_bind_press_binds_only_a_pending_offer(world, made):
    sec = await world.secretary("Phạm Thị Thư")
    team = await made(world, sec)
    before = await binding(world, team.id)
    audited = len(await world.rows(AuditEntry, AuditEntry.action == "chat.bound"))
    await sec.press(f"chb:{before.id}:{before.version}:college:0")
    await sec.press(f"chb:{before.id}:{before.version}:units:0")  # the unit picker names the chat
    assert sec.alerts()[-2:] == [GONE, GONE]
    after = await binding(world, team.id)
    assert not after.active and after.purpose == before.purpose
    assert after.retired_reason == before.retired_reason and after.version == before.version
    assert len(await world.rows(AuditEntry, AuditEntry.action == "chat.bound")) == audited
    assert not any("Hội bạn thân" in x for x in sec.texts())


async def test_a_forged_stay_press_on_a_chat_still_bound_changes_nothing_and_names_nothing(world):
    sec = await world.secretary("Phạm Thị Thư")
    team = await strangers(world, sec)
    b = await binding(world, team.id)
    await sec.press(f"chl:stay:{b.id}:{b.version}")
    assert sec.alerts()[-1] == GONE
    assert not any("Hội bạn thân" in x for x in sec.texts())


async def test_the_offer_itself_still_binds(world):
    sec = await world.secretary("Phạm Thị Thư")
    team = world.group("Nhóm mới", bot="left")
    await team.add_bot(by=sec)
    await world.drain_outbox()
    b = await binding(world, team.id)
    await sec.press(f"chb:{b.id}:{b.version}:college:0")
    assert (await binding(world, team.id)).active
