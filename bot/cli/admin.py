"""`thidua admin add` (the first admin) and `thidua console` (the offline console)."""

from __future__ import annotations

import asyncio

import click

from bot.config import Settings
from bot.errors import DomainError


def register(main: click.Group) -> None:
    main.add_command(admin)
    main.add_command(console)


@click.group()
def admin() -> None:
    """Administrators of the bot."""


@admin.command("add")
@click.argument("telegram_id", type=int)
@click.option("--name", help="Full name: creates the person, or matches one on the roster not linked yet.")
@click.option("--unit", "unit_code", help="Unit code, e.g. TCHC.")
def add(telegram_id: int, name: str | None, unit_code: str | None) -> None:
    """Make TELEGRAM_ID an admin: create or update the person, link the Telegram id, grant admin (audited)."""
    settings = Settings()
    locale = settings.default_locale or "vi"
    try:
        lines = asyncio.run(add_admin(settings, telegram_id, name, unit_code))
    except DomainError as e:
        raise click.ClickException(e.text(locale)) from None
    for line in lines:
        click.echo(line)


async def add_admin(
    settings: Settings, telegram_id: int, name: str | None, unit_code: str | None
) -> list[str]:
    """Migrate, then add the admin in one unit of work; returns the lines to print."""
    from bot.clock import Clock
    from bot.context import Ctx
    from bot.i18n import t
    from bot.identity import IdentityCache
    from bot.services.people_admin import PeopleAdminService
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import upgrade
    from storage.uow import UnitOfWork

    locale = settings.default_locale or "vi"
    await upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        uow = UnitOfWork(make_sessionmaker(engine))
        async with uow:
            ctx = Ctx(uow, Clock(settings.tz), IdentityCache(), settings)
            result = await PeopleAdminService(ctx).add_admin(telegram_id, name, unit_code)
            person = result.person
            lines = []
            if result.created:
                lines.append(t("people-admin-cli-created", locale=locale, name=person.full_name))
            elif result.linked:
                lines.append(
                    t("people-admin-cli-linked", locale=locale, name=person.full_name, tid=telegram_id)
                )
            key = "people-admin-cli-added" if result.granted else "people-admin-cli-already"
            lines.append(t(key, locale=locale, name=person.full_name, tid=telegram_id))
        return lines
    finally:
        await engine.dispose()


@click.command()
@click.option("--demo", is_flag=True, help="Load the example org, a roster and people in every role first.")
def console(demo: bool) -> None:
    """The offline console: chat with the real bot over an in-process fake Telegram (no BOT_TOKEN needed)."""
    from bot.console import run_console

    asyncio.run(run_console(Settings(), demo=demo))
