"""What the documents' rooms share: the actions, the errors, the names of the people and units."""

from __future__ import annotations

from collections.abc import Iterable

from bot.context import Ctx
from bot.errors import DomainError
from bot.roles import Role, Scope, can, register_rules
from storage.repositories.people import PeopleRepo

# the round's papers and certificates, the fund's income, the yearly report: the secretary's; the budget
# and the fund's ledger: finance's too; the charts: the secretary's and the principal's
PAPERS, BUDGET, FUND_EDIT, STATS = "documents_make", "budget_view", "fund_edit", "stats_view"
register_rules(
    {
        PAPERS: {Role.SECRETARY: Scope.ALL},
        BUDGET: {Role.SECRETARY: Scope.ALL, Role.FINANCE: Scope.ALL},
        FUND_EDIT: {Role.SECRETARY: Scope.ALL, Role.FINANCE: Scope.ALL},
        STATS: {Role.SECRETARY: Scope.ALL, Role.PRINCIPAL: Scope.ALL},
    }
)


class DocumentsError(DomainError):
    key = "documents-error"


def ensure(ctx: Ctx, action: str) -> None:
    if ctx.actor is None or not can(ctx.actor, action):
        raise DocumentsError("documents-not-allowed")


async def names(ctx: Ctx, person_ids: Iterable[int | None], unit_ids: Iterable[int | None]):
    """({person id: (name, unit id)}, {unit id: unit name}) for what is given (None skipped)."""
    people = PeopleRepo(ctx.session)
    persons = await people.people_by_id(p for p in person_ids if p)
    units = await people.units_by_id(
        [u for u in unit_ids if u] + [p.unit_id for p in persons.values() if p.unit_id]
    )
    return (
        {pid: (p.full_name, p.unit_id) for pid, p in persons.items()},
        {uid: u.name for uid, u in units.items()},
    )


def ensure_papers(ctx: Ctx) -> None:
    ensure(ctx, PAPERS)
