"""`thidua plan load FILE.yaml` and `thidua plan show [--period P]`.

They run outside the dispatcher: the database is migrated first, then one unit of work is opened (committed
on success, rolled back on any error) with a Ctx that has no actor (the system). Output is in the default
locale (Settings.default_locale), or in the one given with --lang.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import click

from bot.cli.common import run_in_uow
from bot.config import Settings

T = TypeVar("T")


def register(main: click.Group) -> None:
    main.add_command(plan)


def _locale(settings: Settings, lang: str | None) -> str:
    """This command's --lang, else `thidua --lang`, else the default locale."""
    from bot.cli.common import cli_locale

    return cli_locale(lang)


lang_option = click.option(
    "--lang", type=click.Choice(["vi", "en"]), default=None, help="Language of the output."
)


@click.group()
def plan() -> None:
    """The plan: load a plan file into the database, show the loaded plan."""


@plan.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@lang_option
def load(file: Path, lang: str | None) -> None:
    """Check FILE and load it (in one transaction); print every problem and load nothing if any."""
    from bot.i18n import t
    from bot.plan.loader import parse_plan
    from bot.plan.schema import PlanError
    from bot.services.plan import PlanService

    settings = Settings()
    locale = _locale(settings, lang)
    text = file.read_text(encoding="utf-8")
    try:
        parsed = parse_plan(text, str(file))
        report = run_in_uow(lambda ctx: PlanService(ctx).load(parsed, text, file), settings)
    except PlanError as e:
        click.echo(e.report(locale), err=True)
        raise SystemExit(1) from None
    for line in report.lines(locale):
        click.echo(line)
    if report.status != "unchanged":
        click.echo(t("plan-cli-next", locale=locale, period=report.period_code))
    if report.announcement is not None:  # a new current period: sent to everyone (acknowledgement.po)
        sent = report.announcement
        click.echo(t("ack-cli-announced", locale=locale, queued=sent.queued, unreachable=sent.unreachable))


@plan.command("show")
@click.option(
    "--period", "period_code", default=None, help="Period code, such as 2021-2025 (default: current)."
)
@lang_option
def show(period_code: str | None, lang: str | None) -> None:
    """Print the loaded plan: period, movements, titles and award forms, money, school years, rounds."""
    from bot.errors import DomainError
    from bot.i18n import t
    from bot.plan.views import plain

    settings = Settings()
    locale = _locale(settings, lang)
    from bot.services.plan import PlanNotLoaded

    try:
        text = run_in_uow(lambda ctx: _show(ctx, period_code, locale), settings)
    except PlanNotLoaded:  # the staff are told to ask the office; the operator is the office
        click.echo(t("plan-cli-none-loaded", locale=locale), err=True)
        raise SystemExit(1) from None
    except DomainError as e:
        click.echo(e.text(locale), err=True)
        raise SystemExit(1) from None
    click.echo(plain(text))


async def _show(ctx: Any, period_code: str | None, locale: str) -> str:
    from bot.clock import fmt_when
    from bot.i18n import t
    from bot.plan import views
    from bot.services.plan import PlanService

    service = PlanService(ctx)
    repo = service.repo
    period = await service.period(period_code)
    items = await repo.commendations(period.id)
    parts = [views.period_heading(period, locale)]
    if period.document_path:
        parts.append(t("plan-cli-document", locale=locale, path=period.document_path))
    parts.append(views.movements_text(await repo.movements(period.id), locale))
    factors = await repo.factors([c.id for c in items])
    parts.append(views.titles_text(items, factors, locale))
    parts.append(
        "\n".join(
            [
                t("plan-view-money-heading", locale=locale),
                *views.money_lines(await repo.money(period.id), locale),
            ]
        )
    )
    school_years = await repo.school_years(period.id)
    parts += views.school_years_text(school_years, await repo.rounds(period.id), ctx.clock.now(), locale)
    reminders = views.reminder_lines(await repo.reminder_rules(period.id), locale)
    parts.append("\n".join([t("plan-view-reminders-heading", locale=locale), *reminders]))
    key = "plan-view-summary-readable" if period.nominee_can_read_summary else "plan-view-summary-secret"
    ballot = "plan-view-ballot-secret" if period.secret_ballot else "plan-view-ballot-open"
    parts.append(
        "\n".join(
            [t("plan-view-confidentiality", locale=locale), t(key, locale=locale), t(ballot, locale=locale)]
        )
    )
    parts.append(
        t(
            "plan-cli-loaded",
            locale=locale,
            at=fmt_when(period.loaded_at, locale),
            path=period.source_path or "-",
        )
    )
    return "\n\n".join(parts)
