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
    from bot.leader import SecondInstance

    try:
        asyncio.run(run_bot(settings, mode))
    except SecondInstance as e:
        raise CliError(say(e.key)) from None


@click.command()
def migrate() -> None:
    """Upgrade the database to the newest schema, naming the revisions applied."""
    from storage.migrate import upgrade

    settings = Settings()

    async def go() -> tuple[str | None, str | None]:
        before = await _revision(settings.database_url)
        await upgrade(settings.database_url)
        return before, await _revision(settings.database_url)

    before, after = asyncio.run(go())
    if before == after:
        click.echo(say("cli-migrated-current", revision=after or "-"))
        return
    applied = _between(before, after)
    click.echo(say("cli-migrated", n=len(applied), revisions=", ".join(applied), revision=after or "-"))


async def _revision(url: str) -> str | None:
    """The revision the database is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    from storage.db import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    finally:
        await engine.dispose()


def _between(before: str | None, after: str | None) -> list[str]:
    """The revisions after `before` up to `after`, oldest first."""
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    steps = script.iterate_revisions(after or "heads", before or "base")
    return [r.revision for r in reversed(list(steps))]
