"""A small college year for the export tests: two units, a head, staff, and one row of every kind.

Every user text starts like a formula ("=", "+", "-", "@"); every person has a date of birth, a phone and
an e-mail that no export may carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.devtools.harness import Chatter, World
from storage.models import (
    Commendation,
    Decision,
    DecisionItem,
    Difficulty,
    GoodDeed,
    Nomination,
    Objection,
    Person,
    PlanAcknowledgement,
    Proposal,
    Registration,
    Unit,
    VotingDossier,
    VotingResult,
    VotingRound,
)
from storage.models.plan import PlanCommendation, PlanMovement, PlanRound, PlanSchoolYear

PRIVATE = ("0901234567", "hoa.private@example.com", "1980-05-17", "17/05/1980")
TEXTS = {
    "commitments": "=1+1 cam kết hoàn thành xuất sắc",
    "deed": "+84 giúp đồng nghiệp",
    "summary": "@tóm tắt thành tích",
    "difficulty": "-khó khăn về hồ sơ",
    "objection": "=SUM(A1:A9) chưa đúng",
}


@dataclass
class Year:
    lan: Chatter  # the secretary (TCHC)
    minh: Chatter  # the head of KCNTT
    hoa: Chatter  # staff of KCNTT
    binh: Chatter  # staff of TCHC
    tchc: Unit
    kcntt: Unit
    year: PlanSchoolYear
    round: PlanRound


async def _first(s: Any, stmt: Any) -> Any:
    found = (await s.scalars(stmt)).first()
    assert found is not None, stmt
    return found


async def college_year(world: World) -> Year:
    await world.load_plan("plans/2021-2025.yaml")
    lan = await world.secretary("Lê Thị Lan", unit="TCHC")
    minh = await world.unit_head("Trần Văn Minh", unit="KCNTT")
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    binh = await world.staff("Phạm Văn Bình", unit="TCHC")
    principal = await world.principal("Võ Văn Hiệu")
    now = world.clock.now()
    async with world.session() as s:
        await s.execute(
            update(Person).values(phone=PRIVATE[0], email=PRIVATE[1], birth_date=date(1980, 5, 17))
        )
        tchc = await _first(s, select(Unit).where(Unit.code == "TCHC"))
        kcntt = await _first(s, select(Unit).where(Unit.code == "KCNTT"))
        year = await _first(s, select(PlanSchoolYear).order_by(PlanSchoolYear.start))
        round_ = await _first(s, select(PlanRound).where(PlanRound.school_year_id == year.id))
        title = await _first(s, select(PlanCommendation).where(PlanCommendation.subject == "individual"))
        unit_title = await _first(s, select(PlanCommendation).where(PlanCommendation.subject == "collective"))
        movement = await _first(s, select(PlanMovement).order_by(PlanMovement.position))
        s.add(PlanAcknowledgement(period_id=year.period_id, person_id=hoa.person_id, acknowledged_at=now))
        people = {"hoa": (hoa, kcntt), "binh": (binh, tchc)}
        for who, unit in people.values():
            s.add(
                Registration(
                    school_year_id=year.id, subject="individual", owner=f"p{who.person_id}",
                    person_id=who.person_id, unit_id=unit.id, title_id=title.id, movement_ids=[movement.id],
                    commitments=TEXTS["commitments"], state="endorsed", submitted_by=who.person_id,
                    submitted_at=now, decided_at=now, created_at=now, updated_at=now,
                )
            )  # fmt: skip
            s.add(
                GoodDeed(
                    period_id=year.period_id, subject="person", person_id=who.person_id, unit_id=unit.id,
                    reporter_id=lan.person_id if unit is tchc else minh.person_id, anonymous=True,
                    text=TEXTS["deed"], happened_on=year.start + timedelta(days=30), state="verified",
                    created_at=now,
                )
            )  # fmt: skip
            s.add(
                Difficulty(
                    author_id=who.person_id, unit_id=unit.id, text=TEXTS["difficulty"], state="open",
                    created_at=now,
                )
            )  # fmt: skip
        await s.flush()
        noms = {}
        for key, (who, unit) in people.items():
            noms[key] = Nomination(
                round_id=round_.id, subject="individual", owner=f"p{who.person_id}", person_id=who.person_id,
                unit_id=unit.id, commendation_id=title.id, summary=TEXTS["summary"], state="locked",
                created_by=minh.person_id, created_at=now, updated_at=now,
            )  # fmt: skip
            s.add(noms[key])
        noms["unit"] = Nomination(
            round_id=round_.id, subject="collective", owner=f"u{kcntt.id}", unit_id=kcntt.id,
            commendation_id=unit_title.id, summary=TEXTS["summary"], state="locked", created_at=now,
            updated_at=now,
        )  # fmt: skip
        s.add(noms["unit"])
        await s.flush()
        vote = VotingRound(round_id=round_.id, scope="round", state="tallied", rules={}, created_at=now)
        s.add(vote)
        await s.flush()
        for n, (key, nom) in enumerate(noms.items()):
            dossier = VotingDossier(
                voting_id=vote.id, nomination_id=nom.id, commendation_code="x", subject=nom.subject,
                owner=nom.owner, person_id=nom.person_id, unit_id=nom.unit_id, recused=[], position=n,
            )  # fmt: skip
            s.add(dossier)
            await s.flush()
            warnings = [{"kind": "reveals_every_vote"}] if key == "hoa" else []
            s.add(
                VotingResult(
                    voting_id=vote.id, dossier_id=dossier.id, members=5, voters=5,
                    agree=5 if key == "hoa" else 4, disagree=0 if key == "hoa" else 1,
                    share_num=5 if key == "hoa" else 4, share_den=5,
                    outcome="passed", rank=n + 1, reasons=[], warnings=warnings,
                )
            )  # fmt: skip
        decision = Decision(
            round_id=round_.id, number="12/QĐ-CĐKTCN", number_key="12/QĐ-CĐKTCN", year=2026,
            decided_on=date(2026, 6, 30), signer_id=principal.person_id, signed_as="principal",
            recorded_by=lan.person_id, recorded_at=now,
        )  # fmt: skip
        s.add(decision)
        await s.flush()
        for key, nom in noms.items():
            s.add(DecisionItem(decision_id=decision.id, nomination_id=nom.id, left_out=key == "unit",
                               reason="=thiếu hồ sơ" if key == "unit" else None))  # fmt: skip
            if key == "unit":
                continue
            who, unit = people[key]
            s.add(
                Commendation(
                    subject="individual", person_id=who.person_id, code=title.code, name_vi=title.name_vi,
                    name_en=title.name_en, school_year=year.code, level="school", decision_id=decision.id,
                    nomination_id=nom.id, decision_number=decision.number, decision_date=decision.decided_on,
                    factor="0.3", amount=710_000, amount_provisional=key == "binh", paid=True, created_at=now,
                )
            )  # fmt: skip
        s.add(Proposal(round_id=round_.id, nomination_id=noms["unit"].id, state="sent", upper_number="=99/QĐ",
                       created_at=now, updated_at=now))  # fmt: skip
        s.add(
            Objection(
                round_id=round_.id, nomination_id=noms["hoa"].id, objector_id=binh.person_id,
                reason=TEXTS["objection"], state="open", created_at=now,
            )
        )  # fmt: skip
        await s.commit()
    return Year(lan, minh, hoa, binh, tchc, kcntt, year, round_)
