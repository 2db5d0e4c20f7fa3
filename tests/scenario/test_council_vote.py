"""The council's review round through the chat, from the opening to the result (issue 19, phase 2).

Three units, twelve nominations and a council of seven: the principal (the chair) and six members, one of
them a nominee (recused from her own dossier), one the head of a nominated unit (recused from it). Eight
Lao động tiên tiến (seven pass, one fails), three Chiến sĩ thi đua cơ sở (the 15 % quota of seven LĐTT
leaves one place: two tie at the line, the third is over the quota), one Tập thể lao động tiên tiến.
Everyone votes from the opening message's "Bỏ phiếu", card after card; the secretary closes early, reads
the table, records the chair's choice on the tie with a reason, and the result stands."""

from __future__ import annotations

import re

from bot.roles import Role
from storage.models import AuditEntry
from storage.models.voting import Ballot, VotingDossier, VotingResult, VotingRound
from tests.voting.chat import CSTD, LDTT, TTLDTT, chat_college, nominate, open_vote, plain

LD = [f"Giảng Viên {i}" for i in range(1, 8)]  # L1 … L7
CS = ["Chiến Sĩ Một", "Chiến Sĩ Hai", "Chiến Sĩ Ba"]
UNIT = "Phòng KNN"


def choice(member: str, nominee: str) -> str:
    """How each member votes: agree, but for these."""
    against = {
        **{n: {"Thành Viên E", "Thành Viên F"} for n in LD[:6]},  # 5/7: passes (of the votes cast)
        LD[6]: {"Thành Viên C", "Thành Viên D", "Thành Viên E", "Thành Viên F"},  # 3/7: fails
        CS[0]: {"Thành Viên F"},  # 6/7
        CS[1]: {"Thành Viên E"},  # 6/7: tied with CS[0] at the one place
        CS[2]: {"Thành Viên D", "Thành Viên E", "Thành Viên F"},  # 4/7: passes the threshold, over the quota
    }
    return "Không đồng ý" if member in against.get(nominee, set()) else "Đồng ý"


def nominee_of(text: str) -> str:
    found = re.search(r"(?:Người|Tập thể) được đề nghị: ([^\n(]+?)(?: \(|\n|$)", text)
    assert found, text
    return found.group(1).strip()


async def review_all(member, name: str) -> list[str]:
    """From the opening message: "Bỏ phiếu", the first card, then each card in turn; the cards seen."""
    await member.click("Bỏ phiếu")
    await member.click("1. ")
    seen = []
    while True:
        text = plain(member)
        who = nominee_of(text)
        seen.append(who)
        if "Đồng ý" in member.buttons() or "✓ Chưa quyết" in member.buttons():
            await member.click(choice(name, who), exact=True)
        if "Sau ›" not in member.buttons():
            return seen
        await member.click("Sau ›")


async def test_a_round_from_the_opening_to_the_result(world):
    c = await chat_college(world, council=5)  # the principal and members A–D
    a = c.members[1]
    b = await world.person("Thành Viên E", Role.STAFF, Role.COUNCIL, unit="HDTD")
    head = await world.person(
        "Thành Viên F", Role.STAFF, Role.COUNCIL, Role.UNIT_HEAD, unit="KNN", role_unit=True
    )
    members = [*c.members, b, head]
    names = [
        "Trần Văn Hiệu",
        "Thành Viên A",
        "Thành Viên B",
        "Thành Viên C",
        "Thành Viên D",
        "Thành Viên E",
        "Thành Viên F",
    ]
    units = ["KCNTT", "KKT", "KNN"]
    for i, n in enumerate(LD):
        await nominate(world, LDTT, person=await world.staff(n, unit=units[i % 3]))
    await nominate(world, LDTT, person=a)  # a member nominated: recused from her own dossier
    for i, n in enumerate(CS):
        await nominate(world, CSTD, person=await world.staff(n, unit=units[i % 2]))
    await nominate(world, TTLDTT, unit="KNN")  # its head sits on the council: recused from it
    vid = await open_vote(world)

    opening = members[2].last_text()
    assert "Số hồ sơ: 12" in opening and "hết ngày 18/06/2027" in opening
    assert "Anh/Chị không bỏ phiếu cho 1 hồ sơ có liên quan đến mình." in a.last_text()  # told
    for member, name in zip(members, names, strict=True):
        seen = await review_all(member, name)
        assert len(seen) == 12
    assert "Đã bỏ phiếu 11/11" in plain(a)
    assert len(await world.rows(Ballot)) == 7 * 12 - 2  # two recusals

    lan = c.lan
    await lan.send("/results")
    assert "Số phiếu đã bỏ: 82/82" in plain(lan)
    before = len(lan.messages())
    await lan.click("Kết thúc sớm")
    await world.drain_outbox()
    table = "\n".join(m.text or "" for m in lan.messages()[before - 1 :])
    assert "Giảng Viên 1 (Phòng KCNTT) — Đạt · Đồng ý 5/7" in table
    assert "Giảng Viên 7 (Phòng KCNTT) — Không đạt · Đồng ý 3/7" in table
    assert "Thành Viên A (Phòng HDTD) — Đạt · Đồng ý 6/6" in table  # recused: out of her dossier's base
    assert "Chiến sĩ thi đua cơ sở</b> (giới hạn: 1)" in table
    assert "Chiến Sĩ Một (Phòng KCNTT) — Bằng phiếu ở giới hạn · Đồng ý 6/7" in table
    assert "Chiến Sĩ Hai (Phòng KKT) — Bằng phiếu ở giới hạn · Đồng ý 6/7" in table
    assert "Chiến Sĩ Ba (Phòng KCNTT) — Vượt giới hạn · Đồng ý 4/7" in table  # the quota bites
    assert f"{UNIT} — Đạt · Đồng ý 6/6" in table  # a collective, its head recused
    assert "cho thấy cách bỏ phiếu" in table
    assert any("Đồng ý 6/7" in t for t in c.hieu.texts())  # the chair's copy

    by_name = {}
    for d in await world.rows(VotingDossier, VotingDossier.voting_id == vid):
        [r] = await world.rows(VotingResult, VotingResult.dossier_id == d.id)
        by_name[d.id] = r
    outcomes = sorted(r.outcome for r in by_name.values())
    assert outcomes.count("passed") == 7 + 1  # seven LĐTT and the collective
    assert outcomes.count("failed") == 1 and outcomes.count("tied") == 2 and outcomes.count("over_quota") == 1

    await lan.send("/results")
    await lan.click("Quyết định hồ sơ bằng phiếu: Chiến sĩ thi đua cơ sở")
    await lan.click("Chiến Sĩ Hai")
    await lan.click("Tiếp tục")
    await lan.send("Chủ tịch Hội đồng chọn theo thành tích sáng kiến nổi bật")
    final = "\n".join(lan.texts()[-3:])
    assert "Chiến Sĩ Hai (Phòng KKT) — Đạt" in final and "Chiến Sĩ Một (Phòng KCNTT) — Vượt giới hạn" in final
    [voting] = await world.rows(VotingRound, VotingRound.id == vid)
    assert (voting.state, voting.members_count, voting.voters_count) == ("tallied", 7, 7)
    assert {(r.nonce, r.seal) for r in await world.rows(Ballot)} == {(None, None)}
    assert len(await world.rows(AuditEntry, AuditEntry.action == "voting.tie_settled")) == 1
