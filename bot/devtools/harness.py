"""People chatting with the real dispatcher over the fake Bot API: the tests' `world` and the console.

hoa = await world.staff("Nguyễn Thị Hoa")
await hoa.send("/help")
await hoa.click("Tiếng Việt")
assert "..." in hoa.last_text()

Groups and channels: `team = world.group("Tổ Tin học")`, `await hoa.send_in(team, "...")`,
`await team.add_bot(by=hoa)`, `await team.promote_bot(can_pin_messages=True)`, `await team.remove_bot()`,
`new = await team.upgrade()`; `news = world.channel("Tin thi đua")`, `await news.post("...")`.
Media: `await hoa.send_photo(data=b"...")`, `await hoa.send_album(n=3)`; `await world.bot.download(file_id)`
returns the bytes. Time: every date is the world's clock; `drain_outbox()` delivers what is due now.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatMemberUpdated,
    Document,
    Message,
    PhotoSize,
    Update,
    User,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.app import create_dispatcher, warm_up
from bot.clock import FakeClock
from bot.config import Settings
from bot.devtools.entities import as_received
from bot.devtools.fake_api import ChatInfo, FakeTelegram, Membership, Sent, StoredFile
from bot.roles import Role
from bot.sender import OutboxSender
from bot.telegram import create_bot
from storage.models import Person, PersonRole, Unit

TEST_TOKEN = "7000000001:AAH-fake-token-for-tests-only-0123456789"
ROOT = Path(__file__).resolve().parents[2]
_GROUP_IDS = 4_000_000_000  # a basic group: -4000000001, ...
_SUPERGROUP_IDS = 1_000_000_000_000  # a supergroup or channel: -1000000000001, ...


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
        self.api = FakeTelegram(clock=self.clock)
        # a direct answer's 429 is waited on this world's clock (looked up at each wait: a test can hold it)
        self.bot: Bot = create_bot(
            settings,
            session=self.api,
            token=settings.token or TEST_TOKEN,
            sleep=lambda s: self.clock.sleep(s),
        )
        self._extra_routers, self._redis = extra_routers, redis
        self._build()
        # restarts=True: an in-process restart before every update, and every update delivered again to the
        # restarted bot, as Telegram does when a process died before answering (the reliability suite)
        self.restarts = False
        self.restarted = 0
        self.note_states = False
        self._feeding = False
        self.states_seen: set[str] = set()
        self._update_ids = itertools.count(first_update_id)
        self._user_ids = itertools.count(first_user_id)
        self._chat_ids = itertools.count(1)
        self.people: dict[int, Chatter] = {}
        self.rooms: dict[int, Room] = {}

    def _build(self) -> None:
        self.dp: Dispatcher = create_dispatcher(
            self.settings,
            engine=self.engine,
            clock=self.clock,
            extra_routers=self._extra_routers,
            redis=self._redis,
        )
        self.sessionmaker = self.dp["sessionmaker"]
        identity, wake = self.dp["identity"], self.dp["outbox_wake"]
        self.sender = OutboxSender(self.bot, self.sessionmaker, self.clock, self.settings, identity, wake)

    async def start(self) -> World:
        await warm_up(self.dp)
        return self

    async def restart(self) -> None:
        """An in-process restart between two updates: a new dispatcher, caches and sender on the same
        database (and Redis); Telegram (the fake) and the clock carry on. What the old process kept only in
        memory is gone, so a conversation that resumes proves its state was stored. The old process shuts
        down as the runner does (its dedup flushed)."""
        await self.dp["dedup"].flush()
        await self.dp.fsm.storage.close()
        self._build()
        await warm_up(self.dp)
        self.restarted += 1

    # -- updates ------------------------------------------------------------------------------------
    def next_update_id(self) -> int:
        return next(self._update_ids)

    async def feed(self, update: Update) -> Any:
        if update.message is not None:
            self.api.remember(update.message)
        if not self.restarts:
            result = await self.dp.feed_update(self.bot, update)
            if self.note_states:
                await self._note_state(update)
            return result
        if self._feeding:
            raise AssertionError("a world that restarts between updates cannot be fed two updates at once")
        self._feeding = True
        try:
            return await self._feed_restarting(update)
        finally:
            self._feeding = False

    async def _feed_restarting(self, update: Update) -> Any:
        await self.restart()
        result = await self.dp.feed_update(self.bot, update)
        await self._note_state(update)
        await self.restart()
        before = len(self.api.calls)
        await self.dp.feed_update(self.bot, update)  # delivered again: the dedup makes it nothing
        again = self.api.calls[before:]
        if again:
            raise AssertionError(f"an update delivered again after a restart was handled again: {again}")
        return result

    async def _note_state(self, update: Update) -> None:
        """The conversation's state after `update`, for the suite's account of the states it went through."""
        query = update.callback_query
        event = update.message or query
        user = event.from_user if event is not None else None
        chat = update.message.chat if update.message is not None else None
        if query is not None and query.message is not None:
            chat = query.message.chat
        if user is None or chat is None:
            return
        key = StorageKey(bot_id=self.bot.id, chat_id=chat.id, user_id=user.id)
        state = await self.dp.fsm.storage.get_state(key)
        if state:
            self.states_seen.add(state)

    async def drain_outbox(
        self, until: datetime | None = None, *, advance: bool = False, wait: bool = True
    ) -> int:
        """Deliver the outbox. What is due now goes out, and the clock moves over its waits (a 429, a retry).

        A row due later stays queued unless the test asks: `until=` moves the clock up to the rows due by
        then, `advance=True` to every queued row however far. `wait=False` never moves the clock."""
        if advance:
            until = self.clock.now() + timedelta(days=3660)
        return await self.sender.drain(until=until, wait=wait)

    # -- due work (bot/due.py) ----------------------------------------------------------------------
    async def run_due(self, now: datetime | None = None) -> dict[str, object]:
        """What the scheduler runs every minute, at `now` (default: the world's clock now)."""
        from bot.due import due_context, run_due

        return await run_due(due_context(self.dp, self.bot), now or self.clock.now())

    async def tick(self, *, drain: bool = True, **delta: float) -> dict[str, object]:
        """Move the clock by `delta` (days=, hours=, minutes=), run the due work, then deliver what is due."""
        if delta:
            self.clock.advance(**delta)
        results = await self.run_due()
        if drain:
            await self.drain_outbox(wait=False)
        return results

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
        valid_from: date | None = None,
        valid_to: date | None = None,
    ) -> Chatter:
        """A roster person; linked (joined) unless told otherwise. Unit roles are held for `unit`.

        `valid_from`/`valid_to` date every role but staff (a delegation, a term)."""
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
                dated = role is not Role.STAFF
                p.roles.append(
                    PersonRole(
                        role=role.value,
                        unit_id=u.id if scoped else None,
                        valid_from=valid_from if dated else None,
                        valid_to=valid_to if dated else None,
                    )
                )
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

    async def council_member(self, name: str, unit: str = "TCHC", **kw: Any) -> Chatter:
        """A member of the emulation and commendation council (Hội đồng Thi đua – Khen thưởng)."""
        return await self.person(name, Role.STAFF, Role.COUNCIL, unit=unit, **kw)

    async def principal(self, name: str, unit: str = "BGH", **kw: Any) -> Chatter:
        return await self.person(name, Role.STAFF, Role.PRINCIPAL, unit=unit, **kw)

    async def union(self, name: str, unit: str = "CD", **kw: Any) -> Chatter:
        """The trade union's representative (Công đoàn)."""
        return await self.person(name, Role.STAFF, Role.UNION, unit=unit, **kw)

    async def finance(self, name: str, unit: str = "KHTC", **kw: Any) -> Chatter:
        return await self.person(name, Role.STAFF, Role.FINANCE, unit=unit, **kw)

    async def deputy(
        self,
        name: str,
        unit: str = "TCHC",
        valid_from: date | None = None,
        valid_to: date | None = None,
        **kw: Any,
    ) -> Chatter:
        """A deputy acting for the head of `unit` between two dates (from today, for a week, by default)."""
        valid_from = valid_from or self.clock.today()
        valid_to = valid_to or valid_from + timedelta(days=7)
        return await self.person(
            name, Role.STAFF, Role.DEPUTY_HEAD, unit=unit, valid_from=valid_from, valid_to=valid_to, **kw
        )

    def outsider(self, name: str = "Người lạ", language_code: str = "vi") -> Chatter:
        return self.chatter(name, language_code=language_code)

    # -- groups and channels -----------------------------------------------------------------------
    def group(
        self,
        title: str,
        *,
        supergroup: bool = True,
        members: tuple[Chatter, ...] | list[Chatter] = (),
        admins: tuple[Chatter, ...] | list[Chatter] = (),
        owner: Chatter | None = None,
        bot: str = "member",
        **bot_rights: bool,
    ) -> Room:
        """A group (a supergroup unless `supergroup=False`) the bot is already in (`bot="left"`: not yet)."""
        n = next(self._chat_ids)
        chat_id = -(_SUPERGROUP_IDS + n) if supergroup else -(_GROUP_IDS + n)
        return self._room(
            chat_id, "supergroup" if supergroup else "group", title, members, admins, owner, bot, bot_rights
        )

    def channel(
        self,
        title: str,
        *,
        admins: tuple[Chatter, ...] | list[Chatter] = (),
        owner: Chatter | None = None,
        bot: str = "administrator",
        **bot_rights: bool,
    ) -> Room:
        """A channel where the bot is an administrator that may post (unless told otherwise)."""
        chat_id = -(_SUPERGROUP_IDS + next(self._chat_ids))
        if bot == "administrator":
            bot_rights = {"can_post_messages": True, "can_edit_messages": True, **bot_rights}
        return self._room(chat_id, "channel", title, (), admins, owner, bot, bot_rights)

    def _room(
        self,
        chat_id: int,
        kind: str,
        title: str,
        members: Any,
        admins: Any,
        owner: Chatter | None,
        bot: str,
        bot_rights: dict[str, bool],
    ) -> Room:
        info = ChatInfo(chat_id, kind, title=title, bot=Membership(self.api.bot_user, bot, dict(bot_rights)))
        for c in members:
            info.members[c.id] = Membership(c.user_json(), "member")
        for c in admins:
            info.members[c.id] = Membership(c.user_json(), "administrator")
        if owner is not None:
            info.members[owner.id] = Membership(owner.user_json(), "creator")
        self.api.register_chat(info)
        room = Room(self, info)
        self.rooms[chat_id] = room
        return room

    # -- plans --------------------------------------------------------------------------------------
    async def load_plan(self, path: str | Path) -> Any:
        """Load a plan file as `thidua plan load` does: the loader, then PlanService.load, one transaction."""
        from bot.context import Ctx
        from bot.plan.loader import parse_plan
        from bot.services.plan import PlanService
        from storage.uow import UnitOfWork

        path = Path(path)
        if not path.is_absolute() and not path.exists():
            path = ROOT / path
        text = path.read_text(encoding="utf-8")
        parsed = parse_plan(text, str(path))
        async with UnitOfWork(self.sessionmaker) as uow:
            return await PlanService(Ctx(uow, self.clock, self.dp["identity"], self.settings)).load(
                parsed, text, path
            )

    # -- the database -------------------------------------------------------------------------------
    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as s:
            yield s

    async def rows(self, model: Any, *where: Any) -> list[Any]:
        """The rows of `model` matching `where`, in the order they were written (PostgreSQL has no other)."""
        async with self.session() as s:
            stmt = select(model).where(*where).order_by(*sa_inspect(model).primary_key)
            return list((await s.scalars(stmt)).all())

    async def close(self) -> None:
        await self.dp.fsm.storage.close()
        await self.bot.session.close()
        missing, self.api.unimplemented = self.api.unimplemented, []
        if missing:
            raise AssertionError(f"the bot called Bot API methods the fake does not implement: {missing}")


