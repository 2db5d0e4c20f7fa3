"""The role × action matrix, written out by hand.

The table below is the expected authority of every role on every action, on the holder's own unit
and on another unit. It is NOT derived from `bot.roles.RULES`: changing who may do what means changing
RULES and this table together, on purpose.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.roles import RULES, Action, Grant, Member, Role, Scope, can, register_rules, units_for
from storage.models import Person, PersonRole
from storage.repositories.people import to_member

OWN, OTHER = 10, 20

# A = any unit · U = own unit only · - = not allowed
COLUMNS = [
    Role.STAFF,
    Role.UNIT_HEAD,
    Role.DEPUTY_HEAD,
    Role.SECRETARY,
    Role.COUNCIL,
    Role.UNION,
    Role.FINANCE,
    Role.PRINCIPAL,
    Role.ADMIN,
]
TABLE = """
                              staff head deputy secretary council union finance principal admin
help                          A     A    A      A         A       A     A       A         A
cancel                        A     A    A      A         A       A     A       A         A
lang                          A     A    A      A         A       A     A       A         A
invite                        -     U    U      A         -       -     -       -         A
people_view                   -     -    -      A         -       -     -       -         A
people_edit                   -     -    -      -         -       -     -       -         A
confirm_joiner                -     U    U      A         -       -     -       -         A
plan_view                     A     A    A      A         A       A     A       A         A
plan_windows                  -     -    -      A         -       -     -       -         A
difficulty_raise              A     A    A      A         A       A     A       A         A
difficulty_answer             -     -    -      A         -       -     -       -         -
difficulty_reply_principal    -     -    -      -         -       -     -       A         -
plan_ack                      A     A    A      A         A       A     A       A         A
status_view                   A     A    A      A         A       A     A       A         A
status_unit                   -     U    U      A         -       -     -       -         -
status_nudge                  -     U    U      -         -       -     -       -         -
"""


def _expected() -> dict[tuple[str, Role], str]:
    lines = [line.split() for line in TABLE.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header == [
        "staff",
        "head",
        "deputy",
        "secretary",
        "council",
        "union",
        "finance",
        "principal",
        "admin",
    ]
    out: dict[tuple[str, Role], str] = {}
    for action, *cells in rows:
        assert len(cells) == len(COLUMNS), action
        for role, cell in zip(COLUMNS, cells, strict=True):
            out[(action, role)] = cell
    return out


EXPECTED = _expected()
UNIT_ROLES = {Role.STAFF, Role.UNIT_HEAD, Role.DEPUTY_HEAD}


def holder(role: Role) -> Member:
    """A person of unit OWN holding only `role` (unit roles are held for OWN)."""
    grant = Grant(role, OWN if role in UNIT_ROLES else None)
    return Member(
        person_id=1, telegram_id=1, full_name="X", unit_id=OWN, language="vi", grants=frozenset({grant})
    )


def test_the_table_covers_every_action_and_role():
    assert {a for a, _ in EXPECTED} == {a.value for a in Action}
    assert {r for _, r in EXPECTED} == set(Role)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_may_do_action_as_the_table_says(role: Role, action: Action):
    cell = EXPECTED[(action.value, role)]
    member = holder(role)
    assert can(member, action) is (cell != "-"), "may do it at all"
    assert can(member, action, OWN) is (cell in "AU"), "on the own unit"
    assert can(member, action, OTHER) is (cell == "A"), "on another unit"


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_someone_not_linked_may_do_nothing(action: Action):
    assert can(None, action) is False
    assert can(None, action, OWN) is False


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_a_person_without_roles_may_do_nothing(action: Action):
    bare = Member(person_id=1, telegram_id=1, full_name="X", unit_id=OWN, language="vi")
    assert can(bare, action) is False


def test_an_unknown_action_is_refused_to_everyone():
    assert not any(can(holder(r), "no-such-action") for r in Role)


def test_a_head_of_another_unit_may_not_invite_for_this_one():
    other_head = Member(1, 1, "X", OTHER, "vi", frozenset({Grant(Role.UNIT_HEAD, OTHER)}))
    assert can(other_head, Action.INVITE, OTHER) and not can(other_head, Action.INVITE, OWN)


def test_a_unit_role_without_a_unit_covers_the_persons_own_unit():
    m = Member(1, 1, "X", OWN, "vi", frozenset({Grant(Role.UNIT_HEAD, None)}))
    assert can(m, Action.CONFIRM_JOINER, OWN) and not can(m, Action.CONFIRM_JOINER, OTHER)


def test_units_for_lists_the_units_of_own_unit_grants_or_none_for_all():
    head_of_two = Member(
        1, 1, "X", OWN, "vi", frozenset({Grant(Role.UNIT_HEAD, OWN), Grant(Role.DEPUTY_HEAD, OTHER)})
    )
    assert units_for(head_of_two, Action.INVITE) == {OWN, OTHER}
    assert units_for(holder(Role.SECRETARY), Action.INVITE) is None
    assert units_for(holder(Role.STAFF), Action.INVITE) == frozenset()
    assert units_for(None, Action.HELP) == frozenset()


def test_deputy_acts_for_the_head_where_the_rules_name_only_the_head():
    register_rules({"test_head_only": {Role.UNIT_HEAD: Scope.OWN_UNIT}})
    try:
        deputy = holder(Role.DEPUTY_HEAD)
        assert can(deputy, "test_head_only", OWN) and not can(deputy, "test_head_only", OTHER)
    finally:
        del RULES["test_head_only"]


def test_redeclaring_an_action_with_other_roles_is_refused():
    with pytest.raises(ValueError, match="people_edit"):
        register_rules({Action.PEOPLE_EDIT: {Role.STAFF: Scope.ALL}})
    assert RULES[Action.PEOPLE_EDIT] == {Role.ADMIN: Scope.ALL}
    register_rules({Action.PEOPLE_EDIT: {Role.ADMIN: Scope.ALL}})  # the same again is fine


def _deputy_person(valid_from: date | None, valid_to: date | None) -> Person:
    p = Person(
        id=5,
        full_name="Hoàng Văn Em",
        name_search="hoang van em",
        unit_id=OWN,
        telegram_id=55,
        language="vi",
        active=True,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    p.roles = [
        PersonRole(role="staff", unit_id=OWN),
        PersonRole(role="deputy_head", unit_id=OWN, valid_from=valid_from, valid_to=valid_to),
    ]
    return p


@pytest.mark.parametrize(
    ("today", "acting"),
    [
        (date(2026, 11, 30), False),
        (date(2026, 12, 1), True),
        (date(2026, 12, 15), True),
        (date(2026, 12, 16), False),
    ],
)
def test_deputy_acts_for_the_head_only_between_the_dates(today: date, acting: bool):
    member = to_member(_deputy_person(date(2026, 12, 1), date(2026, 12, 15)), today)
    assert member.heads(OWN) is acting
    assert can(member, Action.CONFIRM_JOINER, OWN) is acting
    assert can(member, Action.HELP)  # still staff
