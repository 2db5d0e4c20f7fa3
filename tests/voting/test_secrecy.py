"""Secrecy (issue 19): after the tally no table, log or result tells how anyone voted.

Two colleges vote the same way but for two members who swap their choices (and change them, and have one
entered as a written vote): the counts are the same, so whatever either database, the logs or the results
keep after the tally must be the same too, byte for byte. Before the tally the seals do hold the choices."""

from __future__ import annotations

import logging

import pytest

from bot.services.voting import ballot
from storage.db import make_engine
from storage.models.voting import Ballot, VotingRound
from tests.voting.college import CLOSED, LDTT, Env, college, opened


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage() + (f"\n{record.exc_text}" if record.exc_text else ""))


@pytest.fixture
def logs():
    """Every log record while the test runs, SQL statements included (sqlalchemy.engine at INFO)."""
    handler, root, engine = Captured(), logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    levels = root.level, engine.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    engine.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(levels[0])
    engine.setLevel(levels[1])


async def run_vote(env: Env, first: str, second: str) -> tuple[int, int, set[str]]:
    """Member A votes `second` on dossier 1 (after `first`) and B the other way; on dossier 2 A votes `first`
    and B's written vote is `second`; the principal agrees on 1 and takes back a vote on 2. The vote's id,
    the secretary's, and every nonce and seal written."""
    c = await college(env, 3)
    n1 = await env.nominate(LDTT, person=await env.person("Nguyễn Thị Hoa", "KCNTT"))
    n2 = await env.nominate(LDTT, person=await env.person("Trần Văn Bình", "KCNTT"))
    vid = await opened(env)
    d = await env.dossiers(vid)
    d1, d2 = d[n1].id, d[n2].id
    p, a, b = c.members
    seen: set[str] = set()
    steps = [
        (p, d1, "agree"),
        (a, d1, first),
        (a, d1, second),
        (b, d1, first),
        (p, d2, "agree"),
        (p, d2, "undecided"),
        (a, d2, first),
    ]
    for who, dossier, choice in steps:
        await env.run(lambda s, x=dossier, y=choice: s.cast(vid, x, y), who)
        seen |= {v for row in await env.rows(Ballot) for v in (row.nonce, row.seal) if v}
    await env.run(lambda s: s.enter_written(vid, d2, b, second), c.secretary)
    seen |= {v for row in await env.rows(Ballot) for v in (row.nonce, row.seal) if v}
    [voting] = await env.rows(VotingRound)
    key = ballot.key_of(env.settings, voting)
    choices = {
        (r.dossier_id, r.member_id): ballot.unseal(key, r.nonce, r.dossier_id, r.member_id, r.seal)
        for r in await env.rows(Ballot)
    }
    assert choices[(d1, a)] == second and choices[(d1, b)] == first and choices[(d2, b)] == second
    await env.due(CLOSED)
    return vid, c.secretary, seen


async def test_after_the_tally_nothing_tells_two_swapped_votes_apart(twins: tuple[Env, Env], logs: Captured):
    x, y = twins
    vid, secretary, seals_x = await run_vote(x, "disagree", "agree")
    _, _, seals_y = await run_vote(y, "agree", "disagree")

    assert await x.dump() == await y.dump()
    assert await x.run(lambda s: s.results(vid), secretary) == await y.run(
        lambda s: s.results(vid), secretary
    )
    assert {(r.nonce, r.seal) for r in await x.rows(Ballot)} == {(None, None)}
    [voting] = await x.rows(VotingRound)
    assert (voting.state, voting.key_salt, voting.key_check) == ("tallied", None, None)

    text = "\n".join(logs.lines)
    assert "INSERT INTO ballot" in text and "[SQL parameters hidden due to hide_parameters=True]" in text
    assert [s for s in seals_x | seals_y if s in text] == []


def test_the_engine_hides_sql_parameters_whatever_it_is_asked():
    engine = make_engine("sqlite+aiosqlite:///:memory:", echo=True, hide_parameters=False)
    assert engine.sync_engine.hide_parameters is True
