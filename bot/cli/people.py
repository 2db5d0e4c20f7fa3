"""`thidua` subcommands of the people feature: org load, staff import, invite create / export.

They run outside the dispatcher: each opens its own unit of work (migrating the database first),
builds a Ctx with no actor (the system) and calls the same services as the bot. Every change is
audited. Output for operators is in their language (`thidua --lang`, else the default locale); the invite
link is the LAST line of `invite create`, bare, so scripts can take it with `tail -n 1`.
"""

from __future__ import annotations

import asyncio
import html
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.cli.common import CliError, run_in_uow, say
from bot.config import Settings
from bot.errors import DomainError

T = TypeVar("T")


def register(main: click.Group) -> None:
    main.add_command(org)
    main.add_command(staff)
    main.add_command(invite)


# -- running a service -----------------------------------------------------------------------------------
def _settings() -> Settings:
    return Settings()


def _t(key: str, **params: Any) -> str:
    return say(key, **params)


def _fail(message: str, lines: list[str] = ()) -> None:  # type: ignore[assignment]
    for line in lines:
        click.echo(f"  {line}", err=True)
    raise CliError(message)


def _duration(_ctx: Any, _param: Any, value: str) -> timedelta:
    from bot.services.invites import parse_duration

    try:
        return parse_duration(value)
    except ValueError:
        raise click.BadParameter(say("cli-duration-bad")) from None


# -- thidua org load ----------------------------------------------------------------------------------------
@click.group()
def org() -> None:
    """The college's units."""


@org.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def org_load(file: Path) -> None:
    """Load units from a YAML file (idempotent: a corrected file updates in place)."""
    import yaml

    from bot.services.org import OrgFileInvalid, OrgService, read_org_file

    try:
        data = read_org_file(file)
    except yaml.YAMLError as e:
        raise CliError(yaml_message(file, e)) from None
    try:
        result = run_in_uow(lambda ctx: OrgService(ctx).load(data), changes_people=True)
    except OrgFileInvalid as e:
        lines = [_t("people-org-problem", n=n, text=_t(key, **params)) for n, key, params in e.problems]
        _fail(_t(e.key, **e.params), lines)
        return
    click.echo(
        _t(
            "people-org-loaded",
            created=len(result.created),
            updated=len(result.updated),
            unchanged=len(result.unchanged),
        )
    )


def yaml_message(file: Path, exc: Any) -> str:
    """A YAML syntax error: the file, the line of the mistake and what it is, in the operator's words."""
    from bot.yaml_errors import yaml_problem

    found = yaml_problem(exc, file.read_text(encoding="utf-8"))
    return _t("cli-yaml-invalid", file=file, line=found.line or "?", text=found.text(_locale()))


def _locale() -> str:
    from bot.cli.common import cli_locale

    return cli_locale()


# -- thidua staff import ------------------------------------------------------------------------------------
@click.group()
def staff() -> None:
    """The staff roster (people exist before they join)."""


class ColumnsHelp(click.Command):
    """`--help` ends with the columns the importer expects, in the operator's language."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_paragraph()
        for line in _t("cli-staff-columns").splitlines():
            if line.startswith("  "):  # a column: kept on its own line
                formatter.write(f"{' ' * formatter.current_indent}{line}\n")
            else:
                formatter.write_text(line)


@staff.command("import", cls=ColumnsHelp)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="Import the good rows even when some rows are bad.")
def staff_import(file: Path, skip_bad: bool) -> None:
    """Import the roster from an .xlsx or .csv HR list (re-import updates, never duplicates).

    The columns the file must have are listed below."""
    from bot.services.roster import RosterFileInvalid, RosterHasBadRows, RosterService, read_roster_file

    def row_line(p: Any) -> str:
        return _t("people-row-problem", row=p.row, text=_t(p.key, **p.params))

    try:
        rows = read_roster_file(file)
    except RosterFileInvalid as e:
        raise CliError(_t(e.key, **e.params)) from None
    try:
        result = run_in_uow(
            lambda ctx: RosterService(ctx).import_rows(rows, skip_bad=skip_bad, source_name=file.name),
            changes_people=True,
        )
    except RosterHasBadRows as e:
        _fail(_t(e.key, **e.params), [row_line(p) for p in e.problems])
        return
    if result.skipped:
        click.echo(_t("people-import-skipped"))
        for p in result.skipped:
            click.echo(f"  {row_line(p)}")
    click.echo(
        _t(
            "people-import-done",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            skipped=len(result.skipped),
        )
    )


# -- thidua invite create / export --------------------------------------------------------------------------
@click.group()
def invite() -> None:
    """Invite links (deep links that let people join)."""


async def _bot_username(given: str | None) -> str:
    """--bot-username, else BOT_USERNAME (neither imports aiogram), else getMe (needs BOT_TOKEN)."""
    settings = _settings()
    name = (given or settings.bot_username or "").strip().lstrip("@")
    if name:
        return name
    if not settings.token:
        raise CliError(_t("cli-no-token-username"))
    from bot.telegram import create_bot

    bot = create_bot(settings)
    try:
        me = await bot.get_me()
    finally:
        await bot.session.close()
    if not me.username:
        raise CliError(_t("cli-getme-no-username"))
    return me.username


async def _unit_id(ctx: Any, code: str | None) -> int | None:
    from storage.repositories.roster import RosterRepo

    if code is None:
        return None
    unit = await RosterRepo(ctx.session).unit_by_code(code) or await RosterRepo(ctx.session).unit_by_code(
        code.upper()
    )
    if unit is None:
        raise DomainError("invite-no-such-unit")
    return unit.id


def _created_text(c: Any, locale: str) -> str:
    """What `invite create` made (a `CreatedInvite`), in the operator's language (`thidua --lang`)."""
    from bot.i18n import tn
    from bot.services.invites import expires_text, role_name

    person = _t("cli-invite-person", name=c.person.full_name, id=c.person.id) if c.person else ""
    info = _t(
        "cli-invite-created",
        id=c.invite.id,
        role=role_name(c.invite.role, locale),
        unit=c.unit.code,
        person=person,
        uses=tn("invite-uses", c.invite.max_uses, locale=locale),
        expires=expires_text(c.invite),
    )
    if c.replaced:
        info += "\n" + _t("cli-invite-replaces", name=c.replaced)
    return info


