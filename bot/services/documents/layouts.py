"""The certificates' blanks: where each field prints, remembered per blank by its name (audited)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from bot.context import Ctx
from bot.exports.certificates import FIELDS, Layout
from bot.services.audit import Audit
from bot.services.documents.common import PAPERS, DocumentsError, ensure
from bot.text import esc
from storage.models.documents import CertificateLayout

DEFAULT = "giay-khen"


async def layout(ctx: Ctx, name: str = DEFAULT) -> Layout:
    row = await ctx.session.scalar(select(CertificateLayout).where(CertificateLayout.name == name))
    return Layout.from_data(row.data if row else None)


async def move(
    ctx: Ctx, field: str, x: float, y: float, size: float | None = None, name: str = DEFAULT
) -> Layout:
    """The blank's `field` placed at (x, y) mm from its top-left corner; refused off the page."""
    ensure(ctx, PAPERS)
    if field not in FIELDS:
        raise DocumentsError("documents-blank-field-unknown", field=esc(field[:30]), fields=", ".join(FIELDS))
    current = await layout(ctx, name)
    try:
        moved = current.moved(field, x, y, size)
    except ValueError:
        raise DocumentsError(
            "documents-blank-off-page", width=f"{current.width:g}", height=f"{current.height:g}"
        ) from None
    # two secretaries saving a blank's first position at once: one row, the later save's fields
    insert = (sqlite if ctx.settings.is_sqlite else postgresql).insert(CertificateLayout)
    await ctx.session.execute(
        insert.values(name=name, data={}, updated_at=ctx.clock.now()).on_conflict_do_nothing(
            index_elements=["name"]
        )
    )
    row = await ctx.session.scalar(select(CertificateLayout).where(CertificateLayout.name == name))
    assert row is not None
    row.data, row.updated_by, row.updated_at = moved.as_data(), ctx.actor.person_id, ctx.clock.now()  # type: ignore[union-attr]
    await ctx.session.flush()
    before = current.fields[field]
    Audit(ctx).record(
        "certificate.layout", "certificate_layout", row.id,
        before={field: [before.x, before.y, before.size]}, after={field: [x, y, moved.fields[field].size]},
    )  # fmt: skip
    return moved
