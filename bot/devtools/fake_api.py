"""An in-process fake of the Bot API, for the tests and the offline console.

`FakeTelegram` is an aiogram `BaseSession`: the real Bot sends real method objects to it, and it
answers like Telegram does, as JSON run through aiogram's own response checking. It records every
request, keeps each chat's messages (so a button can be pressed later), enforces Telegram's limits
(4096 characters, 64-byte callback data, captions of 1024, albums of 2–10) and fails on demand (429,
403, 400, 5xx). Lengths are counted as Telegram counts them: the visible text after the HTML is parsed (a
malformed post answers "can't parse entities"), in UTF-16 code units. On request (`enforce_limits`) it
enforces Telegram's flood limits and injects 429s, 500s and blocked chats (bot/devtools/ratelimit.py).

It knows chats (private, group, supergroup, channel) with the bot's membership and rights in each, so a
send to a chat the bot left answers 403, a send to a group upgraded to a supergroup answers 400 with
`migrate_to_chat_id`, and a channel post needs the right to post. It keeps files (what people sent, what
the bot uploaded) by `file_id`, so `getFile` and a download return the bytes. Dates come from the clock
it is given (the world's fake clock). A method it does not implement raises `NotInFake`, naming it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import defaultdict
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import InlineKeyboardMarkup, InputFile, Message

from bot.clock import Clock
from bot.devtools.ratelimit import COUNTED, SENDS, FloodControl
from bot.tghtml import HtmlError, utf16_len, visible_length

BOT_ID = 7_000_000_001
BOT_USERNAME = "thidua_test_bot"
BOT_NAME = "Thi đua"
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files
# pydantic caches the generic `Response[Message]` weakly: each full garbage collection freed it and the next
# answer built the class again (7 ms and more each time). The fake keeps every one it has used alive.
_RESPONSE_TYPES: dict[Any, Any] = {}

# The methods the fake answers. Anything else raises NotInFake: add it here and in `_answer`.
IMPLEMENTED = COUNTED | frozenset(
    {
        "getMe",
        "getUpdates",
        "deleteMessage",
        "answerCallbackQuery",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "sendChatAction",
        "getChat",
        "getChatMember",
        "getChatAdministrators",
        "leaveChat",
        "getFile",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
    }
)

# A bot promoted to administrator without naming rights gets these (a channel's adds posting and editing).
ADMIN_RIGHTS = {
    "can_manage_chat": True,
    "can_delete_messages": False,
    "can_manage_video_chats": False,
    "can_restrict_members": False,
    "can_promote_members": False,
    "can_change_info": False,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_send_welcome_messages": False,
}
RESTRICTED_RIGHTS = {
    "can_send_messages": False,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
    "can_react_to_messages": False,
    "can_edit_tag": False,
    "can_change_info": False,
    "can_invite_users": False,
    "can_pin_messages": False,
    "can_manage_topics": False,
}


class NotInFake(Exception):
    """The code called a Bot API method the fake does not implement."""

    def __init__(self, method: str) -> None:
        super().__init__(f"FakeTelegram does not implement {method}: add it to bot/devtools/fake_api.py")
        self.method = method


@dataclass
class Sent:
    """One message as the chat shows it now (edits applied)."""

    chat_id: int
    message_id: int
    text: str | None
    markup: InlineKeyboardMarkup | None = None
    kind: str = "text"  # text | document | photo
    file_id: str | None = None
    file_name: str | None = None
    deleted: bool = False
    file_unique_id: str | None = None
    media_group_id: str | None = None
    date: datetime | None = None
    forwarded_from: int | None = None  # the chat a forward came from
    copied_from: tuple[int, int] | None = None  # (chat id, message id) a copy was made of

    def buttons(self) -> list[tuple[str, str]]:
        if not self.markup:
            return []
        return [(b.text, b.callback_data or b.url or "") for row in self.markup.inline_keyboard for b in row]


@dataclass
class StoredFile:
    """A file Telegram keeps: sent by a person or uploaded by the bot."""

    file_id: str
    file_unique_id: str
    kind: str  # photo | document
    size: int
    data: bytes | None = None  # None: a file of `size` bytes whose content no test cares about
    file_name: str | None = None
    mime_type: str | None = None
    path: str = ""

    def content(self) -> bytes:
        return self.data if self.data is not None else b"\0" * self.size


@dataclass
class Membership:
    """Someone's place in a chat, as getChatMember tells it."""

    user: dict[str, Any]
    status: str = "member"  # creator | administrator | member | restricted | left | kicked
    rights: dict[str, bool] = field(default_factory=dict)

    def as_json(self, chat_type: str) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "user": self.user}
        if self.status == "creator":
            out["is_anonymous"] = False
        elif self.status == "administrator":
            defaults = dict(ADMIN_RIGHTS)
            if chat_type == "channel":
                defaults |= {"can_post_messages": False, "can_edit_messages": False}
            else:
                defaults["can_pin_messages"] = False
            out |= {"can_be_edited": False, "is_anonymous": False, **defaults, **self.rights}
        elif self.status == "restricted":
            out |= {"is_member": True, **RESTRICTED_RIGHTS, **self.rights, "until_date": 0}
        elif self.status == "kicked":
            out["until_date"] = 0
        return out

    @property
    def present(self) -> bool:
        return self.status in ("creator", "administrator", "member") or (
            self.status == "restricted" and self.rights.get("is_member", True)
        )


