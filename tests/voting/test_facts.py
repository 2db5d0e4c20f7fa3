"""The criteria checks on what the database knows: the school year's imported grades and initiatives, the
registrations, and this vote's own LĐTT result for CSTĐ cơ sở; a failed check warns and never blocks."""

from __future__ import annotations

from sqlalchemy import select

from bot.services.criteria_data import CriteriaDataService, rows_from_table
from storage.models.plan import PlanCommendation, PlanSchoolYear
from storage.models.registration import Registration
from storage.models.voting import VotingResult
from tests.voting.college import CLOSED, CSTD, LDTT, Env, college, opened


async def imported(env: Env, kind: str, table: list[list[str]]) -> None:
    async with env.ctx() as c:
        await CriteriaDataService(c).import_rows(kind, rows_from_table(kind, table), "2026-2027")


def statuses(result: VotingResult) -> dict[str, str]:
    return {w["rule"]["kind"]: w["status"] for w in result.warnings if w["kind"] == "criteria"}


async def test_the_result_warns_of_unmet_and_missing_criteria_but_passes_whoever_the_council_passes(env: Env):
    c = await college(env, 3)
    hoa, binh = await env.person("Nguyễn Thị Hoa", "KCNTT"), await env.person("Trần Văn Bình", "KCNTT")
    cuong = await env.person("Lê Văn Cường", "KCNTT")
    ldtt = {p: await env.nominate(LDTT, person=p) for p in (hoa, binh, cuong)}
    cstd = await env.nominate(CSTD, person=hoa)
    grades = [
        ["Họ và tên", "Mã đơn vị", "Xếp loại"],
        ["Nguyễn Thị Hoa", "KCNTT", "Hoàn thành xuất sắc nhiệm vụ"],
        ["Trần Văn Bình", "KCNTT", "Hoàn thành nhiệm vụ"],
    ]
    await imported(env, "grades", grades)
    async with env.sessionmaker() as s:  # Hoa's registration for LĐTT, endorsed by her unit's head
        ldtt_id = await s.scalar(select(PlanCommendation.id).where(PlanCommendation.code == LDTT))
        s.add(
            Registration(
                school_year_id=await s.scalar(select(PlanSchoolYear.id)),
                subject="individual",
                owner=f"p{hoa}",
                person_id=hoa,
                unit_id=await env.unit("KCNTT"),
                title_id=ldtt_id,
                movement_ids=[],
                commitments="Phấn đấu đạt Lao động tiên tiến",
                state="endorsed",
                submitted_at=env.clock.now(),
                created_at=env.clock.now(),
                updated_at=env.clock.now(),
            )
        )
        await s.commit()
    vid = await opened(env)
    d = await env.dossiers(vid)
    sheet = await env.run(lambda s: s.sheet(vid), c.members[1])
    card = next(x for x in sheet.dossiers if x.dossier_id == d[cstd].id)
    assert [ch.status for ch in card.checks] == ["unmet", "pending", "met"]  # registration, LĐTT, grade

    everyone = {m: {x.id: "agree" for x in d.values()} for m in c.members}
    await env.cast(vid, everyone)
    await env.due(CLOSED)

    results = {r.dossier_id: r for r in await env.rows(VotingResult)}
    assert {results[x.id].outcome for x in d.values()} == {"passed"}  # warnings never block
    assert statuses(results[d[ldtt[hoa]].id]) == {}
    assert statuses(results[d[ldtt[binh]].id]) == {"registration": "unmet", "task_rating": "unmet"}
    assert statuses(results[d[ldtt[cuong]].id]) == {"registration": "unmet", "task_rating": "no_data"}
    assert statuses(results[d[cstd].id]) == {"registration": "unmet"}  # LĐTT passed in this very vote


async def test_consecutive_years_count_the_commendations_recorded_or_imported_from_before_the_bot(env: Env):
    """CSTĐ cơ sở needing LĐTT two years running: Hoa's LĐTT of 2025-2026, imported, meets it with this
    vote's LĐTT; Cường, with no earlier year known, gets "chưa có dữ liệu"."""
    from datetime import date

    from storage.models.decisions import Commendation
    from tests.voting.college import example_with

    plan = example_with(
        "        params: {title: lao_dong_tien_tien}\n",
        "        params: {title: lao_dong_tien_tien, consecutive_years: 2}\n",
    )
    c = await college(env, 3, plan=plan)
    hoa, cuong = await env.person("Nguyễn Thị Hoa", "KCNTT"), await env.person("Lê Văn Cường", "KCNTT")
    noms = {p: (await env.nominate(LDTT, person=p), await env.nominate(CSTD, person=p)) for p in (hoa, cuong)}
    async with env.sessionmaker() as s:
        s.add(
            Commendation(
                subject="individual",
                person_id=hoa,
                code=LDTT,
                name_vi="Lao động tiên tiến",
                name_en="",
                school_year="2025-2026",
                level="imported",
                decision_number="88/QĐ-CĐKTCN",
                decision_date=date(2026, 8, 15),
                state="active",
                created_at=env.clock.now(),
            )
        )
        await s.commit()
    vid = await opened(env)
    d = await env.dossiers(vid)
    await env.cast(vid, {m: {x.id: "agree" for x in d.values()} for m in c.members})
    await env.due(CLOSED)
    results = {r.dossier_id: r for r in await env.rows(VotingResult)}
    assert "holds_title" not in statuses(results[d[noms[hoa][1]].id])  # met: 2025-2026 and this year
    assert statuses(results[d[noms[cuong][1]].id])["holds_title"] == "no_data"
