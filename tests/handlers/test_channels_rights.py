"""A bound chat whose binding stopped because the bot lost its rights, then got them back."""

from __future__ import annotations

from storage.models.channels import ChatBinding


async def binding(world, chat_id: int) -> ChatBinding:
    return (await world.rows(ChatBinding, ChatBinding.chat_id == chat_id))[0]


async def test_a_group_that_gives_the_bot_back_its_rights_is_offered_again(world):
    sec = await world.secretary("Phạm Thị Thư")
    team = world.group("Công đoàn trường", bot="left")
    await team.add_bot(by=sec)
    await world.drain_outbox()
    await sec.click("Nhóm Công đoàn")
    await team.restrict_bot(by=world.outsider("Phó nhóm"))
    await world.drain_outbox()
    assert "bot không còn quyền đăng bài" in sec.last_text()
    assert not (await binding(world, team.id)).active
    await team.restrict_bot(by=sec, can_send_messages=True)  # the secretary gives the right back
    await world.drain_outbox()
    assert sec.last_text() == (
        "Bot đã có lại quyền đăng bài trong nhóm “Công đoàn trường”. Anh/Chị muốn dùng nhóm này để làm gì?"
    )
    await sec.click("Nhóm Công đoàn")
    assert "Đã liên kết nhóm “Công đoàn trường”: nhóm Công đoàn" in sec.last_text()
    assert (await binding(world, team.id)).active


async def test_a_channel_whose_posting_right_comes_back_from_a_stranger_is_not_rebound(world):
    sec = await world.secretary("Phạm Thị Thư")
    news = world.channel("Tin thi đua", bot="left")
    await news.add_bot(by=sec, admin=True, can_post_messages=True)
    await world.drain_outbox()
    await sec.click("Thông báo chung của trường")
    await news.promote_bot(by=sec, can_post_messages=False)
    await world.drain_outbox()
    told = len(sec.texts())
    await news.promote_bot(by=world.outsider("Quản trị kênh"), can_post_messages=True)
    await world.drain_outbox()
    assert len(sec.texts()) == told and world.api.left == []
    assert not (await binding(world, news.id)).active
    await news.promote_bot(by=sec, can_post_messages=True)
    await world.drain_outbox()
    assert "Bot đã có lại quyền đăng bài trong kênh “Tin thi đua”" in sec.last_text()
    await sec.click("Thông báo chung của trường")
    assert (await binding(world, news.id)).active


async def test_a_long_list_of_chats_comes_in_parts_with_the_buttons_under_the_last(world):
    sec = await world.secretary("Phạm Thị Thư")
    for i in range(30):
        team = world.group(
            f"Nhóm Công đoàn bộ phận số {i:02d} – " + "Khoa Kinh tế và Quản trị kinh doanh " * 2,
            bot="left",
        )
        await team.add_bot(by=sec)
        await world.drain_outbox()
        await sec.click("Nhóm Công đoàn")
    await sec.send("/channels")
    texts = sec.texts()
    first = max(i for i, x in enumerate(texts) if x.startswith("<b>Kênh và nhóm đã liên kết</b>"))
    shown = texts[first:]
    assert len(shown) == 2
    assert "số 00" in shown[0] and "số 29" in shown[1]
    assert len(sec.buttons()) == 30
