"""Roles and the one declarative authorisation map: action → roles and scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Role(StrEnum):
    STAFF = "staff"
    UNIT_HEAD = "unit_head"
    DEPUTY_HEAD = "deputy_head"  # acting for the head, between two dates
    SECRETARY = "secretary"  # thường trực HĐTĐKT / Phòng TC-HC
    COUNCIL = "council"
    UNION = "union"
    FINANCE = "finance"
    PRINCIPAL = "principal"
    ADMIN = "admin"


class Scope(StrEnum):
    ALL = "all"  # any unit
    OWN_UNIT = "own_unit"  # only the unit the role is held for


class Action(StrEnum):
    HELP = "help"
    CANCEL = "cancel"
    LANG = "lang"


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role
    unit_id: int | None = None


# action -> {role: scope}. Every handler is guarded by `Allowed(action)`; features add their actions here.
RULES: dict[str, dict[Role, Scope]] = {
    Action.HELP: {r: Scope.ALL for r in Role},
    Action.CANCEL: {r: Scope.ALL for r in Role},
    Action.LANG: {r: Scope.ALL for r in Role},
}


def register_rules(rules: dict[str, dict[Role, Scope]]) -> None:
    """Features declare their actions next to their code; the map stays one map."""
    for action, roles in rules.items():
        RULES[action] = dict(roles)


@dataclass(frozen=True, slots=True)
class Member:
    """Who is speaking: a linked, active person, as cached by the identity middleware."""

    person_id: int
    telegram_id: int
    full_name: str
    unit_id: int | None
    language: str
    grants: frozenset[Grant] = field(default_factory=frozenset)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    def has(self, role: Role) -> bool:
        return any(g.role == role for g in self.grants)

    def heads(self, unit_id: int | None) -> bool:
        """True when this person is the head (or acting deputy) of `unit_id`."""
        return unit_id is not None and any(
            g.role in (Role.UNIT_HEAD, Role.DEPUTY_HEAD) and g.unit_id == unit_id for g in self.grants
        )


def can(member: Member | None, action: str, unit_id: int | None = None) -> bool:
    """Whether `member` may do `action` (on `unit_id`, when the action concerns a unit)."""
    if member is None:
        return False
    allowed = RULES.get(action, {})
    for grant in member.grants:
        scope = allowed.get(grant.role)
        if scope is None:
            continue
        if scope is Scope.ALL or unit_id is None:
            return True
        if grant.unit_id is not None and grant.unit_id == unit_id:
            return True
        if grant.unit_id is None and member.unit_id == unit_id:
            return True
    return False


def grant_active(valid_from: date | None, valid_to: date | None, today: date) -> bool:
    return (valid_from is None or valid_from <= today) and (valid_to is None or today <= valid_to)
