"""`thidua` subcommands of the council's vote (issue 19): the criteria data of a school year.

    thidua grades import FILE.xlsx --year 2026-2027 [--collective]
    thidua initiatives import FILE.xlsx --year 2026-2027
    thidua discipline import FILE.xlsx --year 2026-2027
    thidua commendations import FILE.xlsx   (past years' commendations, issue 20)

Each runs in one unit of work as the system, audited; a bad row is reported by its number and nothing is
imported when any row is bad (as `thidua staff import`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from bot.cli.common import CliError, run_in_uow, say
from bot.errors import DomainError


def register(main: click.Group) -> None:
    main.add_command(grades)
    main.add_command(initiatives)
    main.add_command(discipline)
    main.add_command(commendations)


def _import(kind: str, file: Path, year: str) -> None:
    from bot.services.criteria_data import (
        CriteriaDataService,
        CriteriaFileInvalid,
        CriteriaHasBadRows,
        read_criteria_file,
    )

    try:
        rows = read_criteria_file(kind, file)
    except CriteriaFileInvalid as e:
        raise CliError(say(e.key, **e.params)) from None

    async def go(ctx: Any) -> Any:
        return await CriteriaDataService(ctx).import_rows(kind, rows, year, source_name=file.name)

    try:
        result = run_in_uow(go)
    except CriteriaHasBadRows as e:
        for p in e.problems:
            click.echo(f"  {say('people-row-problem', row=p.row, text=say(p.key, **p.params))}", err=True)
        raise CliError(say(e.key, **e.params)) from None
    except DomainError as e:
        raise CliError(say(e.key, **e.params)) from None
    click.echo(
        say(
            "criteria-import-done",
            what=say(f"criteria-kind-{kind}"),
            year=result.school_year,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    )


FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
YEAR = click.option("--year", "year", required=True, help="The school year: 2026-2027 (or 2026).")


@click.group()
def grades() -> None:
    """The staff's (or the units') evaluation grades of a school year."""


@grades.command("import")
@FILE
@YEAR
@click.option("--collective", is_flag=True, help="The units' own grades (columns: unit, grade).")
def grades_import(file: Path, year: str, collective: bool) -> None:
    """Import grades from an .xlsx: full name and unit (or HR id), and the grade."""
    _import("unit_grades" if collective else "grades", file, year)


@click.group()
def initiatives() -> None:
    """Recognised initiatives and research projects of a school year."""


@initiatives.command("import")
@FILE
@YEAR
def initiatives_import(file: Path, year: str) -> None:
    """Import from an .xlsx: full name and unit (or HR id), kind, title, scope, decision."""
    _import("initiatives", file, year)


@click.group()
def discipline() -> None:
    """Disciplinary measures of a school year."""


@discipline.command("import")
@FILE
@YEAR
def discipline_import(file: Path, year: str) -> None:
    """Import from an .xlsx: full name and unit (or HR id), the measure, its date."""
    _import("discipline", file, year)


@click.group()
def commendations() -> None:
    """Past years' commendations (before the bot), for /history and the "consecutive years" rules."""


@commendations.command("import")
@FILE
def commendations_import(file: Path) -> None:
    """Import FILE.xlsx: person (HR id, or name and unit) or unit, title, school year, decision, date."""
    from bot.services.criteria_data import CriteriaFileInvalid, CriteriaHasBadRows
    from bot.services.decisions.imported import CommendationImport, read_commendations_file

    try:
        rows = read_commendations_file(file)
    except CriteriaFileInvalid as e:
        raise CliError(say(e.key, **e.params)) from None

    async def go(ctx: Any) -> Any:
        return await CommendationImport(ctx).import_rows(rows, source_name=file.name)

    try:
        result = run_in_uow(go)
    except CriteriaHasBadRows as e:
        for p in e.problems:
            click.echo(f"  {say('people-row-problem', row=p.row, text=say(p.key, **p.params))}", err=True)
        raise CliError(say(e.key, **e.params)) from None
    click.echo(say("commendations-import-done", created=result.created, unchanged=result.unchanged))
