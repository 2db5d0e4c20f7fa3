"""Who may invite whom, tokens and durations (no database)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.roles import Grant, Member, Role
from bot.services.invites import (
    INVITABLE,
    deep_link,
    hash_token,
    invitable_roles,
    may_invite_to,
    new_token,
    parse_duration,
)

OWN, OTHER = 1, 2


def member(*grants: Grant) -> Member:
    return Member(
        person_id=1, telegram_id=1, full_name="X", unit_id=OWN, language="vi", grants=frozenset(grants)
    )


ADMIN = member(Grant(Role.STAFF, OWN), Grant(Role.ADMIN))
SECRETARY = member(Grant(Role.STAFF, OWN), Grant(Role.SECRETARY))
HEAD = member(Grant(Role.STAFF, OWN), Grant(Role.UNIT_HEAD, OWN))
DEPUTY = member(Grant(Role.STAFF, OWN), Grant(Role.DEPUTY_HEAD, OWN))
STAFF = member(Grant(Role.STAFF, OWN))
COUNCIL = member(Grant(Role.STAFF, OWN), Grant(Role.COUNCIL))


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("unit", [OWN, OTHER])
def test_the_invite_matrix(role, unit):
    assert may_invite_to(ADMIN, role, unit) is (role is not Role.DEPUTY_HEAD)
    secretary_may = role in (Role.STAFF, Role.UNIT_HEAD, Role.COUNCIL, Role.UNION, Role.FINANCE)
    assert may_invite_to(SECRETARY, role, unit) is secretary_may
    for head in (HEAD, DEPUTY):
        assert may_invite_to(head, role, unit) is (role is Role.STAFF and unit == OWN)
    assert may_invite_to(STAFF, role, unit) is False
    assert may_invite_to(COUNCIL, role, unit) is False


def test_the_system_may_invite_any_invitable_role():
    assert invitable_roles(None) == list(INVITABLE) and Role.DEPUTY_HEAD not in INVITABLE


def test_tokens_carry_enough_randomness_and_fit_a_deep_link():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43,64}", token)  # 32 random bytes = 256 bits
        assert len(hash_token(token)) == 64 and token not in hash_token(token)
    assert deep_link("@thidua_bot", "abc") == "https://t.me/thidua_bot?start=abc"


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("7d", timedelta(days=7)),
        ("12h", timedelta(hours=12)),
        ("2w", timedelta(weeks=2)),
        ("30m", timedelta(minutes=30)),
        ("3", timedelta(days=3)),
    ],
)
def test_durations(text, delta):
    assert parse_duration(text) == delta


@pytest.mark.parametrize("text", ["", "0d", "-1d", "7y", "d", "1.5d"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)
