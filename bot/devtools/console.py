"""The offline console: the real dispatcher over the in-process fake Bot API, driven from a terminal.

    thidua console --demo

You type as a person and read the bot's answers; inline buttons are numbered and pressed by their number.
`:who` lists the people, `:as N` becomes another, `:help` shows the rest. Nothing in the bot is faked: it is
`create_dispatcher()` with the configured database and the real clock; only Telegram is simulated
(bot.devtools.fake_api), and the outbox is drained after every input so messages to others show at once.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import mimetypes
import re
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import func, select

from bot.clock import Clock, FakeClock, fmt_instant
from bot.config import Settings
from bot.devtools.fake_api import Call, Sent
from bot.devtools.harness import Chatter, World
from bot.i18n import normalize_locale, t
from bot.roles import Role, role_name
from bot.text import plain
from storage.models import Person, Unit

InputFn = Callable[[str], str | Awaitable[str]]
PrintFn = Callable[[str], Any]
_MESSAGES = ("sendMessage", "sendDocument", "sendPhoto")
_EDITS = ("editMessageText", "editMessageReplyMarkup", "editMessageCaption")
DEEP_LINK = re.compile(r"https://t\.me/[A-Za-z0-9_]+\?start=(?P<payload>[A-Za-z0-9_-]+)")
COMMENT = re.compile(r"^\s*#.*$|\s{2,}#(\s.*)?$")
TICK_STEP = timedelta(days=1)  # `:tick` runs the due work at least once a day of the time it moves over


def flat_buttons(markup: InlineKeyboardMarkup | None) -> list[InlineKeyboardButton]:
    return [b for row in markup.inline_keyboard for b in row] if markup else []


def buttons_line(markup: InlineKeyboardMarkup | None) -> str:
    return "  ".join(f"[{i}] {b.text}" for i, b in enumerate(flat_buttons(markup), 1))


class Console:
    def __init__(self, world: World, print_fn: PrintFn = print, locale: str = "vi") -> None:
        self.world = world
        self.out = print_fn
        self.locale = locale
        self.people: list[Person] = []
        self.units: dict[int, Unit] = {}
        self.names: dict[int, str] = {}  # telegram id -> name, for lines about others
        self.me: Chatter | None = None
        self.by_person: dict[int, Chatter] = {}  # unlinked roster people the operator played
        self.cursor = 0
        self.seen: dict[int, int] = {}  # chat id -> how many of its messages the operator has been shown
        self.numbered: set[tuple[int, int]] = set()  # (chat id, message id) of messages shown with a number
        self.last_link: str | None = None  # the newest deep link shown (t.me/…?start=…), for :open

    def t(self, key: str, **params: Any) -> str:
        return t(key, locale=self.locale, **params)

    # -- people ---------------------------------------------------------------------------------------
    async def refresh(self) -> None:
        async with self.world.session() as s:
            self.people = list((await s.scalars(select(Person).order_by(Person.id))).all())
            self.units = {u.id: u for u in (await s.scalars(select(Unit))).all()}
        self.names.update({p.telegram_id: p.full_name for p in self.people if p.telegram_id})
        self.names.update({c.id: c.name for c in self.world.people.values() if c.id not in self.names})

    def who(self) -> None:
        if not self.people:
            self.out(self.t("console-who-empty"))
            return
        self.out(self.t("console-who-title"))
        for n, p in enumerate(self.people, 1):
            unit = self.units.get(p.unit_id) if p.unit_id else None
            roles = sorted({r.role for r in p.roles}, key=lambda r: list(Role).index(Role(r)))
            status = (
                self.t("console-inactive")
                if not p.active
                else self.t("console-joined" if p.telegram_id else "console-not-joined")
            )
            mark = "*" if self.me is not None and self._is_me(p) else " "
            labels = ", ".join(role_name(r, self.locale) for r in roles) or self.t("console-no-roles")
            self.out(f"{mark}{n:>3}. {p.full_name} — {unit.code if unit else '—'} — {labels} — {status}")

    def _is_me(self, p: Person) -> bool:
        assert self.me is not None
        return (p.telegram_id is not None and p.telegram_id == self.me.id) or self.by_person.get(
            p.id
        ) is self.me

    def act_as(self, n: int) -> None:
        if not 1 <= n <= len(self.people):
            self.out(self.t("console-bad-number", n=n))
            return
        p = self.people[n - 1]
        if p.telegram_id:
            self.me = self.world.people.get(p.telegram_id) or self.world.chatter(
                p.full_name, telegram_id=p.telegram_id, language_code=p.language
            )
            self.out(self.t("console-as", name=p.full_name))
        else:  # on the roster, not joined: a newcomer of that name, who can open an invite link
            self.me = self.by_person.get(p.id) or self.world.chatter(p.full_name, language_code=p.language)
            self.by_person[p.id] = self.me
            self.out(self.t("console-as-guest", name=p.full_name))
        self.names.setdefault(self.me.id, self.me.name)
        self.show_unseen()

    def show_unseen(self) -> None:
        """What this person received while the operator was someone else (their chat as it is now)."""
        assert self.me is not None
        messages = self.me.messages()
        unseen = messages[self.seen.get(self.me.id, 0) :]
        if unseen:
            self.out(self.t("console-while-away", count=len(unseen)))
            for sent in unseen:
                self.numbered.add((sent.chat_id, sent.message_id))
                self.print_mine(self.sent_text(sent), sent.markup, self.number_of(sent.message_id))
        self.seen[self.me.id] = len(messages)

    def sent_text(self, sent: Sent) -> str:
        text = plain(sent.text)
        if sent.kind == "document":
            text = (self.t("console-document", name=sent.file_name or "") + "\n" + text).strip()
        elif sent.kind == "photo":
            text = (self.t("console-photo") + "\n" + text).strip()
        return text

    def _sent_id(self, call: Call) -> int | None:
        """The id of the message a send to the current person made: the newest of that text not numbered
        yet (the fake keeps no result per call)."""
        assert self.me is not None
        body = call.params.get("text", call.params.get("caption"))
        for sent in self.me.messages():  # the oldest first: identical reminders are numbered in order
            if sent.text == body and (sent.chat_id, sent.message_id) not in self.numbered:
                self.numbered.add((sent.chat_id, sent.message_id))
                return sent.message_id
        for sent in reversed(self.me.messages()):  # its text changed on the way: the newest unnumbered
            if (sent.chat_id, sent.message_id) not in self.numbered:
                self.numbered.add((sent.chat_id, sent.message_id))
                return sent.message_id
        return None

    def chat_log(self) -> list[Sent]:
        """Every message the bot sent the current person, deleted ones too: numbers never shift."""
        assert self.me is not None
        return list(self.world.api.chats.get(self.me.id, []))

    def number_of(self, message_id: Any) -> int | None:
        """The message's number in the current person's chat (1: the bot's first message), for :press M.N."""
        assert self.me is not None
        ids = [m.message_id for m in self.chat_log()]
        return ids.index(message_id) + 1 if message_id in ids else None

    def print_mine(self, text: str, markup: InlineKeyboardMarkup | None, number: int | None = None) -> None:
        self.note_links(text, markup)
        self.out(text)
        if markup:
            suffix = "  " + self.t("console-message-number", n=number) if number else ""
            self.out(buttons_line(markup) + suffix)
        self.out("")

    def note_links(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Remember the newest deep link the operator was shown (in a text or on a button)."""
        urls = [m.group(0) for m in DEEP_LINK.finditer(text)]
        urls += [b.url for b in flat_buttons(markup) if b.url and DEEP_LINK.fullmatch(b.url)]
        if urls:
            self.last_link = urls[-1]

    async def open_link(self, url: str) -> None:
        """Open a deep link as the current person: Telegram sends the bot "/start PAYLOAD"."""
        match = DEEP_LINK.fullmatch(url or self.last_link or "")
        if match is None:
            self.out(self.t("console-no-link" if not url else "console-bad-link", url=url))
            return
        assert self.me is not None
        await self.me.send(f"/start {match.group('payload')}")
        await self.show()

    def newcomer(self, name: str) -> None:
        self.me = self.world.chatter(name or self.t("console-newcomer"), language_code=self.locale)
        self.names[self.me.id] = self.me.name
        self.out(self.t("console-as-guest", name=self.me.name))

    def default_person(self) -> None:
        def pick() -> int | None:
            for want in (Role.ADMIN, None):
                for n, p in enumerate(self.people, 1):
                    if p.telegram_id and p.active and (want is None or any(r.role == want for r in p.roles)):
                        return n
            return None

        n = pick()
        if n is None:
            self.newcomer("")
        else:
            self.act_as(n)

    # -- input ----------------------------------------------------------------------------------------
    async def handle(self, line: str) -> bool:
        """One line of input; False when the operator leaves. " ; " separates inputs typed on one line, and
        a "#" starts a comment (at the start of the line, or after two spaces), as in the README's trial."""
        line = COMMENT.sub("", line)
        for part in line.split(" ; "):
            if not await self.handle_one(part):
                return False
        return True

    async def handle_one(self, line: str) -> bool:
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            cmd, _, arg = line[1:].partition(" ")
            cmd, arg = cmd.lower(), arg.strip()
            if cmd in ("quit", "q", "exit"):
                self.out(self.t("console-bye"))
                return False
            if cmd == "help":
                self.out(self.t("console-help"))
            elif cmd == "who":
                await self.refresh()
                self.who()
            elif cmd == "as" and arg.isdigit():
                await self.refresh()
                self.act_as(int(arg))
            elif cmd == "new":
                self.newcomer(arg)
            elif cmd == "press" and arg.isdigit():
                await self.press(int(arg))
            elif cmd == "press" and re.fullmatch(r"\d+\.\d+", arg):
                m, _, n = arg.partition(".")
                await self.press_on(int(m), int(n))
            elif cmd in ("photo", "album", "doc", "group", "say"):
                await self.send_other(cmd, arg)
            elif cmd == "open":
                await self.open_link(arg)
            elif cmd == "tick":
                await self.tick(arg)
            else:
                self.out(self.t("console-unknown", cmd=line.split()[0]))
            return True
        if line.isdigit():
            await self.press(int(line))
            return True
        assert self.me is not None
        await self.me.send(line)
        await self.show()
        return True

    def _last_with_buttons(self) -> Sent | None:
        assert self.me is not None
        for sent in reversed(self.me.messages()):
            if sent.markup:
                return sent
        return None

    async def press_on(self, m: int, n: int) -> None:
        """Press button N of the current person's message number M (an earlier one, not only the last)."""
        messages = self.chat_log()
        if not 1 <= m <= len(messages):
            self.out(self.t("console-bad-message", m=m, count=len(messages)))
            return
        if not messages[m - 1].markup or messages[m - 1].deleted:
            self.out(self.t("console-message-no-buttons", m=m))
            return
        await self.press(n, messages[m - 1])

    async def send_other(self, cmd: str, arg: str) -> None:
        """What is not a line of text: a photo, an album, a document, the bot added to a group, or a line
        sent as it is (a digit, which alone presses a button; a line starting with ":")."""
        assert self.me is not None
        if cmd == "say":
            if not arg:
                self.out(self.t("console-say-what"))
                return
            await self.me.send(arg)
        elif cmd == "photo":
            await self.me.send_photo(caption=arg or None)
        elif cmd == "album":
            count = int(arg) if arg.isdigit() else (3 if not arg else 0)
            if not 2 <= count <= 10:
                self.out(self.t("console-bad-album", value=arg))
                return
            await self.me.send_album(count)
        elif cmd == "doc":
            name = arg or self.t("console-doc-default")
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            await self.me.send_document(name, mime, data=f"{name} (console)".encode())
        else:  # group
            if not arg:
                self.out(self.t("console-group-title"))
                return
            room = self.world.group(arg, owner=self.me, bot="left")
            self.names[room.id] = self.t("console-group", title=arg)
            self.out(self.t("console-group-added", title=arg))
            await room.add_bot(by=self.me)
        await self.show()

    async def press(self, n: int, sent: Sent | None = None) -> None:
        sent = sent or self._last_with_buttons()
        if sent is None:
            self.out(self.t("console-no-buttons"))
            return
        buttons = flat_buttons(sent.markup)
        if not 1 <= n <= len(buttons):
            self.out(self.t("console-bad-button", n=n, count=len(buttons)))
            return
        button = buttons[n - 1]
        if button.callback_data is None:
            self.note_links("", sent.markup)
            self.out(self.t("console-link", url=button.url or ""))
            return
        assert self.me is not None
        await self.world.feed(self.me.callback_update(button.callback_data, sent))
        await self.show()

    async def tick(self, arg: str) -> None:
        """`:tick` runs the due work now (what the scheduler runs every minute); `:tick 1d` / `3h` / `30m`
        moves a fake clock first, a day at a time, running the due work and the sender at each step (so a
        vote opens before it closes, and a reminder goes on its day). Then shows what the bot sent and the
        new time."""
        from bot.plan.schema import parse_offset

        clock = self.world.clock
        if arg:
            try:
                delta = parse_offset(arg)
            except ValueError:
                delta = None
            if delta is None or delta <= timedelta(0):
                self.out(self.t("console-bad-tick", value=arg))
                return
            if not isinstance(clock, FakeClock):
                self.out(self.t("console-bad-tick", value=arg))
                self.out(self.t("console-tick-real-clock"))
                return
            end = clock.now() + delta
            while clock.now() < end:
                clock.set(min(clock.now() + TICK_STEP, end))
                await self.world.run_due()
                await self.world.drain_outbox(wait=False)
        else:
            await self.world.run_due()
        await self.show()
        self.out(self.t("console-now", when=fmt_instant(clock.now(), self.locale)))

    # -- output ---------------------------------------------------------------------------------------
    async def show(self) -> None:
        """Deliver what the outbox has due now (never waiting for a later row), then print what the bot did
        since the last input."""
        await self.world.drain_outbox(wait=False)
        calls = self.world.api.calls[self.cursor :]
        self.cursor = len(self.world.api.calls)
        if any(
            c.params.get("chat_id") not in self.names
            for c in calls
            if isinstance(c.params.get("chat_id"), int)
        ):
            await self.refresh()
        for call in calls:
            self.render(call)

    def skip_output(self) -> None:
        self.cursor = len(self.world.api.calls)

    def render(self, call: Call) -> None:
        assert self.me is not None
        p = call.params
        chat_id = p.get("chat_id")
        if call.method == "answerCallbackQuery":
            if p.get("text"):
                self.out(self.t("console-alert", text=plain(p["text"])))
            return
        if call.method == "setMyCommands":
            scope = p.get("scope") or {}
            if scope.get("type") == "chat" and scope.get("chat_id") == self.me.id:
                names = " ".join("/" + c["command"] for c in p.get("commands", []))
                self.out(self.t("console-menu", commands=names))
            return
        if call.method == "leaveChat" and isinstance(chat_id, int):
            self.out(
                self.t("console-left", name=self.names.get(chat_id) or self.t("console-chat", id=chat_id))
            )
            return
        if call.method not in _MESSAGES + _EDITS or not isinstance(chat_id, int):
            return
        text = plain(p.get("text", p.get("caption")))
        if call.method == "sendDocument":
            name = getattr(getattr(call.obj, "document", None), "filename", None) or p.get("document") or ""
            text = (self.t("console-document", name=name) + "\n" + text).strip()
        elif call.method == "sendPhoto":
            text = (self.t("console-photo") + "\n" + text).strip()
        markup = getattr(call.obj, "reply_markup", None)
        markup = markup if isinstance(markup, InlineKeyboardMarkup) else None
        if call.method in _EDITS:  # the message as it now reads: a keyboard-only edit has no text of its own
            mid = p.get("message_id")
            edited = next((m for m in self.world.api.sent_to(chat_id) if m.message_id == mid), None)
            if edited is not None:
                text, markup = self.sent_text(edited), edited.markup
            text = self.t("console-edited") + " " + text
        if chat_id == self.me.id:
            mid = p.get("message_id") if call.method in _EDITS else self._sent_id(call)
            self.print_mine(text, markup, self.number_of(mid))
            self.seen[chat_id] = len(self.me.messages())
        else:
            name = self.names.get(chat_id) or self.t("console-chat", id=chat_id)
            line = self.t("console-outbox", name=name, text=text.replace("\n", " ⏎ "))
            if markup:
                line += "  " + "  ".join(f"[{b.text}]" for b in flat_buttons(markup))
            self.out(line)


class ConsoleWorld(World):
    """The world of the console. Unlike a test's, its database outlives it: update ids and newcomers'
    Telegram ids start from the time, so a second session is not taken for a replay of the first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("first_update_id", time.time_ns() // 1000)  # microseconds: far above Telegram's ids
        kwargs.setdefault("first_user_id", 200_000_000 + (int(time.time()) % 1_000_000) * 100)
        super().__init__(*args, **kwargs)


async def _read(input_fn: InputFn | None, prompt: str) -> str:
    if input_fn is None:
        return await asyncio.to_thread(input, prompt)
    try:
        value = input_fn(prompt)
    except StopIteration:  # a test's list of lines ran out
        raise EOFError from None
    if inspect.isawaitable(value):
        value = await value
    return str(value)


async def roster_is_empty(world: World) -> bool:
    async with world.session() as s:
        return not await s.scalar(select(func.count()).select_from(Person))


def with_vote_secret(settings: Settings) -> Settings:
    """The console's own VOTE_SECRET for its throwaway database when none is set (issue 19), the same on every
    run over that database, so a round opened in one session is tallied in the next."""
    if settings.vote_secret is not None and settings.vote_secret.get_secret_value():
        return settings
    import hashlib

    from pydantic import SecretStr

    derived = hashlib.sha256(b"thidua/console/" + settings.database_url.encode()).hexdigest()
    return settings.model_copy(update={"vote_secret": SecretStr(derived)})


def read_clock(text: str, tz: ZoneInfo) -> datetime | None:
    """`--clock`'s value: 2026-09-05T08:00 (or 2026-09-05, at 00:00), else as typed in the chat (08:00
    05/09/2026); local time when no offset is given."""
    from bot.clock import parse_day, parse_when

    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        day = parse_day(text)
        when = parse_when(text, tz) or (datetime(day.year, day.month, day.day) if day else None)
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=tz)


@contextmanager
def throwaway_database(settings: Settings) -> Iterator[Settings]:
    """The settings with a fresh SQLite database in a temporary folder, deleted on exit (the fake clock's:
    moving time on a real database would write the future into it)."""
    with tempfile.TemporaryDirectory(prefix="thidua-console-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'console.db'}"
        yield settings.model_copy(update={"database_url": url})


async def run_console(
    settings: Settings,
    demo: bool | None,
    *,
    input_fn: InputFn | None = None,
    print_fn: PrintFn = print,
    clock: Clock | None = None,
) -> None:
    """Run the console until :quit or the end of input. `input_fn`/`print_fn` let a test drive it.

    `demo=None` loads the demo data only into a database that has no people yet, so a real roster is
    never mixed with demo people.
    """
    from bot.devtools.demo import load_demo
    from storage.db import make_engine
    from storage.migrate import upgrade

    logging.getLogger("aiogram").setLevel(logging.WARNING)
    settings = with_vote_secret(settings)
    await upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    world = ConsoleWorld(settings, engine, clock or Clock(settings.tz))  # type: ignore[arg-type]
    await world.start()
    console = Console(world, print_fn, normalize_locale(settings.default_locale))
    try:
        print_fn(console.t("console-intro"))
        if isinstance(world.clock, FakeClock):
            print_fn(console.t("console-fake-clock", when=fmt_instant(world.clock.now(), console.locale)))
        if demo is None:
            demo = await roster_is_empty(world)
        if demo:
            units, people = await load_demo(world, world.clock)
            print_fn(console.t("console-demo-loaded", units=units, people=people))
        await console.refresh()
        console.who()
        console.default_person()
        console.skip_output()
        while True:
            assert console.me is not None
            try:
                line = await _read(input_fn, f"{console.me.name}> ")
            except (EOFError, KeyboardInterrupt):
                break
            if not await console.handle(line):
                break
    finally:
        await world.close()
        await engine.dispose()
