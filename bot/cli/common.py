"""What the operator's commands share: their language, and running a service in one unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from bot.config import Settings

T = TypeVar("T")


def cli_locale(lang: str | None = None) -> str:
    """The messages' language: `lang` (a command's own --lang), else `thidua --lang`, else the default."""
    from bot.i18n import normalize_locale

    ctx = click.get_current_context(silent=True)
    if lang is None and ctx is not None:
        lang = ctx.find_root().params.get("lang")
    return normalize_locale(lang or Settings().default_locale)


def say(key: str, /, **params: Any) -> str:
    """The text `key` in the operator's language."""
    from bot.i18n import t

    return t(key, locale=cli_locale(), **params)


class CliError(click.ClickException):
    """A failure, shown as "Lỗi: …" / "Error: …" in the operator's language; the exit code is 1."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.locale = cli_locale()  # shown after the command's context has closed

    def show(self, file: Any = None) -> None:
        from bot.i18n import t

        text = t("cli-error", locale=self.locale, message=self.format_message())
        click.echo(text, file=file, err=True)


def run_in_uow(
    fn: Callable[[Any], Awaitable[T]], settings: Settings | None = None, *, changes_people: bool = False
) -> T:
    """Migrate, then run `fn(ctx)` in one unit of work (committed on return, rolled back on error).

    Commands run as the system: the Ctx has no actor, so audit entries carry no person. With REDIS_URL the
    running instances hear of the people the command changed (bot/identity_bus.py); a command that changes
    people or roles in bulk (`changes_people`) has them forget everyone once it committed."""
    from bot.clock import Clock
    from bot.context import Ctx
    from bot.identity import IdentityCache
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import upgrade
    from storage.uow import UnitOfWork

    settings = settings or Settings()

    async def go() -> T:
        await upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        identity, redis = IdentityCache(), None
        if settings.redis_url:
            from redis.asyncio import Redis

            from bot.identity_bus import IdentityBus

            redis = Redis.from_url(settings.redis_url)
            identity.bus = IdentityBus(redis, settings.redis_prefix)
        try:
            async with UnitOfWork(make_sessionmaker(engine)) as uow:
                result = await fn(Ctx(uow, Clock(settings.tz), identity, settings))
            if changes_people:
                identity.invalidate()
            return result
        finally:
            if identity.bus is not None:
                await identity.bus.flush()  # type: ignore[attr-defined]
            if redis is not None:
                await redis.aclose()
            await engine.dispose()

    return asyncio.run(go())
