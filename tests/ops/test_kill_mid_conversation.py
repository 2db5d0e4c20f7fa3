"""A real kill -9 in the middle of a conversation (issue 22, the reliability suite): a bot process on SQLite,
polling a fake Telegram over HTTP, is killed right after it answered a step of /difficulty, before Telegram
heard that the update was taken; a new process gets that update again, then the next steps. The
conversation resumes where it was, the step killed after is not applied twice, and the secretaries get one
card."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.devtools.harness import World
from storage.db import make_engine
from storage.models import Difficulty
from tests.conftest import make_settings
from tests.ops.fake_http import HttpTelegram, bot_process

pytestmark = pytest.mark.timeout(300)
TEXT = "Phòng chưa nhận được mẫu báo cáo thành tích năm học 2025–2026."
STEPS = [("send", "/difficulty"), ("send", TEXT), ("click", "Bỏ qua"), ("click", "Gửi")]
# a kill costs a process start (about 8 s on CI's machine): one mid-conversation kill in CI, every step with
# THIDUA_RELIABILITY_FULL=1 (each passed on 08/12/2026)
KILLS = [0, 1, 2] if os.environ.get("THIDUA_RELIABILITY_FULL") == "1" else [1]


@dataclass
class Telegram(HttpTelegram):
    """The fake Telegram over HTTP (tests/ops/fake_http.py; an update handed to a process that dies is
    queued again by the test, as Telegram does until the offset confirms it) that also keeps messages and
    edits per chat with their buttons."""

    chats: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    answers: dict[int, int] = field(default_factory=dict)  # chat id -> messages sent and edited there

    async def answer(self, token: str, method: str, form: dict[str, str]) -> Any:
        if method not in ("sendmessage", "editmessagetext"):
            return await super().answer(token, method, form)
        chat_id = int(form["chat_id"])
        markup = json.loads(form["reply_markup"]) if form.get("reply_markup") else None
        shown = self.chats.setdefault(chat_id, [])
        self.answers[chat_id] = self.answers.get(chat_id, 0) + 1
        if method == "editmessagetext":
            for m in shown:
                if m["message_id"] == int(form["message_id"]):
                    m.update(text=form.get("text", ""), markup=markup)
                    return self._message(m)
        m = {
            "message_id": next(self._ids),
            "chat_id": chat_id,
            "text": form.get("text", ""),
            "markup": markup,
        }
        shown.append(m)
        return self._message(m)

    @staticmethod
    def _message(m: dict[str, Any]) -> dict[str, Any]:
        return {
            "message_id": m["message_id"],
            "date": int(time.time()),
            "chat": {"id": m["chat_id"], "type": "private", "first_name": "X"},
            "text": m["text"],
        }

    def texts(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.chats.get(chat_id, [])]


class Person:
    def __init__(self, tg: Telegram, user_id: int) -> None:
        self.tg, self.id = tg, user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": f"U{user_id}", "language_code": "vi"}
        self.chat = {"id": user_id, "type": "private", "first_name": self.user["first_name"]}

    def update(self, update_id: int, kind: str, arg: str) -> dict[str, Any]:
        if kind == "send":
            body = {"message_id": 10_000 + update_id, "date": int(time.time()), "chat": self.chat}
            return {"update_id": update_id, "message": {**body, "from": self.user, "text": arg}}
        for m in reversed(self.tg.chats.get(self.id, [])):  # the newest message with that button
            data = [
                b.get("callback_data")
                for row in (m["markup"] or {}).get("inline_keyboard", [])
                for b in row
                if b.get("text") == arg
            ]
            if data and data[0]:
                bot = {"id": 1, "is_bot": True, "first_name": "Thi đua"}
                message = {**Telegram._message(m), "from": bot}
                query = {"id": f"q{update_id}", "from": self.user, "chat_instance": "c", "message": message}
                return {"update_id": update_id, "callback_query": {**query, "data": data[0]}}
        raise AssertionError(f"no button {arg!r} in {self.tg.texts(self.id)}")


def start_bot(url: str, api: str, log: Path, token: str) -> subprocess.Popen[bytes]:
    return bot_process(log, DATABASE_URL=url, REDIS_URL="", BOT_TOKEN=token, TELEGRAM_API_URL=api)


async def until(predicate: Any, seconds: float, what: str) -> None:
    try:
        async with asyncio.timeout(seconds):
            while not predicate():  # noqa: ASYNC110  (another process acts: nothing to wait on)
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


@pytest.mark.parametrize("killed_after", KILLS)
async def test_a_kill_after_a_step_of_the_conversation_resumes_it_and_applies_the_step_once(
    tmp_path, killed_after
):
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    from tests.dbs import migrate_sync

    migrate_sync(url)
    engine = make_engine(url)
    world = await World(make_settings(url), engine, FakeClock()).start()
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await world.close()

    tg = await Telegram().start()
    log = tmp_path / "bot.log"
    first, second = "1:AAAAkillfirst", "1:AAAAkillsecond"  # one bot, a token per process: who polled
    proc = start_bot(url, tg.url, log, first)
    person = Person(tg, hoa.id)
    try:
        for i, (kind, arg) in enumerate(STEPS):
            before = tg.answers.get(hoa.id, 0)
            update = person.update(100 + i, kind, arg)
            tg.updates.append(update)
            await until(lambda b=before: tg.answers.get(hoa.id, 0) > b, 60, f"the answer to step {i}")
            if i == killed_after:  # answered (so committed), but the offset never confirmed
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                shown = tg.answers[hoa.id]
                proc = start_bot(url, tg.url, log, second)
                # Telegram hands it out again until a live process took it (the killed one's last long poll
                # may still be open at the fake and take it into the void)
                while tg.handed.get(update["update_id"]) != second:
                    tg.updates.append(update)
                    await until(lambda: not tg.updates, 60, "the update taken")
                skipped = f"update {update['update_id']} already handled; skipped"  # the dedup's own word
                await until(lambda s=skipped: s in log.read_text(errors="replace"), 60, "the update skipped")
                assert tg.answers[hoa.id] == shown, tg.texts(hoa.id)
        await until(lambda: any(TEXT in t for t in tg.texts(lan.id)), 60, "the card")
        assert "Đã gửi khó khăn, vướng mắc số" in tg.texts(hoa.id)[-1], tg.texts(hoa.id)
        await asyncio.sleep(0.5)
        assert sum(TEXT in t for t in tg.texts(lan.id)) == 1  # the secretary's card, once
        world = await World(make_settings(url), engine, FakeClock()).start()
        [item] = await world.rows(Difficulty)
        assert item.text == TEXT
        await world.close()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        await tg.close()
        await engine.dispose()
        print(log.read_text()[-3000:])
