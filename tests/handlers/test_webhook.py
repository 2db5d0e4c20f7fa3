"""Webhook mode (issue 22, M19): the secret token, the update handled before the answer, a retry once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message, Update
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner
from pydantic import SecretStr

from bot.cli import main
from bot.clock import FakeClock
from bot.context import Ctx
from bot.devtools.harness import Chatter, World
from bot.services.audit import Audit
from bot.webhook import SECRET_HEADER, register_webhook, remove_webhook, webhook_app
from storage.db import make_engine
from storage.models import AuditEntry
from tests.conftest import make_settings

SECRET = "s3cret-token_for-the-webhook-tests"
URL = "https://thidua.example.edu.vn/tg/hook"


def webhook_settings(world: World) -> Any:
    return world.settings.model_copy(update={"webhook_url": URL, "webhook_secret": SecretStr(SECRET)})


def counter_router() -> Router:
    """/count: one audit row and one answer per update handled (not idempotent, unlike most commands)."""
    r = Router(name="count")

    @r.message(Command("count"))
    async def count(message: Message, ctx: Ctx) -> None:
        Audit(ctx).record("probe.counted", "probe", 1)
        await message.answer("counted")

    return r


@pytest.fixture
async def world(world_url: str, clock: FakeClock) -> AsyncIterator[World]:
    engine = make_engine(world_url)
    w = World(make_settings(world_url), engine, clock, extra_routers=(counter_router(),))
    await w.start()
    yield w
    await w.close()
    await engine.dispose()


@pytest.fixture
async def lost() -> list[int]:
    """Answers the proxy loses: while it holds n, the next request is handled but Telegram gets a 500."""
    return []


@pytest.fixture
async def client(world: World, lost: list[int]) -> AsyncIterator[TestClient]:
    @web.middleware
    async def proxy(request: web.Request, handler: Any) -> web.StreamResponse:
        response = await handler(request)
        if lost:
            lost.pop()
            return web.Response(status=500, text="bad gateway")
        return response

    app = webhook_app(world.dp, world.bot, webhook_settings(world), web.Application(middlewares=[proxy]))
    async with TestClient(TestServer(app)) as c:
        yield c


async def post(client: TestClient, update: Update, secret: str | None = SECRET) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    body = update.model_dump(mode="json", by_alias=True, exclude_none=True)
    response = await client.post("/tg/hook", json=body, headers=headers)
    return response.status


def message(world: World, who: Chatter, text: str) -> Update:
    update = who.message_update(text)
    world.api.remember(update.message)  # type: ignore[arg-type]
    return update


async def test_an_update_with_the_right_secret_is_handled_before_the_answer(world, client):
    hoa = await world.staff("Nguyễn Thị Hoa")
    assert await post(client, message(world, hoa, "/help")) == 200
    assert len(hoa.messages()) == 1, "the reply went out before the 200"


async def test_a_wrong_secret_gets_401_and_nothing_is_done(world, client):
    hoa = await world.staff("Nguyễn Thị Hoa")
    update = message(world, hoa, "/help")
    assert await post(client, update, secret="s3cret-token_for-the-webhook-test") == 401
    assert hoa.messages() == []
    # not even the update id was taken: Telegram's own post of it later is handled
    assert await post(client, update) == 200
    assert hoa.messages()


async def test_no_secret_gets_401_and_nothing_is_done(world, client):
    hoa = await world.staff("Nguyễn Thị Hoa")
    assert await post(client, message(world, hoa, "/help"), secret=None) == 401
    assert await post(client, message(world, hoa, "/help"), secret="") == 401
    assert hoa.messages() == []


async def test_an_update_retried_after_a_500_is_applied_once(world, client, lost):
    hoa = await world.staff("Nguyễn Thị Hoa")
    update = message(world, hoa, "/count")
    lost.append(1)  # the bot commits, the proxy loses the answer: Telegram sees a 500 and posts it again
    assert await post(client, update) == 500
    assert await post(client, update) == 200
    assert await post(client, update) == 200
    assert len(await world.rows(AuditEntry, AuditEntry.action == "probe.counted")) == 1
    assert hoa.texts() == ["counted"]
    assert await post(client, message(world, hoa, "/count")) == 200  # a new update is applied
    assert len(await world.rows(AuditEntry, AuditEntry.action == "probe.counted")) == 2


async def test_the_webhook_is_registered_with_the_used_update_types_and_the_secret(world):
    await register_webhook(world.dp, world.bot, webhook_settings(world))
    hook = world.api.webhook
    assert hook is not None and hook["url"] == URL and hook["secret_token"] == SECRET
    assert {"message", "callback_query", "my_chat_member"} <= set(hook["allowed_updates"])
    assert hook["allowed_updates"] == world.dp.resolve_used_update_types()
    await remove_webhook(world.bot)
    assert world.api.webhook is None


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"WEBHOOK_URL": URL, "WEBHOOK_SECRET": ""}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "http://thidua.example.edu.vn/hook", "WEBHOOK_SECRET": SECRET}, "HTTPS"),
        ({"WEBHOOK_URL": "", "WEBHOOK_SECRET": SECRET}, "WEBHOOK_URL"),
    ],
)
def test_run_webhook_refuses_to_start_without_a_url_or_a_secret(tmp_path, monkeypatch, env, says):
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("BOT_TOKEN", "7000000001:AAH-fake-token-for-tests-only-0123456789")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/t.db")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["--lang", "en", "run", "--webhook"])
    assert result.exit_code == 1, result.output
    assert says in result.output
    assert not (tmp_path / "t.db").exists(), "it refused before touching the database"
