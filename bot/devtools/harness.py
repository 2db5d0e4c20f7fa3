"""People chatting with the real dispatcher over the fake Bot API: the tests' `world` and the console.

hoa = await world.staff("Nguyễn Thị Hoa")
await hoa.send("/help")
await hoa.click("Tiếng Việt")
assert "..." in hoa.last_text()
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import CallbackQuery, Chat, Document, Message, PhotoSize, Update, User
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.app import create_dispatcher, warm_up
from bot.clock import FakeClock
from bot.config import Settings
from bot.devtools.fake_api import FakeTelegram, Sent
from bot.roles import Role
from bot.sender import OutboxSender
from bot.telegram import create_bot
from storage.models import Person, PersonRole, Unit

TEST_TOKEN = "7000000001:AAH-fake-token-for-tests-only-0123456789"


class World:
    """A bot, its database, a fake Telegram and a controllable clock."""

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        clock: FakeClock | None = None,
        extra_routers: tuple[Router, ...] = (),
        redis: Any = None,
        first_update_id: int = 1,
        first_user_id: int = 100_001,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock or FakeClock()
        self.api = FakeTelegram()
        self.bot: Bot = create_bot(settings, session=self.api, token=settings.token or TEST_TOKEN)
        self.dp: Dispatcher = create_dispatcher(
            settings, engine=engine, clock=self.clock, extra_routers=extra_routers, redis=redis
        )
        self.sessionmaker = self.dp["sessionmaker"]
        self.sender = OutboxSender(
            self.bot, self.sessionmaker, self.clock, settings, self.dp["identity"], self.dp["outbox_wake"]
        )
        self._update_ids = itertools.count(first_update_id)
        self._user_ids = itertools.count(first_user_id)
        self.people: dict[int, Chatter] = {}

    async def start(self) -> World:
        await warm_up(self.dp)
        return self

    # -- updates ------------------------------------------------------------------------------------
    def next_update_id(self) -> int:
        return next(self._update_ids)

    async def feed(self, update: Update) -> Any:
        return await self.dp.feed_update(self.bot, update)

    async def drain_outbox(self) -> int:
        return await self.sender.drain()

    # -- people -------------------------------------------------------------------------------------
    def chatter(self, name: str, telegram_id: int | None = None, language_code: str = "vi") -> Chatter:
        tid = telegram_id or next(self._user_ids)
        c = Chatter(self, tid, name, language_code)
        self.people[tid] = c
        return c

    async def unit(self, code: str = "TCHC", name: str | None = None, kind: str = "phong") -> Unit:
        async with self.session() as s:
            unit = await s.scalar(select(Unit).where(Unit.code == code))
            if unit is None:
                unit = Unit(code=code, name=name or f"Phòng {code}", kind=kind)
                s.add(unit)
                await s.commit()
            return unit

    async def person(
        self,
        name: str,
        *roles: Role,
        unit: str = "TCHC",
        language: str = "vi",
        linked: bool = True,
        role_unit: bool = True,
    ) -> Chatter:
        """A roster person; linked (joined) unless told otherwise. Unit roles are held for `unit`."""
        u = await self.unit(unit)
        chatter = self.chatter(name, language_code=language)
        from bot.text import search_key

        async with self.session() as s:
            p = Person(
                full_name=name,
                name_search=search_key(name),
                unit_id=u.id,
                telegram_id=chatter.id if linked else None,
                language=language,
                joined_at=self.clock.now() if linked else None,
                created_at=self.clock.now(),
            )
            for role in roles or (Role.STAFF,):
                scoped = role in (Role.STAFF, Role.UNIT_HEAD, Role.DEPUTY_HEAD) and role_unit
                p.roles.append(PersonRole(role=role.value, unit_id=u.id if scoped else None))
            s.add(p)
            await s.commit()
            chatter.person_id = p.id
        return chatter

    async def staff(self, name: str, unit: str = "TCHC", **kw: Any) -> Chatter:
        return await self.person(name, Role.STAFF, unit=unit, **kw)

    async def unit_head(self, name: str, unit: str = "TCHC", **kw: Any) -> Chatter:
        return await self.person(name, Role.STAFF, Role.UNIT_HEAD, unit=unit, **kw)

    async def secretary(self, name: str, unit: str = "TCHC", **kw: Any) -> Chatter:
        return await self.person(name, Role.STAFF, Role.SECRETARY, unit=unit, **kw)

    async def admin(self, name: str, unit: str = "TCHC", **kw: Any) -> Chatter:
        return await self.person(name, Role.STAFF, Role.ADMIN, unit=unit, **kw)

    def outsider(self, name: str = "Người lạ", language_code: str = "vi") -> Chatter:
        return self.chatter(name, language_code=language_code)

    # -- the database -------------------------------------------------------------------------------
    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as s:
            yield s

    async def rows(self, model: Any, *where: Any) -> list[Any]:
        async with self.session() as s:
            return list((await s.scalars(select(model).where(*where))).all())

    async def close(self) -> None:
        await self.dp.fsm.storage.close()
        await self.bot.session.close()


class Chatter:
    """One person in a private chat with the bot."""

    def __init__(self, world: World, telegram_id: int, name: str, language_code: str = "vi") -> None:
        self.world = world
        self.id = telegram_id
        self.name = name
        self.language_code = language_code
        self.person_id: int | None = None
        first, _, last = name.rpartition(" ")
        self.user = User(
            id=telegram_id,
            is_bot=False,
            first_name=last or name,
            last_name=first or None,
            language_code=language_code,
        )
        self.chat = Chat(id=telegram_id, type="private", first_name=self.user.first_name)

    # -- building and sending updates ---------------------------------------------------------------
    def message_update(self, text: str | None = None, **extra: Any) -> Update:
        api = self.world.api
        message_id = next(api._ids[self.id])
        msg = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=extra.pop("chat", self.chat),
            from_user=self.user,
            text=text,
            **extra,
        )
        return Update(update_id=self.world.next_update_id(), message=msg)

    async def send(self, text: str) -> Update:
        update = self.message_update(text)
        await self.world.feed(update)
        return update

    async def send_document(
        self, file_name: str, mime_type: str, size: int, caption: str | None = None
    ) -> Update:
        doc = Document(
            file_id=f"DOC-{file_name}",
            file_unique_id=f"u-{file_name}",
            file_name=file_name,
            mime_type=mime_type,
            file_size=size,
        )
        update = self.message_update(None, document=doc, caption=caption)
        await self.world.feed(update)
        return update

    async def send_photo(self, size: int = 50_000, caption: str | None = None) -> Update:
        photo = [PhotoSize(file_id="PHOTO1", file_unique_id="uPHOTO1", width=800, height=600, file_size=size)]
        update = self.message_update(None, photo=photo, caption=caption)
        await self.world.feed(update)
        return update

    def callback_update(self, data: str, message: Sent | None = None) -> Update:
        sent = message or self._last_with_buttons()
        msg = Message(
            message_id=sent.message_id if sent else 1,
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=User(id=self.world.api.bot_id, is_bot=True, first_name="Thi đua"),
            text=sent.text if sent else "",
            reply_markup=sent.markup if sent else None,
        )
        query = CallbackQuery(
            id=f"cq{self.world.next_update_id()}",
            from_user=self.user,
            chat_instance="ci",
            message=msg,
            data=data,
        )
        return Update(update_id=self.world.next_update_id(), callback_query=query)

    async def click(self, label: str, *, exact: bool = False) -> Update:
        """Press the button whose text is (or contains) `label` on the newest message that has it."""
        for sent in reversed(self.messages()):
            for text, data in sent.buttons():
                if text == label or (not exact and label.casefold() in text.casefold()):
                    update = self.callback_update(data, sent)
                    await self.world.feed(update)
                    return update
        raise AssertionError(f"{self.name} sees no button {label!r}; buttons: {self.buttons()}")

    async def press(self, data: str) -> Update:
        """Send raw callback data: a forged or stale press."""
        update = self.callback_update(data)
        await self.world.feed(update)
        return update

    # -- what the person sees ----------------------------------------------------------------------
    def messages(self) -> list[Sent]:
        return self.world.api.sent_to(self.id)

    def _last_with_buttons(self) -> Sent | None:
        for sent in reversed(self.messages()):
            if sent.markup:
                return sent
        return None

    def last(self) -> Sent:
        msgs = self.messages()
        assert msgs, f"{self.name} has received nothing"
        return msgs[-1]

    def last_text(self) -> str:
        return self.last().text or ""

    def texts(self) -> list[str]:
        return [m.text or "" for m in self.messages()]

    def buttons(self) -> list[str]:
        sent = self._last_with_buttons()
        return [text for text, _ in sent.buttons()] if sent else []

    def alerts(self) -> list[str]:
        """Texts of the answers to this person's button presses."""
        out = []
        for call in self.world.api.calls_of("answerCallbackQuery"):
            if call.params.get("text"):
                out.append(call.params["text"])
        return out

    def key(self) -> StorageKey:
        return StorageKey(bot_id=self.world.bot.id, chat_id=self.id, user_id=self.id)

    async def state(self) -> str | None:
        return await self.world.dp.fsm.storage.get_state(self.key())

    async def data(self) -> dict[str, Any]:
        return await self.world.dp.fsm.storage.get_data(self.key())