@dataclass
class ChatInfo:
    """A chat the fake knows: its type and title, who is in it, and the bot's place there."""

    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    bot: Membership | None = None  # set for groups and channels
    members: dict[int, Membership] = field(default_factory=dict)
    migrated_to: int | None = None
    blocked: bool = False  # private: the person blocked the bot

    def as_chat(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "last_name", "username"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    def full_info(self) -> dict[str, Any]:
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **self.as_chat(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }


NETWORK = 0  # a Failure's status for a request that never reaches Telegram


@dataclass
class Failure:
    method: str  # e.g. "sendMessage", or "*" for any
    chat_id: int | None
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1
    migrate_to_chat_id: int | None = None


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    obj: TelegramMethod[Any] = field(repr=False)


class FakeTelegram(BaseSession):
    def __init__(
        self, bot_id: int = BOT_ID, username: str = BOT_USERNAME, clock: Clock | None = None
    ) -> None:
        super().__init__()
        self.bot_id = bot_id
        self.username = username
        self.clock = clock or Clock()
        self.calls: list[Call] = []
        self.chats: dict[int, list[Sent]] = defaultdict(list)
        self.known: dict[int, ChatInfo] = {}  # chats registered by the harness
        self.received: dict[tuple[int, int], Message] = {}  # people's messages, for copies and forwards
        self.files: dict[str, StoredFile] = {}
        self.uploads: dict[str, bytes] = {}  # file id -> bytes the bot uploaded
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope (json) -> the menu set there
        self.left: list[int] = []  # chats the bot left (leaveChat), in order
        self.callback_queries: dict[str, int] = {}  # query id -> user id, as the harness sent them
        self.answered: set[str] = set()
        self.unimplemented: list[str] = []  # methods called that the fake does not implement
        self._ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._files = itertools.count(1)
        self._albums = itertools.count(1)
        self.failures: list[Failure] = []
        self.limits: FloodControl | None = None  # Telegram's flood control, when a test turns it on
        self.webhook: dict[str, Any] | None = None  # setWebhook's parameters while one is set

    @property
    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": BOT_NAME, "username": self.username}

    def now_ts(self) -> int:
        return int(self.clock.now().timestamp())

    # -- programming failures ---------------------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int,
        description: str,
        chat_id: int | None = None,
        retry_after: int | None = None,
        times: int = 1,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        self.failures.append(
            Failure(method, chat_id, status, description, retry_after, times, migrate_to_chat_id)
        )

    def flood(self, chat_id: int | None = None, retry_after: int = 3, times: int = 1) -> None:
        self.fail("*", 429, f"Too Many Requests: retry after {retry_after}", chat_id, retry_after, times)

    def block(self, chat_id: int) -> None:
        self.fail("*", 403, "Forbidden: bot was blocked by the user", chat_id, times=10**9)

    def unblock(self, chat_id: int) -> None:
        """The person unblocked the bot: drop what `block` programmed."""
        self.failures = [f for f in self.failures if not (f.chat_id == chat_id and f.status == 403)]

    def server_error(self, chat_id: int | None = None, times: int = 1) -> None:
        self.fail("*", 500, "Internal Server Error", chat_id, times=times)

    def network_error(self, chat_id: int | None = None, times: int = 1) -> None:
        """The request never reaches Telegram (a timeout, a dropped connection): aiogram's network error."""
        self.fail("*", NETWORK, "Request timeout error", chat_id, times=times)

    def enforce_limits(self, now: Callable[[], float] | None = None, **options: Any) -> FloodControl:
        """Turn on Telegram's flood control (off by default): the windows, and injected 429/500/403.

        Options as FloodControl's (flood=0.05, errors=0.02, blocked={...}, retry_after=1, seed=...). Time is
        this fake's clock unless `now` is given (the bench's monotonic clock)."""
        self.limits = FloodControl(now or (lambda: self.clock.now().timestamp()), **options)
        return self.limits

    def _failure_for(self, name: str, chat_id: int | None) -> Failure | None:
        for f in self.failures:
            if f.times > 0 and f.method in ("*", name) and (f.chat_id is None or f.chat_id == chat_id):
                f.times -= 1
                return f
        return None

    # -- chats and files the harness registers ------------------------------------------------------
    def register_chat(self, info: ChatInfo) -> ChatInfo:
        self.known[info.id] = info
        return info

    def chat_info(self, chat_id: int) -> ChatInfo:
        info = self.known.get(chat_id)
        if info is None:  # a chat nobody registered: private for a positive id, else a supergroup
            if chat_id > 0:
                info = ChatInfo(chat_id, "private", first_name=f"user{chat_id}")
            else:
                info = ChatInfo(chat_id, "supergroup", title=f"group{chat_id}", bot=Membership(self.bot_user))
        return info

    def migrate(self, old_id: int, new_id: int) -> ChatInfo:
        """A group becomes a supergroup: the old id answers 400 with migrate_to_chat_id from now on."""
        old = self.chat_info(old_id)
        new = ChatInfo(new_id, "supergroup", title=old.title, bot=old.bot, members=dict(old.members))
        old.migrated_to = new_id
        return self.register_chat(new)

    def add_file(
        self,
        data: bytes | None = None,
        kind: str = "photo",
        *,
        size: int | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Keep a file under a new file_id. The file_unique_id follows the content, as Telegram's does."""
        n = next(self._files)
        if data is None and size is None:
            data = f"{kind}-{n}".encode()
        size = len(data) if data is not None else (size or 0)
        digest = hashlib.sha256(data if data is not None else f"{kind}-{n}-{size}".encode()).hexdigest()
        stored = StoredFile(
            file_id=f"{kind.upper()}{n}-{digest[:8]}",
            file_unique_id=f"U{digest[:16]}",
            kind=kind,
            size=size,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            path=f"{kind}s/file_{n}",
        )
        self.files[stored.file_id] = stored
        return stored

    def file_bytes(self, file_id: str) -> bytes:
        return self.files[file_id].content()

    def remember(self, message: Message) -> None:
        """A person's message, so the bot can copy or forward it."""
        self.received[(message.chat.id, message.message_id)] = message

    def next_message_id(self, chat_id: int) -> int:
        return next(self._ids[chat_id])

    # -- reading what happened --------------------------------------------------------------------
    def sent_to(self, chat_id: int) -> list[Sent]:
        return [m for m in self.chats[chat_id] if not m.deleted]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def reset_calls(self) -> None:
        self.calls.clear()

    # -- the session --------------------------------------------------------------------------------
    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        # aiogram downloads from {server}/file/bot{token}/{file_path}
        path = url.rpartition("/file/bot")[2].partition("/")[2]
        for stored in self.files.values():
            if stored.path == path:
                data = stored.content()
                for i in range(0, len(data), chunk_size):
                    yield data[i : i + chunk_size]
                return
        raise FileNotFoundError(f"FakeTelegram has no file at {path!r}")

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        name = method.__api_method__
        params = method.model_dump(exclude_none=True)
        self.calls.append(Call(name, params, method))
        if name not in IMPLEMENTED:
            self.unimplemented.append(name)
            raise NotInFake(name)
        chat_id = params.get("chat_id")
        chat_id = chat_id if isinstance(chat_id, int) else None
        refusal = self.limits.check(name, chat_id) if self.limits is not None else None
        if refusal is not None:
            return self._error(bot, method, refusal.status, refusal.description, refusal.retry_after)
        failure = self._failure_for(name, chat_id)
        if failure is not None:
            f = failure
            if f.status == NETWORK:
                raise TelegramNetworkError(method, f.description)
            return self._error(bot, method, f.status, f.description, f.retry_after, f.migrate_to_chat_id)
        try:
            result = await self._answer(bot, name, method, params)
        except _ApiError as e:
            return self._error(bot, method, e.status, e.description, migrate_to=e.migrate_to)
        return self.check_response(bot, method, 200, json.dumps({"ok": True, "result": result})).result

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _RESPONSE_TYPES:
            _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)

    def _error(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status: int,
        description: str,
        retry_after: int | None = None,
        migrate_to: int | None = None,
    ) -> TelegramType:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        parameters: dict[str, Any] = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to is not None:
            parameters["migrate_to_chat_id"] = migrate_to
        if parameters:
            body["parameters"] = parameters
        return self.check_response(bot, method, status, json.dumps(body)).result  # raises

    # -- answers ------------------------------------------------------------------------------------
    def _chat(self, chat_id: int) -> dict[str, Any]:
        return self.chat_info(chat_id).as_chat()

    def _message(self, sent: Sent) -> dict[str, Any]:
        info = self.chat_info(sent.chat_id)
        msg: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int((sent.date or self.clock.now()).timestamp()),
            "chat": info.as_chat(),
        }
        if info.type == "channel":
            msg["sender_chat"] = info.as_chat()  # a channel post has no "from"
        else:
            msg["from"] = self.bot_user
        if sent.media_group_id:
            msg["media_group_id"] = sent.media_group_id
        if sent.forwarded_from is not None:
            origin = self.chat_info(sent.forwarded_from)
            if origin.type == "private":
                user = {"id": origin.id, "is_bot": False, "first_name": origin.first_name or str(origin.id)}
                msg["forward_origin"] = {"type": "user", "date": msg["date"], "sender_user": user}
            else:
                msg["forward_origin"] = {"type": "chat", "date": msg["date"], "sender_chat": origin.as_chat()}
        if sent.kind == "text":
            msg["text"] = sent.text or ""
        else:
            if sent.text:
                msg["caption"] = sent.text
            uid = sent.file_unique_id or f"u{sent.file_id}"
            if sent.kind == "photo":
                msg["photo"] = [
                    {"file_id": sent.file_id, "file_unique_id": uid, "width": 1280, "height": 960}
                ]
            else:
                msg["document"] = {"file_id": sent.file_id, "file_unique_id": uid}
                if sent.file_name:
                    msg["document"]["file_name"] = sent.file_name
        if sent.markup:
            msg["reply_markup"] = sent.markup.model_dump(exclude_none=True)
        return msg

    @staticmethod
    def _check_markup(markup: Any) -> InlineKeyboardMarkup | None:
        if markup is None or not isinstance(markup, InlineKeyboardMarkup):
            return None
        for row in markup.inline_keyboard:
            for b in row:
                if b.callback_data is not None and len(b.callback_data.encode()) > 64:
                    raise _BadRequest("BUTTON_DATA_INVALID")
        return markup

    async def _file(self, bot: Bot, value: Any, kind: str) -> tuple[str, str | None, str]:
        """(file_id, file_name, file_unique_id) of a file sent by id or uploaded."""
        if isinstance(value, str):
            stored = self.files.get(value)
            if stored is not None:
                return stored.file_id, stored.file_name, stored.file_unique_id
            if value.startswith(("http://", "https://")):
                raise _BadRequest("wrong file identifier/HTTP URL specified")
            return value, None, f"u{value}"  # a file id the fake never saw: taken on trust
        if not isinstance(value, InputFile):
            raise _BadRequest(f"can't parse {kind}")
        data = b"".join([chunk async for chunk in value.read(bot)])
        if not data:
            raise _BadRequest("file must be non-empty")
        stored = self.add_file(data, kind, file_name=value.filename)
        self.uploads[stored.file_id] = data
        return stored.file_id, stored.file_name, stored.file_unique_id

    def _new(self, chat_id: int, **kw: Any) -> dict[str, Any]:
        sent = Sent(chat_id=chat_id, message_id=next(self._ids[chat_id]), date=self.clock.now(), **kw)
        self.chats[chat_id].append(sent)
        return self._message(sent)

    def _find(self, chat_id: int, message_id: int, missing: str = "message to edit not found") -> Sent:
        for m in self.chats[chat_id]:
            if m.message_id == message_id and not m.deleted:
                return m
        raise _BadRequest(missing)

    def _check_access(self, name: str, chat_id: int) -> None:
        """Refuse what Telegram refuses: upgraded groups, chats the bot is not in, posting without rights."""
        info = self.known.get(chat_id)
        if info is None:
            return
        if info.migrated_to is not None:
            raise _ApiError(
                400, "Bad Request: group chat was upgraded to a supergroup chat", migrate_to=info.migrated_to
            )
        if info.type == "private":
            if info.blocked and name in SENDS | {"sendChatAction"}:
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            return
        bot = info.bot
        status = bot.status if bot is not None else "left"
        if status == "kicked":
            raise _ApiError(403, f"Forbidden: bot was kicked from the {info.type} chat")
        if status == "left" or (status == "restricted" and not bot.rights.get("is_member", True)):  # type: ignore[union-attr]
            raise _ApiError(403, f"Forbidden: bot is not a member of the {info.type} chat")
        if name not in SENDS:
            return
        if info.type == "channel":
            if status != "creator" and not (
                status == "administrator" and bot.rights.get("can_post_messages")
            ):  # type: ignore[union-attr]
                raise _BadRequest("need administrator rights in the channel chat")
        elif status == "restricted" and not bot.rights.get("can_send_messages", False):  # type: ignore[union-attr]
            raise _BadRequest("not enough rights to send text messages to the chat")

    def _caption(self, p: dict[str, Any], bot: Bot | None = None) -> str | None:
        caption = p.get("caption")
        if caption and self._length(bot, p, caption) > 1024:
            raise _BadRequest("message caption is too long")
        return caption

    @staticmethod
    def _length(bot: Bot | None, p: dict[str, Any], text: str) -> int:
        """The length Telegram counts: the visible text in UTF-16 units, once HTML is parsed (strictly)."""
        mode = p.get("parse_mode")
        if isinstance(mode, Default):
            mode = bot.default[mode.name] if bot is not None else None
        if str(getattr(mode, "value", mode) or "").lower() != "html":
            return utf16_len(text)
        try:
            return visible_length(text, strict=True)
        except HtmlError as e:
            raise _BadRequest(f"can't parse entities: {e}") from e

    async def _answer(self, bot: Bot, name: str, method: TelegramMethod[Any], p: dict[str, Any]) -> Any:
        chat_id = p.get("chat_id")
        if isinstance(chat_id, int):
            self._check_access(name, chat_id)
        from_chat = p.get("from_chat_id")
        if isinstance(from_chat, int):
            self._check_access("getChat", from_chat)
        if name == "getMe":
            return self.bot_user
        if name == "getUpdates":
            if self.webhook is not None:
                raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
            return []
        if name in ("setWebhook", "deleteWebhook", "getWebhookInfo"):
            return self._webhook(name, p)
        if name == "sendMessage":
            text = p.get("text", "")
            if not text.strip():
                raise _BadRequest("message text is empty")
            if self._length(bot, p, text) > 4096:
                raise _BadRequest("message is too long")
            return self._new(chat_id, text=text, markup=self._check_markup(method.reply_markup))
        if name in ("sendDocument", "sendPhoto"):
            caption = self._caption(p, bot)
            kind = "document" if name == "sendDocument" else "photo"
            file_id, file_name, unique = await self._file(bot, getattr(method, kind), kind)
            return self._new(
                chat_id,
                text=caption,
                kind=kind,
                file_id=file_id,
                file_name=file_name,
                file_unique_id=unique,
                markup=self._check_markup(method.reply_markup),
            )
        if name == "sendMediaGroup":
            return await self._media_group(bot, method, p)
        if name in ("copyMessage", "forwardMessage"):
            return self._copy(name, method, p)
        if name in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            sent = self._find(chat_id, p["message_id"])
            markup = self._check_markup(method.reply_markup)
            text = p.get("text", p.get("caption", sent.text))
            if name == "editMessageText" and self._length(bot, p, text or "") > 4096:
                raise _BadRequest("message is too long")
            if name == "editMessageText" and sent.kind != "text":
                raise _BadRequest("there is no text in the message to edit")
            if name == "editMessageCaption" and self._length(bot, p, text or "") > 1024:
                raise _BadRequest("message caption is too long")
            if text == sent.text and markup == sent.markup:
                raise _BadRequest(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            sent.text, sent.markup = text, markup
            return self._message(sent)
        if name == "deleteMessage":
            self._find(chat_id, p["message_id"], "message to delete not found").deleted = True
            return True
        if name == "answerCallbackQuery":
            query_id = p["callback_query_id"]
            if query_id in self.answered or (self.callback_queries and query_id not in self.callback_queries):
                raise _BadRequest("query is too old and response timeout expired or query ID is invalid")
            self.answered.add(query_id)
            if len(p.get("text") or "") > 200:
                raise _BadRequest("MESSAGE_TOO_LONG")
            return True
        if name in ("setMyCommands", "getMyCommands", "deleteMyCommands"):
            return self._commands(name, p)
        if name == "sendChatAction":
            return True
        if name == "getChat":
            return self.chat_info(chat_id).full_info()
        if name == "getChatMember":
            return self._member(chat_id, p["user_id"])
        if name == "getChatAdministrators":
            info = self.chat_info(chat_id)
            if info.type == "private":
                raise _BadRequest("there are no administrators in the private chat")
            everyone = [*info.members.values(), *([info.bot] if info.bot else [])]
            return [m.as_json(info.type) for m in everyone if m.status in ("creator", "administrator")]
        if name == "leaveChat":
            info = self.chat_info(chat_id)
            if info.type == "private":
                raise _BadRequest("chat member status can't be changed in private chats")
            info.bot = Membership(self.bot_user, "left")
            self.known[chat_id] = info
            self.left.append(chat_id)
            return True
        if name == "getFile":
            stored = self.files.get(p["file_id"])
            if stored is None:
                raise _BadRequest("wrong file_id or the file is temporarily unavailable")
            if stored.size > MAX_DOWNLOAD:
                raise _BadRequest("file is too big")
            return {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.size,
                "file_path": stored.path,
            }
        raise NotInFake(name)  # listed in IMPLEMENTED without an answer

    async def _media_group(self, bot: Bot, method: TelegramMethod[Any], p: dict[str, Any]) -> list[Any]:
        media = list(getattr(method, "media", []) or [])
        if "reply_markup" in p:
            raise _BadRequest("reply markup is not supported in media groups")  # Telegram takes none
        if len(media) > 10:
            raise _BadRequest("too many messages to send as an album")
        if len(media) < 2:
            raise _BadRequest("there must be at least 2 media in an album")
        group_id = f"album{next(self._albums)}"
        out = []
        for item in media:
            kind = item.type
            if kind not in ("photo", "document"):
                raise _BadRequest(f"the fake does not keep {kind} albums")
            caption = item.caption
            if caption and self._length(bot, {"parse_mode": item.parse_mode}, caption) > 1024:
                raise _BadRequest("message caption is too long")
            file_id, file_name, unique = await self._file(bot, item.media, kind)
            out.append(
                self._new(
                    p["chat_id"],
                    text=caption,
                    kind=kind,
                    file_id=file_id,
                    file_name=file_name,
                    file_unique_id=unique,
                    media_group_id=group_id,
                )
            )
        return out

    def _source(self, chat_id: int, message_id: int) -> Sent:
        """The message a copy or forward is made of: one a person sent, or one the bot sent."""
        message = self.received.get((chat_id, message_id))
        if message is None:
            return self._find(chat_id, message_id, "message to copy not found")
        if message.photo:
            photo = message.photo[-1]
            return Sent(
                chat_id,
                message_id,
                message.caption,
                kind="photo",
                file_id=photo.file_id,
                file_unique_id=photo.file_unique_id,
            )
        if message.document:
            doc = message.document
            return Sent(
                chat_id,
                message_id,
                message.caption,
                kind="document",
                file_id=doc.file_id,
                file_unique_id=doc.file_unique_id,
                file_name=doc.file_name,
            )
        return Sent(chat_id, message_id, message.text)

    def _copy(self, name: str, method: TelegramMethod[Any], p: dict[str, Any]) -> dict[str, Any]:
        source = self._source(p["from_chat_id"], p["message_id"])
        forward = name == "forwardMessage"
        text = source.text
        markup = None
        if not forward:
            if "caption" in p:
                text = self._caption(p)
            markup = self._check_markup(getattr(method, "reply_markup", None))
        message = self._new(
            p["chat_id"],
            text=text,
            kind=source.kind,
            file_id=source.file_id,
            file_name=source.file_name,
            file_unique_id=source.file_unique_id,
            markup=markup,
            forwarded_from=source.chat_id if forward else None,
            copied_from=None if forward else (source.chat_id, source.message_id),
        )
        return message if forward else {"message_id": message["message_id"]}

    def _webhook(self, name: str, p: dict[str, Any]) -> Any:
        if name == "setWebhook":
            if not str(p.get("url", "")).startswith("https://"):
                raise _BadRequest("bad webhook: An HTTPS URL must be provided for webhook")
            self.webhook = dict(p)
        elif name == "deleteWebhook":
            self.webhook = None
        else:
            return {
                "url": (self.webhook or {}).get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
        return True

    def _member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        info = self.chat_info(chat_id)
        if user_id == self.bot_id:
            member = info.bot or Membership(self.bot_user)
        elif info.type == "private":
            if user_id != chat_id:
                raise _BadRequest("user not found")
            member = Membership(
                {"id": user_id, "is_bot": False, "first_name": info.first_name or str(user_id)}
            )
        else:
            member = info.members.get(user_id) or Membership(
                {"id": user_id, "is_bot": False, "first_name": f"user{user_id}"}, "left"
            )
        return member.as_json(info.type)

    def _commands(self, name: str, p: dict[str, Any]) -> Any:
        key = json.dumps(
            [p.get("scope") or {"type": "default"}, p.get("language_code") or ""], sort_keys=True
        )
        if name == "setMyCommands":
            if len(p.get("commands", [])) > 100:
                raise _BadRequest("too many commands")
            self.commands[key] = list(p.get("commands", []))
            return True
        if name == "deleteMyCommands":
            self.commands.pop(key, None)
            return True
        return self.commands.get(key, [])


class _ApiError(Exception):
    def __init__(self, status: int, description: str, migrate_to: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.migrate_to = status, description, migrate_to


class _BadRequest(_ApiError):
    def __init__(self, description: str) -> None:
        super().__init__(400, f"Bad Request: {description}")
