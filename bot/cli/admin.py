"""`thidua admin add` (the first admin) and `thidua console` (the offline console)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import click

from bot.config import Settings
from bot.errors import DomainError

if TYPE_CHECKING:
    from bot.services.people_admin import AdminAdded


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
    from bot.cli.common import CliError, cli_locale, run_in_uow
    from bot.services.people_admin import PeopleAdminService

    settings = Settings()
    locale = cli_locale()

    async def add_admin(ctx: Any) -> list[str]:
        result = await PeopleAdminService(ctx).add_admin(telegram_id, name, unit_code)
        return admin_added_lines(result, telegram_id, locale)

    try:
        lines = run_in_uow(add_admin, settings, changes_people=True)
    except DomainError as e:
        raise CliError(e.text(locale)) from None
    for line in lines:
        click.echo(line)


def admin_added_lines(result: AdminAdded, telegram_id: int, locale: str) -> list[str]:
    """What `thidua admin add` prints about an AdminAdded."""
    from bot.i18n import t

    name = result.person.full_name
    lines = []
    if result.created:
        lines.append(t("people-admin-cli-created", locale=locale, name=name))
    elif result.linked:
        lines.append(t("people-admin-cli-linked", locale=locale, name=name, tid=telegram_id))
    key = "people-admin-cli-added" if result.granted else "people-admin-cli-already"
    lines.append(t(key, locale=locale, name=name, tid=telegram_id))
    return lines


@click.command()
@click.option("--demo", is_flag=True, help="Load the example org, a roster and people in every role first.")
@click.option(
    "--clock",
    "clock_at",
    metavar="WHEN",
    help="Start a fake clock at WHEN (e.g. 2026-09-05T08:00) on a throwaway database, with --demo; "
    ":tick 1d / 3h / 30m moves it.",
)
def console(demo: bool, clock_at: str | None) -> None:
    """The offline console: chat with the real bot over an in-process fake Telegram (no BOT_TOKEN needed)."""
    from bot.cli.common import CliError, say
    from bot.clock import FakeClock
    from bot.devtools.console import read_clock, run_console, throwaway_database

    settings = Settings()
    if clock_at is None:
        asyncio.run(run_console(settings, demo=demo))
        return
    if not demo:
        raise CliError(say("console-clock-needs-demo"))
    start = read_clock(clock_at, settings.tz)
    if start is None:
        raise CliError(say("console-bad-clock", value=clock_at))
    with throwaway_database(settings) as scratch:
        asyncio.run(run_console(scratch, demo=True, clock=FakeClock(start, settings.tz)))
