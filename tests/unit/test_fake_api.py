"""The fake Bot API on its own: a real aiogram Bot over FakeTelegram, no dispatcher, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramMigrateToChat
from aiogram.methods import SendMediaGroup
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    MessageId,
)

from bot.clock import FakeClock
from bot.devtools.fake_api import ChatInfo, FakeTelegram, Membership, NotInFake
from bot.devtools.harness import TEST_TOKEN

HOA = 100_001
TEAM = -1_000_000_000_001
NEWS = -1_000_000_000_002


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))


@pytest.fixture
def api(clock: FakeClock) -> FakeTelegram:
    api = FakeTelegram(clock=clock)
    api.register_chat(ChatInfo(HOA, "private", first_name="Hoa"))
    owner = Membership({"id": HOA, "is_bot": False, "first_name": "Hoa"}, "creator")
    api.register_chat(
        ChatInfo(TEAM, "supergroup", title="Tổ Tin học", bot=Membership(api.bot_user), members={HOA: owner})
    )
    rights = {"can_post_messages": True}
    api.register_chat(
        ChatInfo(NEWS, "channel", title="Tin thi đua", bot=Membership(api.bot_user, "administrator", rights))
    )
    return api


@pytest.fixture
def bot(api: FakeTelegram) -> Bot:
    return Bot(TEST_TOKEN, session=api)


KB = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="OK", callback_data="ok")]])


# -- methods: implemented, or loudly missing -------------------------------------------------------------
async def test_a_method_the_fake_does_not_implement_raises_naming_it(bot, api):
    with pytest.raises(NotInFake, match="pinChatMessage"):
        await bot.pin_chat_message(TEAM, 1)
    assert api.unimplemented == ["pinChatMessage"]


async def test_methods_that_answer_true_are_implemented(bot, api):
    sent = await bot.send_message(HOA, "Xin chào", reply_markup=KB)
    api.callback_queries["q1"] = HOA
    assert await bot.answer_callback_query("q1", text="Đã lưu") is True
    assert await bot.send_chat_action(HOA, "typing") is True
    scope = BotCommandScopeChat(chat_id=HOA)
    assert await bot.set_my_commands([BotCommand(command="help", description="Trợ giúp")], scope=scope)
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["help"]
    assert await bot.delete_my_commands(scope=scope) is True
    assert await bot.get_my_commands(scope=scope) == []
    assert await bot.delete_message(HOA, sent.message_id) is True
    assert await bot.leave_chat(TEAM) is True
    assert api.unimplemented == []


async def test_a_callback_query_is_answered_once(bot, api):
    api.callback_queries["q1"] = HOA
    await bot.answer_callback_query("q1")
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("q1", text="again")
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("never-sent")


async def test_fail_keeps_its_keyword_signature(bot, api):
    api.fail("sendMessage", 400, "Bad Request: chat not found", chat_id=HOA, retry_after=None, times=1)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(HOA, "x")
    assert (await bot.send_message(HOA, "x")).message_id == 1


# -- chats ------------------------------------------------------------------------------------------------
async def test_get_chat_tells_the_type_and_title(bot):
    channel, group, private = await bot.get_chat(NEWS), await bot.get_chat(TEAM), await bot.get_chat(HOA)
    assert isinstance(channel, ChatFullInfo)
    assert (channel.type, channel.title) == ("channel", "Tin thi đua")
    assert (group.type, group.title) == ("supergroup", "Tổ Tin học")
    assert (private.type, private.first_name) == ("private", "Hoa")


async def test_chat_member_and_administrators(bot, api):
    me = await bot.get_chat_member(NEWS, api.bot_id)
    assert isinstance(me, ChatMemberAdministrator) and me.can_post_messages is True
    assert me.can_edit_messages is False
    assert isinstance(await bot.get_chat_member(TEAM, HOA), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(TEAM, 999), ChatMemberLeft)
    admins = await bot.get_chat_administrators(TEAM)
    assert [(a.status, a.user.id) for a in admins] == [("creator", HOA)]  # the bot is a plain member there


async def test_after_leaving_a_chat_sending_there_is_forbidden(bot, api):
    await bot.leave_chat(TEAM)
    assert api.left == [TEAM]
    with pytest.raises(TelegramForbiddenError, match="bot is not a member of the supergroup chat"):
        await bot.send_message(TEAM, "Còn ai không?")
    assert isinstance(
        await bot.get_chat_member(NEWS, api.bot_id), ChatMemberAdministrator
    )  # others unchanged


async def test_a_channel_needs_the_right_to_post(bot, api):
    api.known[NEWS].bot = Membership(api.bot_user, "member")
    with pytest.raises(TelegramBadRequest, match="need administrator rights"):
        await bot.send_message(NEWS, "Tin mới")


async def test_a_message_to_an_upgraded_group_raises_migrate_to_chat(bot, api):
    api.register_chat(ChatInfo(-4_000_000_001, "group", title="Tổ cũ", bot=Membership(api.bot_user)))
    api.migrate(-4_000_000_001, -1_000_000_000_009)
    with pytest.raises(TelegramMigrateToChat) as e:
        await bot.send_message(-4_000_000_001, "Xin chào")
    assert e.value.migrate_to_chat_id == -1_000_000_000_009
    assert (await bot.send_message(-1_000_000_000_009, "Xin chào")).chat.type == "supergroup"


async def test_a_blocked_person_cannot_be_sent_to(bot, api):
    api.known[HOA].blocked = True
    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await bot.send_message(HOA, "x")


# -- time ---------------------------------------------------------------------------------------------------
async def test_dates_come_from_the_clock(bot, clock):
    first = await bot.send_message(HOA, "Một")
    clock.advance(days=3)
    second = await bot.send_message(HOA, "Hai")
    assert first.date == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert (second.date - first.date).days == 3


# -- files -------------------------------------------------------------------------------------------------
async def test_get_file_and_download_return_the_bytes_given(bot, api):
    stored = api.add_file(b"\x89PNG minh chung", "photo")
    file = await bot.get_file(stored.file_id)
    assert file.file_size == len(b"\x89PNG minh chung") and file.file_unique_id == stored.file_unique_id
    assert (await bot.download(stored.file_id)).read() == b"\x89PNG minh chung"  # type: ignore[union-attr]


async def test_get_file_refuses_unknown_and_too_big_files(bot, api):
    with pytest.raises(TelegramBadRequest, match="wrong file_id"):
        await bot.get_file("nope")
    big = api.add_file(None, "document", size=25 * 1024 * 1024)
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await bot.get_file(big.file_id)


async def test_uploads_give_file_ids_that_hold_the_uploaded_bytes(bot, api):
    photo = await bot.send_photo(HOA, BufferedInputFile(b"anh 1", "anh.jpg"), caption="Ảnh")
    doc = await bot.send_document(HOA, BufferedInputFile(b"%PDF bao cao", "bao-cao.pdf"))
    again = await bot.send_photo(HOA, BufferedInputFile(b"anh 1", "anh.jpg"))
    file_id = photo.photo[-1].file_id
    assert api.file_bytes(file_id) == b"anh 1" and api.uploads[file_id] == b"anh 1"
    assert api.file_bytes(doc.document.file_id) == b"%PDF bao cao" and doc.document.file_name == "bao-cao.pdf"
    assert again.photo[-1].file_id != file_id  # a new upload, a new file_id...
    assert again.photo[-1].file_unique_id == photo.photo[-1].file_unique_id  # ...of the same content
    reused = await bot.send_photo(-1_000_000_000_001, file_id)
    assert reused.photo[-1].file_unique_id == photo.photo[-1].file_unique_id
    assert (await bot.download(doc.document.file_id)).read() == b"%PDF bao cao"  # type: ignore[union-attr]


async def test_media_group_returns_messages_recorded_one_by_one(bot, api):
    media = [
        InputMediaPhoto(media=BufferedInputFile(f"anh {i}".encode(), f"{i}.jpg"), caption=c)
        for i, c in enumerate(["Minh chứng", None, None])
    ]
    messages = await bot.send_media_group(HOA, media)
    assert len(messages) == 3 and len({m.media_group_id for m in messages}) == 1
    assert messages[0].media_group_id is not None
    sent = api.sent_to(HOA)
    assert [(s.kind, s.text) for s in sent] == [("photo", "Minh chứng"), ("photo", None), ("photo", None)]
    assert [api.file_bytes(s.file_id) for s in sent] == [b"anh 0", b"anh 1", b"anh 2"]


async def test_media_group_refuses_more_than_ten_items_and_any_keyboard(bot, api):
    photo = api.add_file(b"x", "photo").file_id
    with pytest.raises(TelegramBadRequest, match="too many messages"):
        await bot.send_media_group(HOA, [InputMediaPhoto(media=photo) for _ in range(11)])
    with pytest.raises(TelegramBadRequest, match="reply markup"):
        await bot(SendMediaGroup(chat_id=HOA, media=[InputMediaPhoto(media=photo)] * 2, reply_markup=KB))
    with pytest.raises(TelegramBadRequest, match="at least 2"):
        await bot.send_media_group(HOA, [InputMediaPhoto(media=photo)])
    assert api.sent_to(HOA) == []


async def test_copy_and_forward(bot, api):
    original = await bot.send_photo(HOA, BufferedInputFile(b"anh", "a.jpg"), caption="Ảnh gốc")
    copy = await bot.copy_message(TEAM, HOA, original.message_id, caption="Bản sao", reply_markup=KB)
    assert isinstance(copy, MessageId)
    [copied] = api.sent_to(TEAM)
    assert (copied.message_id, copied.kind, copied.text) == (copy.message_id, "photo", "Bản sao")
    assert copied.file_id == original.photo[-1].file_id and copied.copied_from == (HOA, original.message_id)
    assert copied.buttons() == [("OK", "ok")]
    forwarded = await bot.forward_message(TEAM, HOA, original.message_id)
    assert forwarded.caption == "Ảnh gốc" and forwarded.forward_origin.type == "user"
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(TEAM, HOA, 999)