class _Sees:
    """What a chat shows of the bot's messages."""

    world: World
    id: int

    def messages(self) -> list[Sent]:
        return self.world.api.sent_to(self.id)

    def _last_with_buttons(self) -> Sent | None:
        for sent in reversed(self.messages()):
            if sent.markup:
                return sent
        return None

    def last(self) -> Sent:
        msgs = self.messages()
        assert msgs, f"{self} has received nothing"
        return msgs[-1]

    def last_text(self) -> str:
        return self.last().text or ""

    def texts(self) -> list[str]:
        return [m.text or "" for m in self.messages()]

    def buttons(self) -> list[str]:
        sent = self._last_with_buttons()
        return [text for text, _ in sent.buttons()] if sent else []

    def find_button(self, label: str, exact: bool = False) -> tuple[Sent, str]:
        for sent in reversed(self.messages()):
            for text, data in sent.buttons():
                if text == label or (not exact and label.casefold() in text.casefold()):
                    return sent, data
        raise AssertionError(f"{self} shows no button {label!r}; buttons: {self.buttons()}")


class Room(_Sees):
    """A group, supergroup or channel: what the bot posted there, and the events of the bot's membership."""

    def __init__(self, world: World, info: ChatInfo) -> None:
        self.world = world
        self.info = info

    def __repr__(self) -> str:
        return f"<{self.type} {self.title!r} {self.id}>"

    @property
    def id(self) -> int:  # type: ignore[override]
        return self.info.id

    @property
    def title(self) -> str:
        return self.info.title or ""

    @property
    def type(self) -> str:
        return self.info.type

    @property
    def chat(self) -> Chat:
        return Chat(**self.info.as_chat())

    def join(self, person: Chatter, status: str = "member") -> None:
        """`person` is in the chat (no update: Telegram sends none to a bot without admin rights)."""
        self.info.members[person.id] = Membership(person.user_json(), status)

    # -- the bot's membership: my_chat_member updates ------------------------------------------------
    async def add_bot(self, by: Chatter | None = None, *, admin: bool = False, **rights: bool) -> Update:
        """Someone adds the bot (as an administrator with `rights` when `admin`)."""
        return await self._bot_becomes("administrator" if admin else "member", rights, by)

    async def promote_bot(self, by: Chatter | None = None, **rights: bool) -> Update:
        """The bot is made an administrator, e.g. `promote_bot(can_post_messages=True)`."""
        return await self._bot_becomes("administrator", rights, by)

    async def restrict_bot(self, by: Chatter | None = None, **rights: bool) -> Update:
        """The bot may no longer send (unless `can_send_messages=True`)."""
        return await self._bot_becomes("restricted", rights, by)

    async def remove_bot(self, by: Chatter | None = None) -> Update:
        """The bot is removed (banned) from the chat."""
        return await self._bot_becomes("kicked", {}, by)

    async def _bot_becomes(self, status: str, rights: dict[str, bool], by: Chatter | None) -> Update:
        old = self.info.bot or Membership(self.world.api.bot_user, "left")
        new = Membership(self.world.api.bot_user, status, dict(rights))
        actor = by or self._someone_in_charge()
        update = Update(
            update_id=self.world.next_update_id(),
            my_chat_member=member_update(self.world, self.info, actor, old, new),
        )
        self.info.bot = new
        await self.world.feed(update)
        return update

    def _someone_in_charge(self) -> Chatter:
        for uid, m in self.info.members.items():
            if m.status in ("creator", "administrator") and uid in self.world.people:
                return self.world.people[uid]
        return self.world.chatter("Quản trị nhóm")

    # -- channel posts and the supergroup upgrade ---------------------------------------------------
    async def post(self, text: str | None = None, **extra: Any) -> Update:
        """A post in the channel (by its admins), as the bot gets it: `channel_post`."""
        assert self.type == "channel", f"{self} is not a channel"
        message = Message(
            message_id=self.world.api.next_message_id(self.id),
            date=self.world.clock.now(),
            chat=self.chat,
            sender_chat=self.chat,
            text=text,
            **extra,
        )
        self.world.api.remember(message)
        update = Update(update_id=self.world.next_update_id(), channel_post=message)
        await self.world.feed(update)
        return update

    async def upgrade(self, by: Chatter | None = None) -> Room:
        """The group becomes a supergroup with a new id. The bot gets the old group's message with
        `migrate_to_chat_id`, then the new supergroup's with `migrate_from_chat_id`; from then on the fake
        answers a call on the old id with 400 and migrate_to_chat_id (aiogram's TelegramMigrateToChat)."""
        assert self.type == "group", f"{self} is not a basic group"
        actor = by or self._someone_in_charge()
        new_id = -(_SUPERGROUP_IDS + next(self.world._chat_ids))
        old_chat = self.chat
        info = self.world.api.migrate(self.id, new_id)
        new = Room(self.world, info)
        self.world.rooms[new_id] = new
        for chat, field in (
            (old_chat, {"migrate_to_chat_id": new_id}),
            (new.chat, {"migrate_from_chat_id": self.id}),
        ):
            message = Message(
                message_id=self.world.api.next_message_id(chat.id),
                date=self.world.clock.now(),
                chat=chat,
                from_user=actor.user,
                **field,
            )
            await self.world.feed(Update(update_id=self.world.next_update_id(), message=message))
        return new


