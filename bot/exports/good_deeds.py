"""Exports of good deeds and difficulties (issue 21).

- `good_deeds`: each good deed reported (happened in the school year chosen), about whom, the unit, the
  text, the reporter, the state and the reason. An anonymous reporter is named in the secretary's file
  only ("Ẩn danh" in a head's). Filters: year, unit.
- `difficulties`: each difficulty raised (in the school year chosen), by whom (or on behalf of the unit),
  the text, the state, the answer and the principal's reply. Filters: year, unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from bot.exports import common as c
from bot.exports.registry import ExportFilter, export_kind
from bot.exports.workbook import Column, table
from bot.i18n import t
from storage.models import Difficulty, GoodDeed, Person, Unit

GOOD_DEEDS = (
    c.NO,
    Column("export-col-happened-on", "date", 12),
    c.SUBJECT,
    Column("export-col-about", width=28),
    c.UNIT_CODE,
    Column("export-col-deed", width=60),
    Column("export-col-reporter", width=24),
    c.STATE,
    Column("export-col-reason", width=40),
)


def build_good_deeds(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    out = [
        (
            happened,
            c.subject(person_id, locale),
            about or unit_name,
            unit_code,
            text,
            reporter,
            c.label("gooddeed-state", state, locale),
            reason,
        )
        for happened, person_id, about, unit_code, unit_name, text, reporter, state, reason in rows
    ]
    return table("export-kind-good_deeds", GOOD_DEEDS, c.numbered(out), f, locale)


@export_kind(
    "good_deeds",
    title="export-kind-good_deeds",
    roles=c.SECRETARY_AND_HEADS,
    filters=("year", "unit"),
    file_name="nguoi-tot-viec-tot",
    build=build_good_deeds,
    order=30,
)
async def good_deeds(ctx: Any, f: ExportFilter) -> list[tuple[Any, ...]]:
    about, reporter = aliased(Person), aliased(Person)
    query = (
        select(
            GoodDeed.happened_on,
            GoodDeed.person_id,
            about.full_name,
            Unit.code,
            Unit.name,
            GoodDeed.text,
            reporter.full_name,
            GoodDeed.anonymous,
            GoodDeed.state,
            GoodDeed.reason,
        )
        .join(Unit, Unit.id == GoodDeed.unit_id)
        .join(reporter, reporter.id == GoodDeed.reporter_id)
        .outerjoin(about, about.id == GoodDeed.person_id)
        .where(*f.in_scope(GoodDeed.unit_id))
        .order_by(GoodDeed.happened_on, GoodDeed.id)
    )
    days = await c.year_days(ctx.session, f)
    if days is not None:
        query = query.where(GoodDeed.happened_on.between(*days))
    hidden = t("export-anonymous", locale=f.locale)
    rows = []
    for r in await ctx.session.execute(query):
        name = (
            r[6]
            if not r[7]
            else (t("export-anonymous-named", locale=f.locale, name=r[6]) if f.secretary else hidden)
        )
        rows.append((*r[:6], name, r[8], r[9]))
    return rows


DIFFICULTIES = (
    c.NO,
    Column("export-col-raised-on", "when", 18),
    c.UNIT_CODE,
    Column("export-col-raised-by", width=28),
    Column("export-col-topic", width=16),
    Column("export-col-difficulty", width=60),
    c.STATE,
    Column("export-col-answer", width=60),
    Column("export-col-answered-on", "when", 18),
    Column("export-col-principal-reply", width=40),
)


def build_difficulties(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    out = []
    for created, unit_code, author, behalf, topic, text, state, answer, answered, reply in rows:
        by = t("export-on-behalf", locale=locale, name=author) if behalf else author
        state_text = c.label("difficulty-state", state, locale)
        out.append((created, unit_code, by, topic, text, state_text, answer, answered, reply))
    return table("export-kind-difficulties", DIFFICULTIES, c.numbered(out), f, locale)


@export_kind(
    "difficulties",
    title="export-kind-difficulties",
    roles=c.SECRETARY_AND_HEADS,
    filters=("year", "unit"),
    file_name="kho-khan-vuong-mac",
    build=build_difficulties,
    order=90,
)
async def difficulties(ctx: Any, f: ExportFilter) -> list[tuple[Any, ...]]:
    query = (
        select(
            Difficulty.created_at,
            Unit.code,
            Person.full_name,
            Difficulty.on_behalf_of_unit,
            Difficulty.topic_code,
            Difficulty.text,
            Difficulty.state,
            Difficulty.answer,
            Difficulty.answered_at,
            Difficulty.principal_reply,
        )
        .join(Person, Person.id == Difficulty.author_id)
        .outerjoin(Unit, Unit.id == Difficulty.unit_id)
        .where(*f.in_scope(Difficulty.unit_id))
        .order_by(Difficulty.created_at, Difficulty.id)
    )
    days = await c.year_days(ctx.session, f)
    if days is not None:
        start, end = c.day_range(days, ctx.settings.tz)
        query = query.where(Difficulty.created_at.between(start, end))
    return [tuple(r) for r in await ctx.session.execute(query)]
