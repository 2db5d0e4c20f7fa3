"""`thidua run` and `thidua migrate`."""

from __future__ import annotations

import asyncio

import click

from bot.cli.common import CliError, say
from bot.config import Settings


def register(main: click.Group) -> None:
    main.add_command(run)
    main.add_command(migrate)


@click.command()
@click.option(
    "--webhook/--polling",
    "webhook",
    default=None,
    help="Serve Telegram's webhook at WEBHOOK_LISTEN and register it (the default when WEBHOOK_URL is set), "
    "or poll and remove it.",
)
def run(webhook: bool | None) -> None:
    """Run the bot: long polling, or the webhook. With no BOT_TOKEN, start the offline console instead
    (with the demo data when the database has no people yet)."""
    settings = Settings()
    if not settings.token:
        click.echo(click.style(say("cli-no-token-console"), fg="yellow"))
        from bot.devtools.console import run_console

        asyncio.run(run_console(settings, demo=None))
        return
    from bot.runner import mode_of, run_bot
    from bot.webhook import WebhookNotConfigured, check_webhook_settings

    mode = mode_of(settings, webhook)
    if mode == "webhook":
        try:
            check_webhook_settings(settings)
        except WebhookNotConfigured as e:
            raise CliError(say(e.key)) from None
    asyncio.run(run_bot(settings, mode))


@click.command()
def migrate() -> None:
    """Upgrade the database to the newest schema."""
    from storage.migrate import upgrade

    settings = Settings()
    asyncio.run(upgrade(settings.database_url))
    click.echo(say("cli-migrated"))
