"""A round tallied, ready for its decision, without Telegram (on tests/voting/college.py's college)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from bot.clock import VN_TZ
from bot.roles import Role
from bot.services.decisions import DecisionDraft, DecisionService
from tests.voting.college import CLOSED, LDTT, TTLDTT, College, Env, college, example_with, opened

T = TypeVar("T")
AFTER = datetime(2027, 6, 19, 9, 0, tzinfo=VN_TZ)  # the morning after the close: out of the quiet hours
COMMENT = (
    "      ceremony: 2027-07-09\n",
    "      ceremony: 2027-07-09\n"
    '    comment_period: {days: 5, source: "Quy chế thi đua, khen thưởng của Nhà trường",'
    " to_confirm: true}\n",
)


@dataclass
class Round:
    c: College
    vote: int
    round_id: int
    head: int = 0
    hoa: int = 0  # passes LĐTT
    binh: int = 0  # fails LĐTT
    unit_nom: int = 0  # the unit KCNTT: passes Tập thể lao động tiên tiến
    noms: dict[str, int] = field(default_factory=dict)


async def dec(env: Env, fn: Callable[[DecisionService], Awaitable[T]], actor: int | None = None) -> T:
    async with env.ctx(actor) as c:
        return await fn(DecisionService(c))


async def tallied(env: Env, *, comment: bool = False) -> Round:
    """Hoa passes LĐTT, Bình fails it, the unit passes TTLĐTT; the clock the morning after the close."""
    c = await college(env, 3, plan=example_with(*COMMENT) if comment else None)
    head = await env.person("Phạm Văn Khoa", "KCNTT", Role.UNIT_HEAD)
    hoa = await env.person("Nguyễn Thị Hoa", "KCNTT")
    binh = await env.person("Trần Văn Bình", "KCNTT")
    noms = {
        "hoa": await env.nominate(LDTT, person=hoa),
        "binh": await env.nominate(LDTT, person=binh),
        "unit": await env.nominate(TTLDTT, unit="KCNTT"),
    }
    vid = await opened(env)
    d = await env.dossiers(vid)
    choices = {d[noms["hoa"]].id: "agree", d[noms["binh"]].id: "disagree", d[noms["unit"]].id: "agree"}
    await env.cast(vid, {m: choices for m in c.members})
    await env.due(CLOSED)
    env.clock.set(AFTER)
    return Round(c, vid, await env.round_id(), head, hoa, binh, noms["unit"], noms)


def draft(r: Round, line: str = "123/QĐ-CĐKTCN ngày 19/06/2027", signer: int | None = None) -> DecisionDraft:
    number, day = line.split(" ngày ")
    d, m, y = day.split("/")
    return DecisionDraft(r.round_id, number, f"{y}-{m}-{d}", signer or r.c.principal, confirmed=True)