def member_update(
    world: World, info: ChatInfo, actor: Chatter, old: Membership, new: Membership
) -> ChatMemberUpdated:
    return ChatMemberUpdated.model_validate(
        {
            "chat": info.as_chat(),
            "from": actor.user_json(),
            "date": world.api.now_ts(),
            "old_chat_member": old.as_json(info.type),
            "new_chat_member": new.as_json(info.type),
        }
    )


class Chatter(_Sees):
    """One person in a private chat with the bot (and in the groups they write in)."""

    def __init__(self, world: World, telegram_id: int, name: str, language_code: str = "vi") -> None:
        self.world = world
        self.id = telegram_id
        self.name = name
        self.language_code = language_code
        self.person_id: int | None = None
        self._queries: set[str] = set()  # ids of this person's callback queries
        first, _, last = name.rpartition(" ")
        self.user = User(
            id=telegram_id,
            is_bot=False,
            first_name=last or name,
            last_name=first or None,
            language_code=language_code,
        )
        self.chat = Chat(id=telegram_id, type="private", first_name=self.user.first_name)
        world.api.register_chat(
            ChatInfo(telegram_id, "private", first_name=self.user.first_name, last_name=self.user.last_name)
        )

    def __repr__(self) -> str:
        return self.name

    def user_json(self) -> dict[str, Any]:
        return self.user.model_dump(exclude_none=True)

    # -- building and sending updates ---------------------------------------------------------------
    def message_update(self, text: str | None = None, **extra: Any) -> Update:
        chat = extra.pop("chat", self.chat)
        msg = Message(
            message_id=self.world.api.next_message_id(chat.id),
            date=self.world.clock.now(),
            chat=chat,
            from_user=self.user,
            text=text,
            **extra,
        )
        return Update(update_id=self.world.next_update_id(), message=msg)

    async def send(self, text: str) -> Update:
        update = self.message_update(text)
        await self.world.feed(update)
        return update

    async def send_in(self, room: Room, text: str | None = None, **extra: Any) -> Update:
        """A message from this person in a group (they are a member from now on)."""
        if room.info.members.get(self.id) is None or not room.info.members[self.id].present:
            room.join(self)
        update = self.message_update(text, chat=room.chat, **extra)
        await self.world.feed(update)
        return update

    async def send_document(
        self,
        file_name: str,
        mime_type: str,
        size: int | None = None,
        caption: str | None = None,
        *,
        data: bytes | None = None,
        room: Room | None = None,
    ) -> Update:
        stored = self.world.api.add_file(
            data, "document", size=size, file_name=file_name, mime_type=mime_type
        )
        doc = Document(
            file_id=stored.file_id,
            file_unique_id=stored.file_unique_id,
            file_name=file_name,
            mime_type=mime_type,
            file_size=stored.size,
        )
        return await self._send_media(room, document=doc, caption=caption)

    def photo_sizes(self, size: int = 50_000, data: bytes | None = None) -> list[PhotoSize]:
        """A photo as Telegram gives it: a thumbnail and the full size, each its own file, largest last."""
        api = self.world.api
        full = api.add_file(data, "photo", size=None if data is not None else size)
        thumb = api.add_file(b"thumb " + full.file_unique_id.encode(), "photo")
        return [
            PhotoSize(
                file_id=thumb.file_id,
                file_unique_id=thumb.file_unique_id,
                width=90,
                height=68,
                file_size=thumb.size,
            ),
            PhotoSize(
                file_id=full.file_id,
                file_unique_id=full.file_unique_id,
                width=1280,
                height=960,
                file_size=full.size,
            ),
        ]

    async def send_photo(
        self,
        size: int = 50_000,
        caption: str | None = None,
        *,
        data: bytes | None = None,
        room: Room | None = None,
        media_group_id: str | None = None,
    ) -> Update:
        return await self._send_media(
            room, photo=self.photo_sizes(size, data), caption=caption, media_group_id=media_group_id
        )

    async def send_album(
        self,
        n: int = 3,
        caption: str | None = None,
        *,
        data: list[bytes] | None = None,
        room: Room | None = None,
    ) -> list[Update]:
        """`n` photos sent together: one update each, sharing a media_group_id; the caption on the first."""
        assert 2 <= n <= 10, "an album holds 2 to 10 items"
        group_id = f"{self.id}{next(self.world.api._albums):06d}"
        updates = []
        for i in range(n):
            updates.append(
                await self.send_photo(
                    caption=caption if i == 0 else None,
                    data=data[i] if data else None,
                    room=room,
                    media_group_id=group_id,
                )
            )
        return updates

    async def _send_media(self, room: Room | None, **fields: Any) -> Update:
        fields = {k: v for k, v in fields.items() if v is not None}
        if room is not None:
            return await self.send_in(room, None, **fields)
        update = self.message_update(None, **fields)
        await self.world.feed(update)
        return update

    def file(self, file_id: str) -> StoredFile:
        return self.world.api.files[file_id]

    async def block_bot(self) -> Update:
        """The person blocks the bot: a private my_chat_member "kicked"; sends to them now answer 403."""
        update = self._private_member_update("member", "kicked")
        self.world.api.chat_info(self.id).blocked = True
        await self.world.feed(update)
        return update

    async def unblock_bot(self) -> Update:
        """The person unblocks the bot (restarts it): a private my_chat_member "member"."""
        update = self._private_member_update("kicked", "member")
        self.world.api.chat_info(self.id).blocked = False
        self.world.api.unblock(self.id)
        await self.world.feed(update)
        return update

    def _private_member_update(self, old: str, new: str) -> Update:
        info = self.world.api.chat_info(self.id)
        bot = self.world.api.bot_user
        change = member_update(self.world, info, self, Membership(bot, old), Membership(bot, new))
        return Update(update_id=self.world.next_update_id(), my_chat_member=change)

    def callback_update(self, data: str, message: Sent | None = None) -> Update:
        sent = message or self._last_with_buttons()
        chat = self.chat
        if sent is not None and sent.chat_id != self.id:
            chat = Chat(**self.world.api.chat_info(sent.chat_id).as_chat())
        # the message as Telegram gives it back: its visible text and entities, not the HTML the bot sent
        text, entities = as_received(sent.text if sent else "")
        body: dict[str, Any] = {"text": text, "entities": entities or None}
        if sent is not None and sent.kind in ("photo", "document"):
            body = {"caption": text, "caption_entities": entities or None}
        msg = Message(
            message_id=sent.message_id if sent else 1,
            date=sent.date if sent and sent.date else self.world.clock.now(),
            chat=chat,
            from_user=User(id=self.world.api.bot_id, is_bot=True, first_name="Thi đua"),
            reply_markup=sent.markup if sent else None,
            **body,
        )
        query_id = f"cq{self.world.next_update_id()}"
        self._queries.add(query_id)
        self.world.api.callback_queries[query_id] = self.id
        query = CallbackQuery(
            id=query_id,
            from_user=self.user,
            chat_instance=f"ci{chat.id}",
            message=msg,
            data=data,
        )
        return Update(update_id=self.world.next_update_id(), callback_query=query)

    async def click(self, label: str, *, exact: bool = False) -> Update:
        """Press the button whose text is (or contains) `label` on the newest message that has it."""
        sent, data = self.find_button(label, exact)
        update = self.callback_update(data, sent)
        await self.world.feed(update)
        return update

    async def click_in(self, room: Room, label: str, *, exact: bool = False) -> Update:
        """Press a button on the bot's newest message in a group that has it."""
        sent, data = room.find_button(label, exact)
        update = self.callback_update(data, sent)
        await self.world.feed(update)
        return update

    async def press(self, data: str) -> Update:
        """Send raw callback data: a forged or stale press."""
        update = self.callback_update(data)
        await self.world.feed(update)
        return update

    # -- what the person sees ----------------------------------------------------------------------
    def alerts(self) -> list[str]:
        """Texts of the answers to this person's button presses (not to anyone else's)."""
        return [
            call.params["text"]
            for call in self.world.api.calls_of("answerCallbackQuery")
            if call.params.get("callback_query_id") in self._queries and call.params.get("text")
        ]

    def key(self) -> StorageKey:
        return StorageKey(bot_id=self.world.bot.id, chat_id=self.id, user_id=self.id)

    async def state(self) -> str | None:
        return await self.world.dp.fsm.storage.get_state(self.key())

    async def data(self) -> dict[str, Any]:
        return await self.world.dp.fsm.storage.get_data(self.key())
