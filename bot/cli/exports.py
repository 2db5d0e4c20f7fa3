"""`thidua export KIND [--round R] [--year Y] [--unit U] -o FILE`: a list as a file, for the operator
(issue 21).

The same kinds as /export (bot/exports/), the whole college's scope (the operator is the system), audited as
`export.requested` without a person. The file is written once the audit is committed (`.part`, renamed).
`thidua export --list` names the kinds (the documents' papers and charts too, made with --round or alone;
the certificates and the blank's grid, which need a decision or a blank, are made in chat).
Nothing here imports aiogram, nor openpyxl until the build.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from bot.cli.common import CliError, run_in_uow, say
from bot.errors import DomainError


def register(main: click.Group) -> None:
    main.add_command(export)


@click.command("export")
@click.argument("kind", required=False)
@click.option("--round", "round_code", help="The round's code in the plan, e.g. yearly-2024-2025.")
@click.option("--year", "year_code", help="The school year, e.g. 2024-2025.")
@click.option("--unit", "unit_code", help="The unit's code, e.g. KCNTT.")
@click.option(
    "-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="The file to write."
)
@click.option("--list", "list_kinds", is_flag=True, help="Name the kinds and their filters.")
def export(
    kind: str | None,
    round_code: str | None,
    year_code: str | None,
    unit_code: str | None,
    out: Path | None,
    list_kinds: bool,
) -> None:
    """Export a list (registrations, nominations, commendations, ...) as an .xlsx file."""
    import bot.exports.kinds  # noqa: F401  (registers the kinds)
    from bot.cli.common import cli_locale
    from bot.exports.registry import MENU_FILTERS, kinds
    from bot.exports.worker import file_name
    from bot.i18n import t
    from bot.services.exports import ExportService

    locale = cli_locale()
    if list_kinds or kind is None:
        for k in kinds():
            if not set(k.filters) <= set(MENU_FILTERS):  # a decision, a blank: asked for in chat only
                continue
            filters = ", ".join(f"--{name}" for name in k.filters) or "-"
            click.echo(say("export-cli-kind", name=k.name, title=t(k.title, locale=locale), filters=filters))
        if kind is None and not list_kinds:
            raise CliError(say("export-cli-need-kind"))
        return

    async def make(ctx: Any) -> tuple[str, bytes, int]:
        service = ExportService(ctx)
        export_kind, f = await service.resolve(kind, round=round_code, year=year_code, unit=unit_code)
        data, count = await service.make(export_kind, f, locale)
        service.audit_taken(export_kind, f, rows=count, size=len(data))
        return file_name(export_kind, f, ctx.clock.now().astimezone(ctx.settings.tz)), data, count

    try:
        name, data, count = run_in_uow(make)
    except DomainError as e:
        raise CliError(e.text(locale)) from None
    target = out or Path(name)
    part = target.with_name(target.name + ".part")
    part.write_bytes(data)
    os.replace(part, target)
    click.echo(say("export-cli-done", rows=count, path=str(target)))
