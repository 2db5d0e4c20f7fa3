"""Roles and the one declarative authorisation map: action → roles and scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.i18n import t


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


def role_name(role: str | Role, locale: str | None = None) -> str:
    """The one name of a role, wherever it is shown (invite, person card, /help, /start, console):
    the catalogue entry `role-<role>`."""
    return t(f"role-{Role(role).value}", locale=locale)


# Roles held for one unit (PersonRole.unit_id); the others are held for the whole college.
HEAD_ROLES = frozenset({Role.UNIT_HEAD, Role.DEPUTY_HEAD})
UNIT_ROLES = frozenset({Role.STAFF, *HEAD_ROLES})


class Scope(StrEnum):
    ALL = "all"  # any unit
    OWN_UNIT = "own_unit"  # only the unit the role is held for


class Action(StrEnum):
    HELP = "help"
    CANCEL = "cancel"
    LANG = "lang"
    # people
    INVITE = "invite"  # who may invite whom is refined in the invite service
    PEOPLE_VIEW = "people_view"  # /people, /units
    PEOPLE_EDIT = "people_edit"  # change unit or roles, delegate, deactivate
    CONFIRM_JOINER = "confirm_joiner"  # confirm someone added by a unit invite
    # plan
    PLAN_VIEW = "plan_view"
    PLAN_WINDOWS = "plan_windows"  # open voting early or extend, audited
    # difficulties
    DIFFICULTY_RAISE = "difficulty_raise"
    DIFFICULTY_ANSWER = "difficulty_answer"  # answer, forward to the principal, list all
    DIFFICULTY_REPLY_PRINCIPAL = "difficulty_reply_principal"
    # acknowledging the plan, and where everyone stands (issue 11)
    PLAN_ACK = "plan_ack"  # "I have read the plan"
    STATUS_VIEW = "status_view"  # /status: one's own acknowledgement and registration
    STATUS_UNIT = "status_unit"  # /status of a unit (a head: their unit; the secretary: every unit)
    STATUS_NUDGE = "status_nudge"  # remind the unit's people who have not acknowledged or registered


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role
    unit_id: int | None = None


# action -> {role: scope}. Every handler is guarded by `Allowed(action)`; features add their actions here.
EVERYONE = {r: Scope.ALL for r in Role}
RULES: dict[str, dict[Role, Scope]] = {
    Action.HELP: EVERYONE,
    Action.CANCEL: EVERYONE,
    Action.LANG: EVERYONE,
    Action.INVITE: {
        Role.ADMIN: Scope.ALL,
        Role.SECRETARY: Scope.ALL,
        Role.UNIT_HEAD: Scope.OWN_UNIT,
        Role.DEPUTY_HEAD: Scope.OWN_UNIT,
    },
    Action.PEOPLE_VIEW: {Role.ADMIN: Scope.ALL, Role.SECRETARY: Scope.ALL},
    Action.PEOPLE_EDIT: {Role.ADMIN: Scope.ALL},
    Action.CONFIRM_JOINER: {
        Role.ADMIN: Scope.ALL,
        Role.SECRETARY: Scope.ALL,
        Role.UNIT_HEAD: Scope.OWN_UNIT,
        Role.DEPUTY_HEAD: Scope.OWN_UNIT,
    },
    Action.PLAN_VIEW: EVERYONE,
    Action.PLAN_WINDOWS: {Role.SECRETARY: Scope.ALL, Role.ADMIN: Scope.ALL},
    Action.DIFFICULTY_RAISE: EVERYONE,
    Action.DIFFICULTY_ANSWER: {Role.SECRETARY: Scope.ALL},
    Action.DIFFICULTY_REPLY_PRINCIPAL: {Role.PRINCIPAL: Scope.ALL},
    Action.PLAN_ACK: EVERYONE,
    Action.STATUS_VIEW: EVERYONE,
    Action.STATUS_UNIT: {
        Role.UNIT_HEAD: Scope.OWN_UNIT,
        Role.DEPUTY_HEAD: Scope.OWN_UNIT,
        Role.SECRETARY: Scope.ALL,
    },
    Action.STATUS_NUDGE: {Role.UNIT_HEAD: Scope.OWN_UNIT, Role.DEPUTY_HEAD: Scope.OWN_UNIT},
}


def register_rules(rules: dict[str, dict[Role, Scope]]) -> None:
    """Features declare their actions next to their code; the map stays one map.

    Declaring a new action, or declaring an action again with the same roles, is fine. Changing the
    roles of an action that is already declared raises: authority changes in one place, on purpose
    (and the role × action matrix test changes with it).
    """
    for action, roles in rules.items():
        current = RULES.get(action)
        if current is not None and current != dict(roles):
            raise ValueError(f"action {action!r} is already declared with other roles: change bot/roles.py")
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
        return unit_id is not None and any(g.role in HEAD_ROLES and g.unit_id == unit_id for g in self.grants)


def _scope(allowed: dict[Role, Scope], role: Role) -> Scope | None:
    """The scope `role` has in `allowed`. A deputy head acts for the head: where the rules name the unit
    head and not the deputy, the deputy (between the dates of the delegation) gets the head's scope."""
    scope = allowed.get(role)
    if scope is None and role is Role.DEPUTY_HEAD:
        scope = allowed.get(Role.UNIT_HEAD)
    return scope


def _grant_unit(member: Member, grant: Grant) -> int | None:
    """The unit an OWN_UNIT grant covers: the unit it is held for, else the person's own unit."""
    return grant.unit_id if grant.unit_id is not None else member.unit_id


def can(member: Member | None, action: str, unit_id: int | None = None) -> bool:
    """Whether `member` may do `action` (on `unit_id`, when the action concerns a unit).

    Without `unit_id` the question is "may they do it at all" (for some unit): filters ask that, and
    the service checks the unit of the object itself. Someone not linked (None) may do nothing here.
    """
    if member is None:
        return False
    allowed = RULES.get(action, {})
    for grant in member.grants:
        scope = _scope(allowed, grant.role)
        if scope is None:
            continue
        if scope is Scope.ALL or unit_id is None:
            return True
        if _grant_unit(member, grant) == unit_id:
            return True
    return False


def units_for(member: Member | None, action: str) -> frozenset[int] | None:
    """The units on which `member` may do `action`: None means every unit; an empty set, none."""
    if member is None:
        return frozenset()
    allowed = RULES.get(action, {})
    units: set[int] = set()
    for grant in member.grants:
        scope = _scope(allowed, grant.role)
        if scope is Scope.ALL:
            return None
        if scope is Scope.OWN_UNIT:
            unit = _grant_unit(member, grant)
            if unit is not None:
                units.add(unit)
    return frozenset(units)


def grant_active(valid_from: date | None, valid_to: date | None, today: date) -> bool:
    return (valid_from is None or valid_from <= today) and (valid_to is None or today <= valid_to)
