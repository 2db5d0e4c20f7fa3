"""An in-process fake of the Bot API, for the tests and the offline console.

`FakeTelegram` is an aiogram `BaseSession`: the real Bot sends real method objects to it, and it
answers like Telegram does, as JSON run through aiogram's own response checking. It records every
request, keeps each chat's messages (so a button can be pressed later), enforces Telegram's limits
(4096 characters, 64-byte callback data, captions of 1024) and fails on demand (429, 403, 400, 5xx).
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup

BOT_ID = 7_000_000_001
BOT_USERNAME = "thidua_test_bot"


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

    def buttons(self) -> list[tuple[str, str]]:
        if not self.markup:
            return []
        return [(b.text, b.callback_data or b.url or "") for row in self.markup.inline_keyboard for b in row]


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
    def __init__(self, bot_id: int = BOT_ID, username: str = BOT_USERNAME) -> None:
        super().__init__()
        self.bot_id = bot_id
        self.username = username
        self.calls: list[Call] = []
        self.chats: dict[int, list[Sent]] = defaultdict(list)
        self._ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._files = itertools.count(1)
        self.failures: list[Failure] = []
        self.uploads: dict[str, bytes] = {}

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

    def server_error(self, chat_id: int | None = None, times: int = 1) -> None:
        self.fail("*", 500, "Internal Server Error", chat_id, times=times)

    def _failure_for(self, name: str, chat_id: int | None) -> Failure | None:
        for f in self.failures:
            if f.times > 0 and f.method in ("*", name) and (f.chat_id is None or f.chat_id == chat_id):
                f.times -= 1
                return f
        return None

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
        yield b""

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        name = method.__api_method__
        params = method.model_dump(exclude_none=True)
        self.calls.append(Call(name, params, method))
        chat_id = params.get("chat_id")
        chat_id = chat_id if isinstance(chat_id, int) else None
        failure = self._failure_for(name, chat_id)
        if failure is not None:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            given = {"retry_after": failure.retry_after, "migrate_to_chat_id": failure.migrate_to_chat_id}
            parameters = {k: v for k, v in given.items() if v is not None}
            if parameters:
                body["parameters"] = parameters
            return self.check_response(bot, method, failure.status, json.dumps(body)).result  # raises
        try:
            result = self._answer(name, method, params)
        except _BadRequest as e:
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: {e}"}
            return self.check_response(bot, method, 400, json.dumps(body)).result  # raises
        return self.check_response(bot, method, 200, json.dumps({"ok": True, "result": result})).result

    # -- answers ------------------------------------------------------------------------------------
    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"user{chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": f"group{chat_id}"}

    def _message(self, sent: Sent) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": self._chat(sent.chat_id),
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "Thi đua", "username": self.username},
        }
        if sent.kind == "text":
            msg["text"] = sent.text or ""
        else:
            if sent.text:
                msg["caption"] = sent.text
            uid = f"u{sent.file_id}"
            if sent.kind == "photo":
                msg["photo"] = [{"file_id": sent.file_id, "file_unique_id": uid, "width": 1, "height": 1}]
            else:
                msg["document"] = {
                    "file_id": sent.file_id,
                    "file_unique_id": uid,
                    "file_name": sent.file_name,
                }
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

    def _file(self, value: Any) -> tuple[str, str | None]:
        if isinstance(value, str):
            return value, None
        file_id = f"FILE{next(self._files)}"
        name = getattr(value, "filename", None)
        data = getattr(value, "data", None)
        if isinstance(data, bytes | bytearray):
            self.uploads[file_id] = bytes(data)
        return file_id, name

    def _new(self, chat_id: int, **kw: Any) -> dict[str, Any]:
        sent = Sent(chat_id=chat_id, message_id=next(self._ids[chat_id]), **kw)
        self.chats[chat_id].append(sent)
        return self._message(sent)

    def _find(self, chat_id: int, message_id: int) -> Sent:
        for m in self.chats[chat_id]:
            if m.message_id == message_id and not m.deleted:
                return m
        raise _BadRequest("message to edit not found")

    def _answer(self, name: str, method: TelegramMethod[Any], p: dict[str, Any]) -> Any:
        if name == "getMe":
            return {"id": self.bot_id, "is_bot": True, "first_name": "Thi đua", "username": self.username}
        if name == "sendMessage":
            text = p.get("text", "")
            if not text.strip():
                raise _BadRequest("message text is empty")
            if len(text) > 4096:
                raise _BadRequest("message is too long")
            return self._new(p["chat_id"], text=text, markup=self._check_markup(method.reply_markup))
        if name in ("sendDocument", "sendPhoto"):
            caption = p.get("caption")
            if caption and len(caption) > 1024:
                raise _BadRequest("message caption is too long")
            kind = "document" if name == "sendDocument" else "photo"
            file_id, file_name = self._file(getattr(method, kind))
            return self._new(
                p["chat_id"],
                text=caption,
                kind=kind,
                file_id=file_id,
                file_name=file_name,
                markup=self._check_markup(method.reply_markup),
            )
        if name in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            sent = self._find(p["chat_id"], p["message_id"])
            markup = self._check_markup(method.reply_markup)
            text = p.get("text", p.get("caption", sent.text))
            if name == "editMessageText" and len(text or "") > 4096:
                raise _BadRequest("message is too long")
            if text == sent.text and markup == sent.markup:
                raise _BadRequest(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            sent.text, sent.markup = text, markup
            return self._message(sent)
        if name == "deleteMessage":
            self._find(p["chat_id"], p["message_id"]).deleted = True
            return True
        if name == "getChat":
            return self._chat(p["chat_id"])
        if name == "getUpdates":
            return []
        return True  # answerCallbackQuery, setMyCommands, deleteMyCommands, sendChatAction, ...


class _BadRequest(Exception):
    pass
