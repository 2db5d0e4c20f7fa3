"""`bot.filters.Room`: a feature router passed through more cheaply, routing as aiogram's `Router` does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Dispatcher, Router
from aiogram.types import Chat, Message, Update, User

from bot.app import create_dispatcher
from bot.devtools.fake_api import FakeTelegram
from bot.devtools.harness import TEST_TOKEN
from bot.filters import Room
from bot.telegram import create_bot
from tests.conftest import make_settings


def update(text: str, chat_type: str = "private") -> Update:
    user = User(id=7, is_bot=False, first_name="A")
    chat = Chat(id=7 if chat_type == "private" else -7, type=chat_type)
    msg = Message(message_id=1, date=datetime.now(UTC), chat=chat, from_user=user, text=text)
    return Update(update_id=1, message=msg)


async def feed(dp: Dispatcher, text: str, chat_type: str = "private") -> Any:
    bot = create_bot(make_settings("sqlite://"), session=FakeTelegram(), token=TEST_TOKEN)
    return await dp.feed_update(bot, update(text, chat_type))


@pytest.mark.parametrize("kind", [Router, Room])
async def test_a_room_routes_as_aiogram_does(kind: type[Router]) -> None:
    """Router-level filters, handlers' filters, sub-routers, the order, `event_router` and outer middlewares:
    the same with a Room as with aiogram's Router."""
    seen: list[str] = []
    dp = Dispatcher()
    empty, first, second, inner = (
        kind(name="empty"),
        kind(name="first"),
        kind(name="second"),
        kind(name="inner"),
    )

    async def private(message: Message) -> bool:
        seen.append("private?")
        return message.chat.type == "private"

    async def refused(message: Message) -> bool:
        seen.append("empty's filter")  # never asked: a router with no handler cannot take the message
        return False

    empty.message.filter(refused)
    first.message.filter(private)

    @first.message(lambda m: m.text == "a")  # synchronous: run in a thread by aiogram, alike
    async def a(message: Message, event_router: Router) -> str:
        seen.append(f"a in {event_router.name}")
        return "a"

    @inner.message()
    async def b(message: Message, event_router: Router) -> str:
        seen.append(f"b in {event_router.name}")
        return "b"

    async def outer(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        seen.append("second's outer middleware")
        return await handler(event, data)

    second.message.outer_middleware(outer)

    @second.message()
    async def c(message: Message) -> str:
        return "c"

    first.include_router(inner)
    dp.include_routers(empty, first, second)

    assert await feed(dp, "a") == "a"
    assert await feed(dp, "z") == "b"
    assert await feed(dp, "a", "group") == "c"
    expected = ["private?", "a in first", "private?", "b in inner", "private?", "second's outer middleware"]
    if kind is Router:
        expected = [
            e for s in (["empty's filter", x] if x == "private?" else [x] for x in expected) for e in s
        ]
    assert seen == expected


async def test_a_room_with_no_handler_for_the_event_is_passed_over_and_the_next_takes_it() -> None:
    dp = Dispatcher()
    quiet, taker = Room(name="quiet"), Room(name="taker")
    quiet.callback_query.register(lambda q: None)  # handlers of another event type only

    @taker.message()
    async def took(message: Message) -> str:
        return "taken"

    dp.include_routers(quiet, taker)
    assert await feed(dp, "hi") == "taken"


def test_every_feature_router_is_a_room() -> None:
    """So that the routers an update passes on its way to its own all cost the same little (issue 18, G39)."""
    dp = create_dispatcher(make_settings("sqlite+aiosqlite:///:memory:"))
    plain = [r.name for r in dp.chain_tail if r is not dp and not isinstance(r, Room)]
    assert plain == []