def _has_head_text(e: Any) -> str:
    """A head's link where the unit has one (`UnitHasHead`): the head named, the two ways on; no HTML."""
    p = e.params
    names, unit = html.unescape(str(p["name"])), html.unescape(str(p["unit"]))
    return _t("cli-invite-unit-has-head", unit=unit, name=names, head=p["head"], head_name=p["head_name"])


@invite.command("create")
@click.option(
    "--role",
    "role",
    required=True,
    help="staff, unit_head, secretary, council, union, finance, principal, admin",
)
@click.option("--unit", "unit_code", help="Unit code (optional with --person: the person's unit).")
@click.option("--person", "person_id", type=int, help="Roster person id: a personal, single-use link.")
@click.option(
    "--expires", "ttl", default="7d", callback=_duration, show_default=True, help="e.g. 7d, 12h, 2w"
)
@click.option("--uses", default=1, show_default=True, type=int, help="How many people may join with it.")
@click.option("--bot-username", help="The bot's username (else BOT_USERNAME, else asked with getMe).")
@click.option(
    "--replaces",
    type=int,
    help="A unit head's link where the unit has one: the id of the head it replaces (one use).",
)
def invite_create(
    role: str,
    unit_code: str | None,
    person_id: int | None,
    ttl: timedelta,
    uses: int,
    bot_username: str | None,
    replaces: int | None,
) -> None:
    """Create an invite; prints the deep link as the last line. A unit head's link where the unit has a head
    is not made: the head is named, with the two ways on (--replaces, or --role staff for a deputy)."""
    from bot.roles import Role
    from bot.services.invites import InviteService, UnitHasHead, deep_link, invitable_roles, role_name

    if unit_code is None and person_id is None:
        raise click.UsageError(_t("cli-unit-or-person"))
    locale = _locale()
    valid = invitable_roles(None)  # the system may invite any of them
    if role not in {r.value for r in valid}:
        lines = "\n".join(_t("cli-role-line", code=r.value, name=role_name(r, locale)) for r in valid)
        if role in {r.value for r in Role}:  # a role, but not one an invite gives (the dated deputy)
            raise CliError(_t("cli-role-not-invitable", name=role_name(role, locale), roles=lines))
        raise CliError(_t("cli-role-unknown", role=role, roles=lines))
    username = asyncio.run(_bot_username(bot_username))

    async def create(ctx: Any) -> tuple[str, str]:
        c = await InviteService(ctx).create(
            role,
            await _unit_id(ctx, unit_code),
            person_id=person_id,
            ttl=ttl,
            max_uses=uses,
            replaces=replaces,
            warn_head=True,
        )
        return _created_text(c, locale), deep_link(username, c.token)

    try:
        info, link = run_in_uow(create)
    except UnitHasHead as e:  # as the chat warns: the head named, and the two ways on
        raise CliError(_has_head_text(e)) from None
    except DomainError as e:
        raise CliError(_t(e.key, **e.params)) from None
    click.echo(info)
    click.echo(link)


@invite.command("export")
@click.option("--unit", "unit_code", required=True, help="Unit code.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="The .xlsx to write.")
@click.option("--expires", "ttl", default="30d", callback=_duration, show_default=True)
@click.option("--bot-username", help="The bot's username (else BOT_USERNAME, else asked with getMe).")
def invite_export(unit_code: str, out: Path | None, ttl: timedelta, bot_username: str | None) -> None:
    """An .xlsx of personal single-use links for every roster person of the unit who has not joined."""
    from bot.exports.invites import write_invites_xlsx
    from bot.services.invites import InviteService, invite_rows

    username = asyncio.run(_bot_username(bot_username))
    target = out or Path(f"invites-{unit_code.upper()}.xlsx")
    locale = _settings().default_locale or "vi"

    async def export(ctx: Any) -> int:
        uid = await _unit_id(ctx, unit_code)
        assert uid is not None
        rows = await InviteService(ctx).export_unit(uid, ttl=ttl)
        if rows:
            # before the commit: no file, no links
            write_invites_xlsx(target, invite_rows(rows, username), locale=locale)
        return len(rows)

    try:
        count = run_in_uow(export)
    except DomainError as e:
        raise CliError(_t(e.key, **e.params)) from None
    if not count:
        click.echo(_t("invite-export-none"))
        return
    click.echo(_t("invite-export-done", count=count, path=target))
    click.echo(str(target))
