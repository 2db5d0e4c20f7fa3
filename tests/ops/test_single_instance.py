"""Without REDIS_URL the FSM, the chat's lock and the dedup live in one process: a second instance on the same
PostgreSQL is refused at start, with a message that says to set REDIS_URL (issue 22)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import Settings
from bot.leader import SecondInstance, single_instance


def settings_of(url: str, **kw: object) -> Settings:
    return Settings(_env_file=None, database_url=url, **kw)


async def test_a_second_instance_without_redis_is_refused(pg_db):
    first = await single_instance(settings_of(pg_db))
    try:
        with pytest.raises(SecondInstance):
            await single_instance(settings_of(pg_db))
    finally:
        await first.release()
    again = await single_instance(settings_of(pg_db))  # the first one stopped: the next may start
    assert again is not None
    await again.release()


async def test_with_redis_any_number_of_instances_start(pg_db):
    redis = "redis://127.0.0.1:6379/0"
    assert await single_instance(settings_of(pg_db, redis_url=redis)) is None
    assert await single_instance(settings_of(pg_db, redis_url=redis)) is None


async def test_sqlite_takes_no_lock(tmp_path):
    assert await single_instance(settings_of(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")) is None


async def test_thidua_run_says_to_set_redis_url_and_starts_nothing(pg_db):
    first = await single_instance(settings_of(pg_db))
    env = {
        "DATABASE_URL": pg_db,
        "REDIS_URL": "",
        "BOT_TOKEN": "123456:TEST",
        "TELEGRAM_API_URL": "http://127.0.0.1:1",  # never reached: the refusal comes first
        "METRICS_LISTEN": "",
        "WEBHOOK_URL": "",
    }
    try:
        result = await _invoke(["--lang", "en", "run", "--polling"], env)
    finally:
        await first.release()
    assert result.exit_code == 1
    assert "Another instance of the bot is running on this PostgreSQL database" in result.output
    assert "set REDIS_URL" in result.output


async def _invoke(args: list[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    import asyncio

    return await asyncio.to_thread(CliRunner().invoke, main, args, env=env)
