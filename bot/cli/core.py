"""`thidua run` and `thidua migrate`."""

from __future__ import annotations

import asyncio

import click

from bot.cli.common import say
from bot.config import Settings


def register(main: click.Group) -> None:
    main.add_command(run)
    main.add_command(migrate)


@click.command()
def run() -> None:
    """Run the bot (long polling). With no BOT_TOKEN, start the offline console instead
    (with the demo data when the database has no people yet)."""
    settings = Settings()
    if not settings.token:
        click.echo(click.style(say("cli-no-token-console"), fg="yellow"))
        from bot.devtools.console import run_console

        asyncio.run(run_console(settings, demo=None))
        return
    from bot.runner import run_polling

    asyncio.run(run_polling(settings))


@click.command()
def migrate() -> None:
    """Upgrade the database to the newest schema."""
    from storage.migrate import upgrade

    settings = Settings()
    asyncio.run(upgrade(settings.database_url))
    click.echo(say("cli-migrated"))
