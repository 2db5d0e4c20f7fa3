"""/mydata (issue 22, M20): a person gets their own data as a file through the outbox; anonymity and the
plan's confidentiality hold in it; the request is audited."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update

from bot.devtools.harness import Chatter, World
from storage.models import AuditEntry, Nomination, OutboxMessage, PlanPeriod
from storage.models.plan import PlanCommendation, PlanRound, PlanSchoolYear
from storage.models.registration import PlanAcknowledgement, Registration
from tests.handlers.test_good_deed_flow import finish, setup, to_evidence

SUMMARY = "Tóm tắt thành tích chỉ Hội đồng được đọc"
REPORT = "Báo cáo thành tích cá nhân do chị tự viết"


async def my_file(world: World, who: Chatter) -> dict[str, Any]:
    await who.send("/mydata")
    assert "ít phút" in who.last_text()  # told it is coming, after the commit
    await world.drain_outbox()
    sent = who.last()
    assert sent.kind == "document" and sent.file_name and sent.file_name.endswith(".json")
    assert "Dữ liệu cá nhân của anh/chị" in (sent.text or "")
    return json.loads(world.api.uploads[sent.file_id].decode("utf-8"))


async def nominate(world: World, who: Chatter, *, readable: bool) -> None:
    async with world.session() as s:
        round_ = (await s.scalars(select(PlanRound).order_by(PlanRound.id))).first()
        title = (await s.scalars(select(PlanCommendation).order_by(PlanCommendation.id))).first()
        assert round_ is not None and title is not None
        await s.execute(
            update(PlanPeriod)
            .where(PlanPeriod.id == round_.period_id)
            .values(nominee_can_read_summary=readable)
        )
        now = world.clock.now()
        s.add(
            Nomination(
                round_id=round_.id,
                subject="individual",
                owner=f"p{who.person_id}",
                person_id=who.person_id,
                unit_id=(await world.unit()).id,
                commendation_id=title.id,
                summary=SUMMARY,
                report_text=REPORT,
                created_at=now,
                updated_at=now,
            )
        )
        await s.commit()


async def test_the_file_holds_the_profile_roles_and_good_deeds_without_an_anonymous_reporter(world):
    hoa, lan, minh = await setup(world)
    await to_evidence(hoa)  # Hoa reports Lân's good deed, anonymously
    await hoa.click("Bỏ qua")
    await finish(hoa, anonymous=True)
    await to_evidence(minh, text="Anh Lân hướng dẫn tân sinh viên đăng ký học phần.")  # Minh, by name
    await minh.click("Bỏ qua")
    await finish(minh)
    await world.drain_outbox()
    data = await my_file(world, lan)
    assert data["profile"]["full_name"] == "Đặng Văn Lân" and data["profile"]["telegram_id"] == lan.id
    assert [r["role"] for r in data["roles"]] == ["CBVC-NLĐ"]
    about = data["good_deeds_about_me"]
    assert len(about) == 2
    assert {d["reporter"] for d in about} == {None, "Trần Văn Minh"}
    text = json.dumps(data, ensure_ascii=False)
    assert "Nguyễn Thị Hoa" not in text  # the anonymous reporter is nowhere in the file
    assert "ballot" not in text.lower()


async def test_the_reporter_finds_their_own_good_deeds_anonymous_or_not(world):
    hoa, _, _ = await setup(world)
    await to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await finish(hoa, anonymous=True)
    data = await my_file(world, hoa)
    [mine] = data["good_deeds_reported"]
    assert mine["about"] == "Đặng Văn Lân" and mine["anonymous"] is True
    assert data["good_deeds_about_me"] == []


async def test_a_nomination_summary_is_left_out_where_the_plan_keeps_it_from_the_nominee(world):
    _, lan, _ = await setup(world)
    await nominate(world, lan, readable=False)
    data = await my_file(world, lan)
    [nomination] = data["nominations"]
    assert nomination["summary"] is None and nomination["report_text"] == REPORT
    assert SUMMARY not in json.dumps(data, ensure_ascii=False)


async def test_a_nomination_summary_is_in_the_file_where_the_plan_lets_the_nominee_read_it(world):
    _, lan, _ = await setup(world)
    await nominate(world, lan, readable=True)
    data = await my_file(world, lan)
    assert data["nominations"][0]["summary"] == SUMMARY


async def test_registrations_and_acknowledgements_are_in_the_file(world):
    _, lan, _ = await setup(world)
    now = world.clock.now()
    async with world.session() as s:
        year = (await s.scalars(select(PlanSchoolYear).order_by(PlanSchoolYear.id))).first()
        title = (await s.scalars(select(PlanCommendation).order_by(PlanCommendation.id))).first()
        assert year is not None and title is not None
        s.add(PlanAcknowledgement(period_id=year.period_id, person_id=lan.person_id, acknowledged_at=now))
        s.add(
            Registration(
                school_year_id=year.id,
                subject="individual",
                owner=f"p{lan.person_id}",
                person_id=lan.person_id,
                unit_id=(await world.unit()).id,
                title_id=title.id,
                movement_ids=[],
                commitments="Cam kết hoàn thành 100% giờ giảng",
                submitted_by=lan.person_id,
                submitted_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        await s.commit()
    data = await my_file(world, lan)
    [registration] = data["registrations"]
    assert registration["commitments"] == "Cam kết hoàn thành 100% giờ giảng"
    assert registration["school_year"] == year.code and registration["title"] == title.name_vi
    assert len(data["acknowledgements"]) == 1 and data["acknowledgements"][0]["plan"]


async def test_the_request_is_audited_and_the_file_goes_only_to_the_person(world):
    hoa, lan, _ = await setup(world)
    await my_file(world, lan)
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "my_data.sent")
    assert entry.actor_id == lan.person_id and entry.object_id == str(lan.person_id)
    assert entry.after and "nominations" in entry.after  # the counts, never the content
    rows = await world.rows(OutboxMessage, OutboxMessage.kind == "my-data")
    assert [r.chat_id for r in rows] == [lan.id]
    assert hoa.messages() == [] or all(m.kind != "document" for m in hoa.messages())


async def test_someone_not_on_the_roster_gets_no_file(world):
    await setup(world)
    stranger = world.outsider()
    await stranger.send("/mydata")
    await world.drain_outbox()
    assert all(m.kind != "document" for m in stranger.messages())
    assert await world.rows(OutboxMessage, OutboxMessage.kind == "my-data") == []
