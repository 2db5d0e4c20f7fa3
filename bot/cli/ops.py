"""`thidua backup` and `thidua restore` (issue 22): SQLite's online backup; PostgreSQL is pg_dump's."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import click

from bot.cli.common import CliError, say
from bot.config import Settings


def register(main: click.Group) -> None:
    main.add_command(backup_cmd)
    main.add_command(restore_cmd)


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(n // 1024, 1)} KB"


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path), required=False)
def backup_cmd(target: Path | None) -> None:
    """Copy the SQLite database to TARGET (default: backups/thidua-YYYYMMDD-HHMMSS.db) while the bot runs."""
    from bot.backup import BackupError, backup

    settings = Settings()
    target = target or Path("backups") / f"thidua-{datetime.now():%Y%m%d-%H%M%S}.db"
    try:
        copied = asyncio.run(backup(settings.database_url, target))
    except BackupError as e:
        raise CliError(say(e.key, **e.params)) from None
    click.echo(say("cli-backup-done", path=str(copied.path), size=_size(copied.size)))
    if copied.ballots_sealed:
        from bot.cli.common import cli_locale
        from bot.i18n import tn

        warning = tn("cli-backup-ballots", copied.ballots_sealed, locale=cli_locale())
        click.echo(click.style(warning, fg="yellow"), err=True)


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_cmd(source: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup SOURCE (stop the bot first); the current database is
    kept beside it as <database>.before-restore-YYYYMMDD-HHMMSS.db."""
    from bot.backup import BackupError, check, restore, sqlite_path

    settings = Settings()
    try:
        current = sqlite_path(settings.database_url)
        if source.exists():
            check(source)  # a damaged or foreign file is refused before anything is asked
    except BackupError as e:
        raise CliError(say(e.key, **e.params)) from None
    if not yes:
        click.confirm(say("cli-restore-confirm", path=str(current), source=str(source)), abort=True)
    keep = current.with_name(f"{current.stem}.before-restore-{datetime.now():%Y%m%d-%H%M%S}.db")
    keep = keep if current.exists() else None
    try:
        restored = asyncio.run(restore(settings.database_url, source, keep))
    except BackupError as e:
        raise CliError(say(e.key, **e.params)) from None
    if keep is None:
        click.echo(say("cli-restore-done-fresh", path=str(restored.path), source=str(source)))
    else:
        click.echo(say("cli-restore-done", path=str(restored.path), source=str(source), kept=str(keep)))
